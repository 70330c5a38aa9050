"""A locked or vanished store: 503 `store_unavailable` (JSON for the API, a Russian page for
people), never a 500, and the client's keep-alive connection stays open."""

from __future__ import annotations

import http.client
import json
import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from monitor.config import load_settings
from monitor.context import Context
from monitor.web import create_app
from tests.conftest import CONFIG, PG_URL, _postgres_url
from tests.live_server import live_server
from tests.web_helpers import NOW, build_store, cheap_hashing, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")


class Api:
    """One persistent HTTP/1.1 connection to a live server, sending a user's API token."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None):
        """Status, headers and JSON body of one request on the same connection."""
        headers = {"Authorization": f"Bearer {self.token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        data = json.loads(response.read() or b"null")
        assert not response.will_close, "the server closed the keep-alive connection"
        return response.status, response.headers, data


def _app(db_url: str, busy_timeout: float):
    settings = load_settings(CONFIG, database_url=db_url)
    settings.database.busy_timeout_seconds = busy_timeout
    ctx = Context(settings, now_override=NOW)
    return ctx, create_app(ctx, secret="test-secret")


def _unavailable(status, headers, body) -> None:
    assert status == 503
    assert body["error"] == "store_unavailable"
    assert "База данных сейчас недоступна" in body["message"]
    assert headers["Retry-After"]


def test_a_held_sqlite_write_lock_gives_503_and_keeps_the_connection(sqlite_url):
    store = build_store(sqlite_url)
    store.ctx.engine.dispose()
    ctx, app = _app(sqlite_url, busy_timeout=0.3)
    incident = store.incidents["vk:1"]
    answer = {"text": "Бригада выехала", "interim": True}
    holder = sqlite3.connect(make_url(sqlite_url).database, isolation_level=None)
    with live_server(app) as port:
        api = Api(port, store.tokens["officer"])
        assert api.call("GET", "/api/me")[0] == 200
        opened = api.connection.sock
        holder.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's write lock
        try:
            _unavailable(*api.call("POST", f"/api/incidents/{incident}/answer", answer))
            # Readers are not blocked by the writer (WAL): the queue still answers.
            status, _, page = api.call("GET", "/api/incidents?limit=5")
            assert status == 200 and page["total"] == len(store.incidents)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        status, _, done = api.call("POST", f"/api/incidents/{incident}/answer", answer)
        assert status == 200 and done["incident"]["status"] == "in_progress"
        assert api.connection.sock is opened  # one connection throughout
        api.connection.close()
    ctx.engine.dispose()


def test_a_held_sqlite_write_lock_gives_a_russian_page(sqlite_url):
    store = build_store(sqlite_url)
    store.ctx.engine.dispose()
    ctx, app = _app(sqlite_url, busy_timeout=0.3)
    client = TestClient(app, raise_server_exceptions=False)
    csrf = login(client, "officer")
    incident = store.incidents["vk:1"]
    holder = sqlite3.connect(make_url(sqlite_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        page = client.post(
            f"/incidents/{incident}/act",
            data={"csrf_token": csrf, "action": "close"},
            follow_redirects=False,
        )
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert "База данных сейчас недоступна" in page.text
        assert "Traceback" not in page.text and "OperationalError" not in page.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    done = client.post(
        f"/incidents/{incident}/act",
        data={"csrf_token": csrf, "action": "close"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    ctx.engine.dispose()


@pytest.fixture
def postgres_url(request) -> str:
    """A fresh PostgreSQL test database (skipped without OTKLIK_TEST_POSTGRES_URL)."""
    return _postgres_url(request)


@pytest.mark.postgres
def test_a_postgresql_store_that_goes_away_gives_503_then_comes_back(postgres_url):
    """The database is cut off while the server runs: its connections are terminated
    (pg_terminate_backend) and new ones refused; then it is let in again."""
    db_url = postgres_url
    name = make_url(db_url).database
    store = build_store(db_url)
    store.ctx.engine.dispose()
    ctx, app = _app(db_url, busy_timeout=30)
    admin = create_engine(
        make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    incident = store.incidents["vk:2"]
    browser = TestClient(app, raise_server_exceptions=False)
    login(browser, "officer")
    try:
        with live_server(app) as port:
            api = Api(port, store.tokens["officer"])
            assert api.call("GET", f"/api/incidents/{incident}")[0] == 200
            opened = api.connection.sock
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
            _unavailable(*api.call("GET", f"/api/incidents/{incident}"))
            _unavailable(
                *api.call("POST", f"/api/incidents/{incident}/close", {"reason": "проверка"})
            )
            page = browser.get("/queue")
            assert page.status_code == 503 and "База данных сейчас недоступна" in page.text
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            status, _, detail = api.call("GET", f"/api/incidents/{incident}")
            assert status == 200 and detail["status"] == "assigned"
            assert browser.get("/queue").status_code == 200
            assert api.connection.sock is opened
            api.connection.close()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        ctx.engine.dispose()


def test_an_unexpected_error_is_a_500_that_keeps_the_connection(sqlite_url, monkeypatch):
    store = build_store(sqlite_url)
    store.ctx.engine.dispose()
    ctx, app = _app(sqlite_url, busy_timeout=30)

    def broken(*args, **kwargs):
        raise RuntimeError("сломалось")

    monkeypatch.setattr("monitor.web.api_incidents.get_incident", broken)
    with live_server(app) as port:
        api = Api(port, store.tokens["officer"])
        status, _, body = api.call("GET", f"/api/incidents/{store.incidents['vk:1']}")
        assert status == 500 and body["error"] == "internal"
        assert "сломалось" not in body["message"]
        assert api.call("GET", "/api/me")[0] == 200
        api.connection.close()
    ctx.engine.dispose()
