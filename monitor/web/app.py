"""The web application: pages for people, a JSON API for systems, one set of rules for both."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from monitor.context import Context
from monitor.web import (
    analytics,
    api_catalog,
    api_docs,
    api_incidents,
    api_risks,
    errors,
    pages_admin,
    pages_auth,
    pages_incident,
    pages_official,
    pages_queue,
    pages_review,
    pages_risks,
    pages_templates,
)
from monitor.web.render import make_templates, page_error
from monitor.web.sessions import COOKIE, SessionCodec, signing_secret

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def create_app(ctx: Context, *, secret: str | None = None) -> FastAPI:
    """Build the app over a context (settings, store, clock)."""
    app = FastAPI(
        title="Otklik API",
        version="1",
        description="Инциденты, публикации, получатели и источники. Авторизация: заголовок "
        "`Authorization: Bearer <токен>`; токен выдаёт `otklik user token NAME`.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # served from the package by monitor/web/api_docs.py
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.templates = make_templates(ctx)
    codec = SessionCodec(secret or signing_secret(), ctx.settings.web.session_hours * 3600)
    web = ctx.settings.web

    @app.middleware("http")
    async def sessions_and_headers(request: Request, call_next):
        path = request.url.path
        page = not (path.startswith("/api/") or path.startswith("/static/"))
        if page:
            request.state.session = codec.load(request.cookies.get(COOKIE))
        try:
            response = await call_next(request)
        except Exception:
            # Answered here, not re-raised: uvicorn would drop the keep-alive connection.
            response = errors.internal_error(request)
        if page and request.state.session.changed:
            response.set_cookie(
                COOKIE,
                codec.dump(request.state.session),
                max_age=int(codec.max_age_seconds),
                httponly=True,
                samesite="lax",
                secure=web.secure_cookies or request.url.scheme == "https",
                path="/",
            )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    if web.trusted_proxies:
        # Outermost, so that sessions, secure cookies and the login limit see the real client.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=web.trusted_proxies)
    errors.install(app, page_error)
    static = resources.files("monitor.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    api_docs.install(app)
    for module in (
        pages_auth,
        pages_queue,
        pages_incident,
        pages_admin,
        pages_templates,
        pages_review,
        analytics,
        pages_official,
        api_incidents,
        api_catalog,
        pages_risks,
        api_risks,
    ):
        app.include_router(module.router)
    app.include_router(pages_templates.api)
    return app
