"""Signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from monitor.errors import AccessDenied
from monitor.web.deps import LoginRequired, checked_form, context, page_user, session
from monitor.web.logins import LoginLocked, authenticate
from monitor.web.render import render
from monitor.web.session_store import open_session, revoke_session

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


@router.get("/")
def home() -> Response:
    """The queue is the start page."""
    return RedirectResponse("/queue", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (or straight on, when already signed in)."""
    try:
        page_user(request)
        return RedirectResponse(safe_next(next), status_code=303)
    except LoginRequired:
        return render(request, "login.html", user=None, next=safe_next(next), name="")


@router.post("/login")
def login(request: Request, form: dict[str, str] = Depends(checked_form)) -> Response:
    """Check the name and password (rate-limited) and start a session."""
    ctx = context(request)
    name = form.get("name", "")
    target = safe_next(form.get("next"))
    address = request.client.host if request.client else "unknown"
    try:
        user = authenticate(
            ctx.db, ctx.settings.web, name, form.get("password", ""), address, ctx.now()
        )
    except AccessDenied as exc:
        locked = isinstance(exc, LoginLocked)
        page = render(
            request,
            "login.html",
            user=None,
            status=429 if locked else 401,
            error=str(exc),
            next=target,
            name=name,
        )
        if locked:
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    current = session(request)
    if current.token:  # a session already open in this browser ends here
        revoke_session(ctx.db, current.token, ctx.now())
    current.sign_in(open_session(ctx.db, user.id, ctx.now(), ctx.settings.web.session_hours))
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, form: dict[str, str] = Depends(checked_form)) -> Response:
    """End the session, on the server too: its cookie opens nothing any more."""
    current = session(request)
    if current.token:
        revoke_session(context(request).db, current.token, context(request).now())
    current.sign_out()
    return RedirectResponse("/login", status_code=303)
