"""The queue as the page and the API ask for it: filters from the request, in the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection

from monitor.context import Context
from monitor.incidents.lifecycle import OPEN_STATUSES, RISK_RANK, STATUSES
from monitor.incidents.queue import QueueFilter, count_by, list_incidents
from monitor.store.tables import incidents
from monitor.web.users import User

MAX_SEARCH_CHARS = 200


@dataclass
class QueueParams:
    """Filters as they arrive in a query string; blanks mean 'any'."""

    status: str | None = None
    sector: str | None = None
    risk: str | None = None
    territory: str | None = None
    recipient: str | None = None
    source: str | None = None
    overdue: bool = False
    q: str | None = None

    def cleaned(self) -> QueueParams:
        """The same filters with blanks as None and the search trimmed."""
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, str):
                value = value.strip()[:MAX_SEARCH_CHARS] or None
            values[item.name] = value
        return QueueParams(**values)

    def to_filter(self, user: User, *, limit: int, offset: int) -> QueueFilter:
        """The library's filter, confined to the user's recipient when it has one."""
        return QueueFilter(
            status=self.status,
            sector=self.sector,
            risk=self.risk,
            territory=self.territory,
            recipient=self.recipient,
            recipient_id=user.scope,
            source=self.source,
            overdue=self.overdue,
            search=self.q,
            limit=limit,
            offset=offset,
        )

    def query(self, **changes: Any) -> str:
        """The query string of these filters with some changed (for links)."""
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        values.update(changes)
        pairs = [
            (key, "1" if value is True else value)
            for key, value in values.items()
            if value not in (None, "", False)
        ]
        return urlencode(pairs)


@dataclass
class QueueView:
    """One page of the queue and the counts shown above it."""

    params: QueueParams
    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_risk: dict[str, int] = field(default_factory=dict)

    @property
    def page(self) -> int:
        """The 1-based number of this page."""
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        """How many pages the filter gives."""
        return max(1, -(-self.total // self.limit))


def _status_matches(wanted: str | None, status: str) -> bool:
    # The filter's meaning of status (see QueueFilter): none or "open", "all", or one.
    if wanted in (None, "open"):
        return status in OPEN_STATUSES
    return wanted == "all" or wanted == status


def load_queue(
    ctx: Context,
    connection: Connection,
    user: User,
    params: QueueParams,
    *,
    limit: int,
    offset: int,
) -> QueueView:
    """The queue for this user: rows, total and counts by status and by risk."""
    params = params.cleaned()
    flt = params.to_filter(user, limit=limit, offset=offset)
    flt.validate({sector.code for sector in ctx.settings.sectors})
    now = ctx.now()
    rows = list_incidents(connection, flt, now)
    # One grouped count serves the total and both rows of counts; each row of counts
    # ignores its own dimension, so the officer sees where a click would lead.
    groups = count_by(
        connection,
        replace(flt, status="all", risk=None),
        now,
        incidents.c.risk_rank,
        incidents.c.status,
    )
    risk_of = {rank: risk for risk, rank in RISK_RANK.items()}
    by_status = dict.fromkeys(STATUSES, 0)
    by_risk = dict.fromkeys(reversed(RISK_RANK), 0)
    total = 0
    for (rank, status), count in groups.items():
        risk = risk_of.get(rank)
        status_ok = _status_matches(flt.status, status)
        risk_ok = flt.risk in (None, risk)
        if risk_ok and status in by_status:
            by_status[status] += count
        if status_ok and risk in by_risk:
            by_risk[risk] += count
        if status_ok and risk_ok:
            total += count
    return QueueView(
        params=params,
        rows=rows,
        total=total,
        limit=limit,
        offset=offset,
        by_status=by_status,
        by_risk=by_risk,
    )
