"""Request dependencies: the context, the signed-in user of a page or an API call, forms."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from monitor.context import Context
from monitor.errors import AccessDenied
from monitor.web.session_store import live_session, touch_session
from monitor.web.sessions import Session
from monitor.web.users import User, get_user, user_by_token


class LoginRequired(Exception):
    """A page was asked for without a valid session: the answer is the login page."""


class Unauthenticated(AccessDenied):
    """An API call without a valid token (401)."""


class CsrfFailed(AccessDenied):
    """A form came without this session's CSRF token."""


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="Per-user API token from `otklik user token NAME`",
)


def context(request: Request) -> Context:
    """The application's context."""
    return request.app.state.ctx


def session(request: Request) -> Session:
    """The page session the middleware loaded from the cookie."""
    return request.state.session


def page_user(request: Request) -> User:
    """The user of this page session, checked in the store on every request; LoginRequired
    when there is none or it was logged out, revoked (new password, lock) or expired."""
    current = session(request)
    if current.token is None:
        raise LoginRequired()
    ctx = context(request)
    now = ctx.now()
    with ctx.db.connect() as connection:
        stored = live_session(connection, current.token, now)
        user = get_user(connection, stored.user_id) if stored else None
    if stored is None or user is None or not user.active:
        current.sign_out()  # logged out, revoked or expired: the cookie opens nothing
        raise LoginRequired()
    touch_session(ctx.db, stored, now)
    return user


def api_user(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> User:
    """The user whose API token the request carries; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Нужен API-токен: заголовок Authorization: Bearer <токен>")
    with context(request).db.connect() as connection:
        user = user_by_token(connection, credentials.credentials)
    if user is None:
        raise Unauthenticated("API-токен неверен или отозван")
    return user


async def checked_form(request: Request) -> dict[str, str]:
    """The submitted form's text fields, after checking its CSRF token."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not session(request).csrf_matches(fields.get("csrf_token")):
        raise CsrfFailed("Форма устарела или пришла не с этой страницы. Обновите страницу.")
    return fields
