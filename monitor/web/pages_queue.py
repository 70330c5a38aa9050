"""The queue page: filters, counts, urgency order, paging, refreshing in place."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from monitor.incidents.lifecycle import RISK_RANK, STATUSES
from monitor.store.tables import recipients
from monitor.web.catalog import source_names
from monitor.web.deps import context, page_user
from monitor.web.queueview import QueueParams, load_queue
from monitor.web.render import render
from monitor.web.users import User

router = APIRouter(include_in_schema=False)


@router.get("/queue")
def queue_page(
    request: Request,
    params: QueueParams = Depends(),
    page: int = Query(1, ge=1, le=100_000),
    partial: bool = False,
    user: User = Depends(page_user),
) -> Response:
    """The incident queue; `partial=1` gives only the results, for the refresh script."""
    ctx = context(request)
    size = ctx.settings.web.page_size
    with ctx.db.connect() as connection:
        view = load_queue(ctx, connection, user, params, limit=size, offset=(page - 1) * size)
        if partial:
            return render(request, "_queue_results.html", user=user, view=view)
        choices = {
            "statuses": STATUSES,
            "risks": list(reversed(RISK_RANK)),
            "sectors": ctx.settings.sectors,
            "territories": [place.name for place in ctx.settings.territories],
            "sources": source_names(connection),
            "recipients": []
            if user.scope is not None
            else connection.execute(
                select(recipients.c.code, recipients.c.name).order_by(recipients.c.name)
            ).all(),
        }
    return render(
        request,
        "queue.html",
        user=user,
        view=view,
        choices=choices,
        active="queue",
        refresh_seconds=ctx.settings.web.refresh_seconds,
    )
