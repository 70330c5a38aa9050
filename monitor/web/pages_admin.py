"""Sources (health), recipients and users: the pages around the queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from monitor.errors import InputError, NotFound
from monitor.loop.registry import with_thresholds
from monitor.store.tables import recipients
from monitor.streams import STREAM_NAMES
from monitor.web.access import require
from monitor.web.catalog import list_recipients, list_sources
from monitor.web.deps import checked_form, context, page_user
from monitor.web.render import render
from monitor.web.users import (
    ROLE_NAMES,
    ROLES,
    User,
    add_user,
    get_user,
    issue_token,
    list_users,
    set_active,
    set_password,
)

router = APIRouter(include_in_schema=False)
UserId = Path(ge=1, le=2**31 - 1)
USER_DONE = {
    "added": "Пользователь добавлен",
    "locked": "Пользователь заблокирован",
    "unlocked": "Пользователь разблокирован",
    "password": "Пароль изменён",
}


@router.get("/sources")
def sources_page(request: Request, user: User = Depends(page_user)) -> Response:
    """Every source with its health (last success, last error, failures, posts) and the
    stream with the relevance threshold its posts are read at."""
    require(user, "view_sources")
    ctx = context(request)
    with ctx.db.connect() as connection:
        listing = list_sources(connection, ctx.settings)
        with_thresholds(ctx, connection, listing)
    for row in listing:
        row["stream_name"] = STREAM_NAMES.get(row["stream"], row["stream"])
    return render(request, "sources.html", user=user, sources=listing, active="sources")


@router.get("/recipients")
def recipients_page(request: Request, user: User = Depends(page_user)) -> Response:
    """Recipients with their load and on-time share (admins)."""
    require(user, "manage_recipients")
    ctx = context(request)
    with ctx.db.connect() as connection:
        listing = list_recipients(connection, ctx.now(), scope=None)
    return render(request, "recipients.html", user=user, recipients=listing, active="recipients")


def _users_page(
    request: Request,
    user: User,
    *,
    status: int = 200,
    token: tuple[str, str] | None = None,
    **extra,
) -> Response:
    ctx = context(request)
    with ctx.db.connect() as connection:
        people = list_users(connection)
        choices = connection.execute(
            select(recipients.c.code, recipients.c.name).order_by(recipients.c.name)
        ).all()
    return render(
        request,
        "users.html",
        user=user,
        status=status,
        people=people,
        roles=ROLES,
        role_names=ROLE_NAMES,
        recipient_choices=choices,
        token=token,
        active="users",
        **{"form": {}, **extra},
    )


@router.get("/users")
def users_page(request: Request, done: str | None = None, user: User = Depends(page_user)):
    """Users, their roles and recipients; adding, locking, passwords, API tokens (admins)."""
    require(user, "manage_users")
    return _users_page(request, user, flash=USER_DONE.get(done or ""))


@router.post("/users")
def users_add(
    request: Request,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Add a user."""
    require(user, "manage_users")
    ctx = context(request)
    try:
        add_user(
            ctx.db,
            form.get("name", ""),
            form.get("role", ""),
            form.get("password", ""),
            now=ctx.now(),
            recipient_code=form.get("recipient") or None,
            actor=user.name,
        )
    except (InputError, NotFound) as exc:
        return _users_page(request, user, status=422, error=str(exc), form=form)
    return RedirectResponse("/users?done=added", status_code=303)


def _target(request: Request, user_id: int) -> User:
    with context(request).db.connect() as connection:
        target = get_user(connection, user_id)
    if target is None:
        raise NotFound(f"Пользователь {user_id} не найден")
    return target


@router.post("/users/{user_id}/active")
def users_toggle(
    request: Request,
    user_id: int = UserId,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Lock a user out or let them back in (not oneself: an admin must remain)."""
    require(user, "manage_users")
    target = _target(request, user_id)
    if target.id == user.id:
        return _users_page(request, user, status=422, error="Нельзя заблокировать самого себя")
    set_active(context(request).db, target.name, not target.active, actor=user.name)
    return RedirectResponse(
        f"/users?done={'locked' if target.active else 'unlocked'}", status_code=303
    )


@router.post("/users/{user_id}/password")
def users_password(
    request: Request,
    user_id: int = UserId,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Give a user a new password (their sessions end)."""
    require(user, "manage_users")
    target = _target(request, user_id)
    try:
        set_password(context(request).db, target.name, form.get("password", ""), actor=user.name)
    except InputError as exc:
        return _users_page(request, user, status=422, error=str(exc))
    if target.id == user.id:
        # The admin's own session ends with the old password; sign in again.
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/users?done=password", status_code=303)


@router.post("/users/{user_id}/token")
def users_token(
    request: Request,
    user_id: int = UserId,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Issue a new API token for a user and show it once."""
    require(user, "manage_users")
    target = _target(request, user_id)
    token = issue_token(context(request).db, target.name, actor=user.name)
    return _users_page(request, user, token=(target.name, token))
