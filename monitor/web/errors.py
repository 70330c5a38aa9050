"""Errors as the user sees them: JSON with a Russian message for the API, a page otherwise.

Never a stack trace: unexpected errors are logged and answered with a short message.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from monitor.errors import (
    AccessDenied,
    ConfigError,
    InputError,
    NotFound,
    OtklikError,
    StoreError,
    TransitionError,
)
from monitor.web.deps import LoginRequired, Unauthenticated
from monitor.web.logins import LoginLocked

log = logging.getLogger(__name__)

# Most specific first.
STATUS: list[tuple[type[OtklikError], int, str]] = [
    (Unauthenticated, 401, "unauthenticated"),
    (LoginLocked, 429, "too_many_attempts"),
    (AccessDenied, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (TransitionError, 409, "conflict"),
    (InputError, 422, "invalid"),
    (StoreError, 503, "store_unavailable"),
    (ConfigError, 500, "misconfigured"),
]
HTTP_MESSAGES = {
    400: "Неверный запрос",
    401: "Нужно войти",
    403: "Доступ запрещён",
    404: "Страница не найдена",
    405: "Метод не поддерживается",
    413: "Запрос слишком большой",
    415: "Неподдерживаемый тип содержимого",
    422: "Неверные данные запроса",
    429: "Слишком много запросов",
}
STORE_UNAVAILABLE = (
    "База данных сейчас недоступна или занята другой записью. Повторите через несколько секунд"
)
RETRY_AFTER_SECONDS = 5
INTERNAL = "Внутренняя ошибка сервера; подробности в журнале сервера"
FIELD_NAMES = {"body": "тело запроса", "query": "параметр", "path": "путь", "header": "заголовок"}


def classify(exc: OtklikError) -> tuple[int, str]:
    """HTTP status and error kind of a domain error."""
    for kind, status, name in STATUS:
        if isinstance(exc, kind):
            return status, name
    return 400, "error"


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API."""
    return request.url.path.startswith("/api/")


def _json(status: int, error: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        location = [str(item) for item in problem.get("loc", ())]
        where = FIELD_NAMES.get(location[0], location[0]) if location else ""
        name = ".".join(location[1:])
        parts.append(f"{where} «{name}»" if name else where)
    return "Неверные данные запроса: " + ", ".join(parts)


def respond(request: Request, status: int, error: str, message: str) -> Response:
    """The error as its client reads it: JSON for the API, a page in Russian otherwise."""
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        response = _json(status, error, message, headers)
    else:
        response = request.app.state.page_error(request, status, message)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def internal_error(request: Request) -> Response:
    """The answer to an unexpected error, logged with its traceback (never shown)."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return respond(request, 500, "internal", INTERNAL)


def install(app: FastAPI, page_error) -> None:
    """Register the handlers; `page_error(request, status, message)` renders an HTML page."""
    app.state.page_error = page_error

    @app.exception_handler(OtklikError)
    async def domain_error(request: Request, exc: OtklikError) -> Response:
        status, error = classify(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
        return respond(request, status, error, str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return respond(request, 422, "invalid", _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = HTTP_MESSAGES.get(exc.status_code, "Ошибка запроса")
        response = respond(request, exc.status_code, "http_error", message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(DataError)
    async def bad_data(request: Request, exc: DataError) -> Response:
        # The database refused a value the request carried (a NUL character, a number
        # out of range): the client's input, not a server fault.
        log.info("data refused by the store on %s: %s", request.url.path, exc.orig)
        return respond(
            request, 422, "invalid", "Недопустимые данные в запросе (например, нулевой символ)"
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def store_down(request: Request, exc: Exception) -> Response:
        # SQLite's busy timeout ran out behind another writer, PostgreSQL went away or
        # refused the connection, or the pool had no connection to give: the store, not
        # the request, is at fault, and it is usually back in a moment.
        log.warning("store unavailable on %s %s: %s", request.method, request.url.path, exc)
        return respond(request, 503, "store_unavailable", STORE_UNAVAILABLE)

    @app.exception_handler(DBAPIError)
    async def store_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:  # the connection died under the statement
            return await store_down(request, exc)
        log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
        return respond(request, 500, "internal", INTERNAL)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Reached only by errors outside the routes (the app's middleware answers the
        # others itself); Starlette re-raises these, and the server then closes the connection.
        return internal_error(request)
