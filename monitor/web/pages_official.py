"""«Госпаблики»: the official pages' rating, their unanswered signals and the conflicts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from monitor.official.stats import all_pages, model_reader
from monitor.web.access import require
from monitor.web.analytics import PeriodQuery, _page
from monitor.web.deps import context, page_user
from monitor.web.users import User

router = APIRouter(prefix="/analytics", include_in_schema=False)
UNANSWERED_SHOWN = 20


@router.get("/official")
def official_page(
    request: Request, when: PeriodQuery = Depends(), user: User = Depends(page_user)
) -> Response:
    """Госпаблики for a period; a recipient sees its own pages, without the conflicts."""
    require(user, "view_incidents")
    ctx = context(request)
    period = when.period(request)
    with ctx.db.connect() as connection:
        stats = all_pages(connection, ctx.settings, period, reader=model_reader(ctx.settings))
    if user.scope is not None:
        stats = [s for s in stats if s.page.recipient == user.recipient_code]
    conflicts = [] if user.scope is not None else [c for s in stats for c in s.conflicts]
    return _page(
        request,
        "official.html",
        user,
        period,
        "official",
        pages_stats=stats,
        conflicts=conflicts,
        shown=UNANSWERED_SHOWN,
        configured=bool(ctx.settings.official_pages.pages),
    )
