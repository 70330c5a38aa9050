"""Escalation: how far up an unanswered incident has gone, and who is told at each level.

Level 0 is the recipient. A missed deadline moves the incident one level up; each level
then has its own deadline (from config) for the same missing response, and missing that
moves it up again. The path is a pure function of the incident's deadlines, answers and
pauses as of a moment, so a tick at any moment (or a replay) reaches the same level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import Settings
from monitor.incidents.sla import Pause, add_active, clock_for, rule_for

FIRST_RESPONSE = "first_response"
FINAL_ANSWER = "final_answer"


@dataclass(frozen=True, slots=True)
class Escalation:
    """One step up: to `level`, because the deadline `due` of `missed` passed."""

    level: int
    due: datetime
    missed: str


@dataclass(frozen=True, slots=True)
class Outstanding:
    """The response an open incident owes now and when it is due."""

    kind: str
    due: datetime


def outstanding(incident) -> Outstanding | None:
    """The first response if none was given, else the final answer (None when answered)."""
    if incident.first_response_at is None and incident.first_response_due is not None:
        return Outstanding(FIRST_RESPONSE, incident.first_response_due)
    if incident.answered_at is None and incident.final_answer_due is not None:
        return Outstanding(FINAL_ANSWER, incident.final_answer_due)
    return None


def escalation_path(
    settings: Settings,
    incident,
    *,
    recipient_code: str | None,
    pauses: Sequence[Pause],
    now: datetime,
) -> list[Escalation]:
    """Every escalation the incident has earned by `now`, lowest level first."""
    levels = settings.escalation.levels
    rule = rule_for(
        settings, risk=incident.risk, sector=incident.sector, recipient_code=recipient_code
    )
    clock = clock_for(settings, rule)
    obligations = [
        (FIRST_RESPONSE, incident.first_response_due, incident.first_response_at),
        (FINAL_ANSWER, incident.final_answer_due, incident.answered_at),
    ]
    path: list[Escalation] = []
    index = 0
    due = obligations[0][1]
    while index < len(obligations) and len(path) < len(levels) and due is not None:
        kind, _, met_at = obligations[index]
        if met_at is not None and met_at <= due:
            index += 1
            if index < len(obligations):
                due = obligations[index][1]
            continue
        if due >= now:
            break
        path.append(Escalation(level=len(path) + 1, due=due, missed=kind))
        hours = levels[len(path) - 1].deadline_hours
        due = add_active(clock, due, timedelta(hours=hours), pauses, now=now)
    return path


def escalation_target(
    settings: Settings,
    level: int,
    *,
    sector: str,
    recipient_code: str | None,
    parents: Mapping[str, str | None],
) -> str:
    """The recipient code told at an escalation level (1 = the first level above)."""
    notify = settings.escalation.levels[level - 1].notify
    fallback = settings.routing.fallback
    if notify == "sector_curator":
        curator = settings.escalation.sector_curators.get(sector)
        if curator:
            return curator
        notify = "parent"
    if notify == "parent":
        return (parents.get(recipient_code) if recipient_code else None) or fallback
    return notify if notify in parents else fallback
