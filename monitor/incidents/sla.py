"""Response deadlines: which rule applies to an incident and when its deadlines fall.

The first-response deadline is the rule's time counted from registration (working hours,
or wall-clock for around-the-clock rules); the final answer is due a number of working
days after the first-response deadline. Time spent `waiting` does not count: every
deadline is computed from registration with the pauses left out, so recomputing after a
reclassification or a resume gives the same answer as if the rule had applied all along.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from monitor.config import Settings
from monitor.incidents.calendar import AroundTheClock, Clock, calendar_for
from monitor.store.tables import incident_pauses, recipients

# A pause is (started, ended); ended is None while the incident is still waiting.
Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """The resolved rule for one incident."""

    first_response: timedelta
    around_the_clock: bool
    final_answer_working_days: float


def rule_for(
    settings: Settings, *, risk: str, sector: str | None, recipient_code: str | None
) -> DeadlineRule:
    """The rule for a risk, sector and recipient: the most specific override wins."""
    base = settings.sla.risks[risk]  # type: ignore[index]  # risk is checked by the callers
    hours, around, days = (
        base.first_response_hours,
        base.around_the_clock,
        settings.sla.final_answer_working_days,
    )
    matching = [
        override
        for override in settings.sla.overrides
        if override.risk in (None, risk)
        and override.sector in (None, sector)
        and override.recipient in (None, recipient_code)
    ]
    # Least specific first, so the most specific is applied last and wins.
    matching.sort(key=lambda o: (o.recipient is not None, o.sector is not None, o.risk is not None))
    for override in matching:
        hours = override.first_response_hours or hours
        around = around if override.around_the_clock is None else override.around_the_clock
        days = override.final_answer_working_days or days
    return DeadlineRule(timedelta(hours=hours), around, days)


def clock_for(settings: Settings, rule: DeadlineRule) -> Clock:
    """The clock a rule counts its first response and escalation levels in."""
    return AroundTheClock() if rule.around_the_clock else calendar_for(settings)


def add_active(
    clock: Clock,
    start: datetime,
    duration: timedelta,
    pauses: Iterable[Pause],
    *,
    now: datetime | None = None,
) -> datetime:
    """`start` plus `duration` of counted time, the pauses left out.

    An open pause is taken to end at `now` (or at its start when `now` is not given).
    """
    cursor, remaining = start, duration
    for paused, resumed in sorted(pauses, key=lambda pause: pause[0]):
        resumed = resumed or max(now or paused, paused)
        if resumed <= cursor:
            continue
        if paused > cursor:
            candidate = clock.add(cursor, remaining)
            if candidate <= paused:
                return candidate
            remaining -= clock.between(cursor, paused)
        cursor = resumed
    return clock.add(cursor, remaining)


def initial_deadlines(
    settings: Settings,
    *,
    risk: str,
    sector: str,
    recipient_code: str | None,
    registered_at: datetime,
    pauses: Sequence[Pause] = (),
    now: datetime | None = None,
) -> tuple[datetime, datetime]:
    """First-response and final-answer deadlines for an incident registered at a moment."""
    rule = rule_for(settings, risk=risk, sector=sector, recipient_code=recipient_code)
    first = add_active(
        clock_for(settings, rule), registered_at, rule.first_response, pauses, now=now
    )
    calendar = calendar_for(settings)
    final = add_active(
        calendar,
        first,
        calendar.day_length * rule.final_answer_working_days,
        pauses,
        now=now,
    )
    return first, final


def load_pauses(connection: Connection, incident_id: int) -> list[Pause]:
    """The waiting spells of one incident, oldest first."""
    rows = connection.execute(
        select(incident_pauses.c.started_at, incident_pauses.c.ended_at)
        .where(incident_pauses.c.incident_id == incident_id)
        .order_by(incident_pauses.c.started_at, incident_pauses.c.id)
    )
    return [(row.started_at, row.ended_at) for row in rows]


def recipient_code_of(connection: Connection, recipient_id: int | None) -> str | None:
    """The code of a recipient id (None for none)."""
    if recipient_id is None:
        return None
    return connection.execute(
        select(recipients.c.code).where(recipients.c.id == recipient_id)
    ).scalar()


def recomputed_deadlines(
    connection: Connection,
    settings: Settings,
    incident: Any,
    *,
    now: datetime,
    risk: str | None = None,
    sector: str | None = None,
    recipient_code: str | None = None,
) -> dict[str, datetime]:
    """Deadlines of a stored incident recomputed from registration with its current rule.

    `incident` is a row of `incidents`; `risk`, `sector` and `recipient_code` give values
    about to replace the stored ones. Returns the column values to update.
    """
    first, final = initial_deadlines(
        settings,
        risk=risk or incident.risk,
        sector=sector or incident.sector,
        recipient_code=recipient_code or recipient_code_of(connection, incident.recipient_id),
        registered_at=incident.created_at,
        pauses=load_pauses(connection, incident.id),
        now=now,
    )
    return {"first_response_due": first, "final_answer_due": final}
