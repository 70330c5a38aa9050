"""Rendering pages: the Jinja environment and what every template receives."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import Response

from monitor.context import Context
from monitor.web.access import can
from monitor.web.deps import LoginRequired, page_user
from monitor.web.display import Display
from monitor.web.sessions import Session
from monitor.web.users import User


def make_templates(ctx: Context) -> Jinja2Templates:
    """The page templates, autoescaped, with the display helpers as globals."""
    environment = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        d=Display(ctx.settings),
        can=can,
        centre=ctx.settings.centre_name,
        timedelta_seconds=lambda seconds: timedelta(seconds=seconds),
    )
    return Jinja2Templates(env=environment)


def render(
    request: Request,
    template: str,
    *,
    user: User | None,
    status: int = 200,
    **context: Any,
) -> Response:
    """A page for this user, with the session's CSRF token for its forms."""
    templates: Jinja2Templates = request.app.state.templates
    ctx: Context = request.app.state.ctx
    csrf = request.state.session.csrf
    values = {
        "user": user,
        "csrf": csrf,
        "csrf_field": Markup(f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'),
        "now": ctx.now(),
        "active": "",
        "flash": None,
        "error": None,
        **context,
    }
    return templates.TemplateResponse(request, template, values, status_code=status)


def page_error(request: Request, status: int, message: str) -> Response:
    """An error page with a Russian message, with the menu when the user is known."""
    if not hasattr(request.state, "session"):  # static files carry no session
        request.state.session = Session()
    user = None
    if status < 500:
        try:
            user = page_user(request)
        except LoginRequired:
            user = None
    return render(request, "error.html", user=user, status=status, message=message, code=status)
