"""JSON API: posts, recipients and sources (Bearer token), in the user's scope."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request

from monitor.web.access import can, require
from monitor.web.api_incidents import ERRORS
from monitor.web.catalog import list_posts, list_recipients, list_sources, read_post
from monitor.web.convert import post_out
from monitor.web.deps import api_user, context
from monitor.web.schemas import PostOut, RecipientOut, SourceOut
from monitor.web.users import User

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/posts", response_model=list[PostOut], tags=["posts"])
def posts(
    request: Request,
    incident: int | None = Query(None, ge=1, le=2**31 - 1, description="Only this incident's"),
    source: str | None = Query(None, max_length=200, description="Only this source's"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
    user: User = Depends(api_user),
) -> list[dict]:
    """Posts, newest first, with their latest classification."""
    ctx = context(request)
    with ctx.db.connect() as connection:
        rows = list_posts(
            connection,
            scope=user.scope,
            incident_id=incident,
            source=source or None,
            limit=limit,
            offset=offset,
        )
    return [post_out(row) for row in rows]


@router.get("/posts/{post_id}", response_model=PostOut, tags=["posts"])
def post(
    request: Request, post_id: int = Path(ge=1, le=2**31 - 1), user: User = Depends(api_user)
) -> dict:
    """One post with its latest classification and its incident."""
    with context(request).db.connect() as connection:
        return post_out(read_post(connection, post_id, scope=user.scope))


@router.get("/recipients", response_model=list[RecipientOut], tags=["recipients"])
def recipients(request: Request, user: User = Depends(api_user)) -> list[dict]:
    """Recipients with their load and on-time share; a recipient user sees only itself."""
    ctx = context(request)
    with ctx.db.connect() as connection:
        listing = list_recipients(connection, ctx.now(), scope=user.scope)
    if not can(user, "view_contacts"):
        # Contact details are for the centre's staff.
        for row in listing:
            row.update(email=None, telegram_chat_id=None)
    return listing


@router.get("/sources", response_model=list[SourceOut], tags=["sources"])
def sources(request: Request, user: User = Depends(api_user)) -> list[dict]:
    """Every source with its health (not for recipient users)."""
    require(user, "view_sources")
    ctx = context(request)
    with ctx.db.connect() as connection:
        return list_sources(connection, ctx.settings)
