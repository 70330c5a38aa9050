"""On-time share, the one definition every report and page uses.

    on-time share = answered on time ÷ (all answered + open and overdue)

An incident left open past its deadline counts against its recipient just as a late
answer does. "On time" means both deadlines were met: the first response by
`first_response_due` and the final answer by `final_answer_due`. A waiting incident is
judged as of the moment it was paused, since its clock is stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)

from monitor.incidents.lifecycle import OPEN_STATUSES
from monitor.store.tables import UTCDateTime, incidents


@dataclass(frozen=True, slots=True)
class OnTime:
    """The counts behind an on-time share."""

    on_time: int = 0
    answered: int = 0
    open_overdue: int = 0

    @property
    def judged(self) -> int:
        """The denominator: all answered plus open and overdue."""
        return self.answered + self.open_overdue

    @property
    def share(self) -> float | None:
        """On-time share in 0..1, or None when nothing can be judged yet."""
        return self.on_time / self.judged if self.judged else None


def answered() -> ColumnElement[bool]:
    """SQL condition: the incident got its final answer."""
    return and_(incidents.c.answered_at.is_not(None), incidents.c.status != "rejected")


def answered_on_time() -> ColumnElement[bool]:
    """SQL condition: answered, with both deadlines met."""
    c = incidents.c
    return and_(
        answered(),
        or_(c.final_answer_due.is_(None), c.answered_at <= c.final_answer_due),
        or_(
            c.first_response_due.is_(None),
            and_(c.first_response_at.is_not(None), c.first_response_at <= c.first_response_due),
        ),
    )


def open_overdue(now: datetime) -> ColumnElement[bool]:
    """SQL condition: open, not answered, and past a deadline it has not met as of `now`."""
    c = incidents.c
    as_of = func.coalesce(c.paused_at, literal(now, UTCDateTime()))
    return and_(
        c.status.in_(OPEN_STATUSES),
        c.answered_at.is_(None),
        or_(
            and_(c.first_response_at.is_(None), c.first_response_due < as_of),
            c.final_answer_due < as_of,
        ),
    )


def _count(condition: ColumnElement[bool], label: str):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(label)


@overload
def on_time_share(
    connection: Connection,
    *,
    now: datetime,
    where: Iterable[ColumnElement[bool]] = ...,
    by: None = ...,
) -> OnTime: ...


@overload
def on_time_share(
    connection: Connection,
    *,
    now: datetime,
    where: Iterable[ColumnElement[bool]] = ...,
    by: ColumnElement[Any],
) -> dict[Any, OnTime]: ...


def on_time_share(
    connection: Connection,
    *,
    now: datetime,
    where: Iterable[ColumnElement[bool]] = (),
    by: ColumnElement[Any] | None = None,
) -> OnTime | dict[Any, OnTime]:
    """On-time counts of the incidents matching `where`, as of `now`.

    With `by` (a column such as `incidents.c.recipient_id`) the result maps each value of
    the column to its counts; without it, one `OnTime` for all matching incidents.
    """
    columns = [
        _count(answered_on_time(), "on_time"),
        _count(answered(), "answered"),
        _count(open_overdue(now), "open_overdue"),
    ]
    query = select(*columns).select_from(incidents).where(*where)
    if by is None:
        row = connection.execute(query).one()
        return OnTime(row.on_time, row.answered, row.open_overdue)
    rows = connection.execute(query.add_columns(by.label("key")).group_by(by))
    return {row.key: OnTime(row.on_time, row.answered, row.open_overdue) for row in rows}
