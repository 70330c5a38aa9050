"""The weekly note for the head of the administration: everything it says, gathered once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, case, func, select

from monitor.analytics import charts
from monitor.analytics.growth import GrowthReport, growth_report
from monitor.analytics.heatmap import HeatMap, HeatTable, heat_map, heat_table
from monitor.analytics.labels import recipient_names, sector_names, territory_name
from monitor.analytics.period import Period
from monitor.analytics.problems import SectorProblems, problems_by_sector
from monitor.analytics.ratings import RecipientRating, recipient_ratings
from monitor.analytics.sql import incident_filter
from monitor.analytics.wording import change, incidents_phrase, number, percent
from monitor.config import Settings
from monitor.incidents.lifecycle import RISK_RANK
from monitor.incidents.ontime import OnTime, answered, on_time_share, open_overdue
from monitor.risks.weekly import WeekRisks, week_risks
from monitor.store.tables import incidents

OTHER_SECTOR = "other"


@dataclass(frozen=True, slots=True)
class OverdueIncident:
    """An open incident past a deadline it has not met."""

    id: int
    title: str
    sector_name: str
    territory: str
    recipient: str
    missed: str  # which deadline: первый ответ / окончательный ответ
    due: datetime
    hours_late: float


@dataclass
class WeeklyNote:
    """The note's content: numbers, tables, findings and chart images."""

    title: str
    centre: str
    region: str
    period: Period
    generated_at: datetime
    heat: HeatMap
    table: HeatTable
    by_risk: dict[str, tuple[int, int]]
    on_time: OnTime
    answered: int
    growth: GrowthReport
    problems: list[SectorProblems]
    ratings: list[RecipientRating]
    overdue: list[OverdueIncident]
    overdue_total: int
    highlights: list[str] = field(default_factory=list)
    official: list = field(default_factory=list)  # monitor.official.stats.PageStats
    risks: WeekRisks | None = None

    @property
    def subtitle(self) -> str:
        """What the note is about, for which period, by whom and when."""
        week = self.period.week_name()
        when = self.generated_at.astimezone(self.period.tz).strftime("%d.%m.%Y %H:%M")
        return (
            f"о сообщениях жителей в открытых источниках: {self.region}, "
            f"{self.period.label()}{f' (неделя {week})' if week else ''}. "
            f"Подготовлено: {self.centre}, {when}"
        )

    charts: dict[str, bytes] = field(default_factory=dict)


def _by_risk(connection: Connection, period: Period) -> dict[str, tuple[int, int]]:
    def counts(p: Period) -> dict[str, int]:
        rows = connection.execute(
            select(incidents.c.risk, func.count())
            .where(*incident_filter(p))
            .group_by(incidents.c.risk)
        )
        return dict(rows.all())

    now, before = counts(period), counts(period.previous())
    return {risk: (now.get(risk, 0), before.get(risk, 0)) for risk in reversed(RISK_RANK)}


def overdue_list(
    connection: Connection, settings: Settings, now: datetime, limit: int
) -> tuple[list[OverdueIncident], int]:
    """Open incidents overdue as of `now`, longest overdue first, and how many there are."""
    c = incidents.c
    condition = open_overdue(now)
    total = connection.execute(select(func.count()).where(condition)).scalar_one()
    missed_first = and_(c.first_response_at.is_(None), c.first_response_due.is_not(None))
    missed_due = case((missed_first, c.first_response_due), else_=c.final_answer_due)
    rows = connection.execute(
        select(incidents).where(condition).order_by(missed_due, c.id).limit(limit)
    ).all()
    names = sector_names(settings)
    recipients = recipient_names(connection)
    found = []
    for row in rows:
        as_of = row.paused_at or now
        first = row.first_response_at is None and row.first_response_due is not None
        first = first and row.first_response_due < as_of
        deadline = row.first_response_due if first else row.final_answer_due
        found.append(
            OverdueIncident(
                id=row.id,
                title=row.title,
                sector_name=names.get(row.sector, row.sector),
                territory=territory_name(row.territory),
                recipient=recipients.get(row.recipient_id, ("", "не назначен"))[1],
                missed="первый ответ" if first else "окончательный ответ",
                due=deadline,
                hours_late=(as_of - deadline).total_seconds() / 3600,
            )
        )
    found.sort(key=lambda item: (-item.hours_late, item.id))
    return found, total


def _highlights(note: WeeklyNote) -> list[str]:
    heat = note.heat
    lines = [
        f"Зарегистрировано {incidents_phrase(heat.total)} "
        f"({change(heat.total, heat.previous_total)} к предыдущему периоду: "
        f"{number(heat.previous_total)})."
    ]
    top = []
    for code, name in note.table.sectors[:3]:
        count = heat.sector_total(code)[0]
        if count:
            top.append(f"{name} — {number(count)}")
    if top:
        lines.append("Больше всего обращений: " + "; ".join(top) + ".")
    rising = sorted((c for c in heat.cells if c.change > 0), key=lambda c: -c.change)[:3]
    if rising:
        lines.append(
            "Наибольший прирост: "
            + "; ".join(
                f"{c.sector_name}, {territory_name(c.territory)} (+{number(c.change)})"
                for c in rising
            )
            + "."
        )
    alerts = note.growth.alerts
    if alerts:
        lines.append(
            f"Сигналов аномального роста: {len(alerts)}, в том числе "
            + "; ".join(a.title for a in alerts[:3])
            + "."
        )
    else:
        lines.append("Аномального роста обращений не выявлено.")
    lines.append(
        f"Ответов в срок: {percent(note.on_time.share)}; открытых просроченных инцидентов "
        f"сейчас: {number(note.overdue_total)}."
    )
    return lines


def build_weekly_note(
    engine: Engine, settings: Settings, period: Period, *, now: datetime, charts_too: bool = True
) -> WeeklyNote:
    """Gather the note for a period (usually an ISO week) as of `now`."""
    rules = settings.analytics
    with engine.connect() as connection:
        heat = heat_map(connection, settings, period)
        on_time = on_time_share(connection, now=now, where=incident_filter(period))
        answered_count = connection.execute(
            select(func.count()).where(*incident_filter(period), answered())
        ).scalar_one()
        top_sectors = [s for s in heat.sectors if heat.sector_total(s)[0]][: rules.report_sectors]
        # «Прочее» is always broken down: it shows what the taxonomy misses.
        if OTHER_SECTOR not in top_sectors and heat.sector_total(OTHER_SECTOR)[0]:
            top_sectors.append(OTHER_SECTOR)
        overdue, overdue_total = overdue_list(connection, settings, now, rules.report_overdue)
        note = WeeklyNote(
            title="Аналитическая записка",
            centre=settings.centre_name,
            region=settings.region,
            period=period,
            generated_at=now,
            heat=heat,
            table=heat_table(heat, rules.report_territories),
            by_risk=_by_risk(connection, period),
            on_time=on_time,
            answered=answered_count,
            growth=growth_report(connection, settings, period),
            problems=problems_by_sector(connection, settings, period, sectors=top_sectors),
            ratings=recipient_ratings(connection, period, now=now),
            overdue=overdue,
            overdue_total=overdue_total,
            risks=week_risks(connection, period),
        )
    note.highlights = _highlights(note)
    if settings.official_pages.pages:
        from monitor.official.stats import all_pages, model_reader  # imports analytics

        with engine.connect() as connection:
            note.official = all_pages(connection, settings, period, reader=model_reader(settings))
    if charts_too:
        note.charts = {
            "sectors": charts.sector_bars(heat),
            "heat": charts.heat_chart(note.table),
            "ratings": charts.ratings_chart(note.ratings),
        }
        if note.growth.alerts:
            note.charts["growth"] = charts.growth_chart(note.growth)
    return note
