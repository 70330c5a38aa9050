"""The weekly note's section on information risks: what was found and how it was handled."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

if TYPE_CHECKING:
    from monitor.analytics.layout import Section
from monitor.analytics.period import Period
from monitor.analytics.wording import number
from monitor.risks.store import KINDS, STATUSES, list_risks

SHOWN = 15
REASON_CHARS = 160


@dataclass
class WeekRisks:
    """The risks detected in a period, by kind and status, the strongest first."""

    risks: list[dict] = field(default_factory=list)
    by_kind: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    with_incident: int = 0


def week_risks(connection: Connection, period: Period) -> WeekRisks:
    """The risks first detected within the period."""
    found = list_risks(connection, status=None, since=period.start, until=period.end, limit=100_000)
    return WeekRisks(
        risks=found,
        by_kind=Counter(risk["kind"] for risk in found),
        by_status=Counter(risk["status"] for risk in found),
        with_incident=sum(1 for risk in found if risk["incident_id"]),
    )


def risks_section(week: WeekRisks | None, zone: str) -> Section | None:
    """The note's section, or None when no risk was detected in the period."""
    # Imported here: the layout imports this module to place the section.
    from monitor.analytics.layout import Bullets, Grid, Section, Text

    if week is None or not week.risks:
        return None  # a period without risks (or a store without risk scans) adds nothing
    total = len(week.risks)
    kinds = "; ".join(f"{KINDS[kind]} — {number(n)}" for kind, n in week.by_kind.most_common())
    handled = week.by_status.get("handled", 0)
    dismissed = week.by_status.get("dismissed", 0)
    still_open = week.by_status.get("open", 0)
    summary = [
        f"Выявлено информационных рисков: {number(total)} ({kinds}).",
        f"Отработано: {number(handled)}, отклонено как не риск: {number(dismissed)}, "
        f"остаются открытыми: {number(still_open)}; связаны с инцидентами: "
        f"{number(week.with_incident)}.",
    ]
    local = ZoneInfo(zone)
    rows = [
        [
            str(risk["id"]),
            risk["detected_at"].astimezone(local).strftime("%d.%m %H:%M"),
            KINDS[risk["kind"]],
            f"{risk['score']:.0f}",
            _cut(risk["reason"]),
            STATUSES[risk["status"]] + (f": {_cut(risk['note'], 80)}" if risk["note"] else ""),
            f"№ {risk['incident_id']}" if risk["incident_id"] else "—",
        ]
        for risk in week.risks[:SHOWN]
    ]
    return Section(
        "Информационные риски",
        [
            Bullets(summary),
            Text(f"Сильнейшие риски периода (показаны {number(len(rows))} из {number(total)}):"),
            Grid(
                ["№", "Найден", "Вид", "Оценка", "Причина", "Как отработан", "Инцидент"],
                rows,
                {0, 3},
            ),
            Text(
                "Оценка от 0 до 100: 50 — порог обнаружения, каждое удвоение силы сигнала "
                "добавляет 25.",
                note=True,
            ),
        ],
    )


def _cut(text: str, limit: int = REASON_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
