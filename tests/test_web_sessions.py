"""Server-side sessions: logging out, a new password or a lock ends a session at once, in
every server process; the store keeps only a hash of the cookie's token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import inspect, select

from monitor.context import Context
from monitor.store import make_engine, upgrade
from monitor.store.tables import web_sessions
from monitor.web import create_app
from monitor.web.session_store import TOUCH_EVERY, session_id
from monitor.web.sessions import COOKIE
from monitor.web.users import set_active, set_password, user_by_name
from tests.web_helpers import act, build_store, cheap_hashing, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")
USERS = {"officer": ("officer", None), "admin": ("admin", None)}


@pytest.fixture
def store(db_url):
    web = build_store(db_url, users=USERS)
    yield web
    web.ctx.engine.dispose()


def _replay(store, cookie: str, ctx: Context | None = None) -> TestClient:
    """Another browser (on another server process when `ctx` is its own) with a stolen cookie."""
    client = TestClient(create_app(ctx or store.ctx, secret="test-secret"))
    client.cookies.set(COOKIE, cookie)
    return client


def _token(cookie: str) -> str:
    return URLSafeTimedSerializer("test-secret", salt="otklik-session").loads(cookie)["t"]


def _incident_status(store, incident_id: int) -> str:
    response = store.api("admin").get(f"/api/incidents/{incident_id}")
    return response.json()["status"]


def test_a_logged_out_cookie_opens_nothing_and_acts_on_nothing(store):
    client = store.client()
    csrf = login(client, "officer")
    old_cookie = client.cookies[COOKIE]
    client.post("/logout", data={"csrf_token": csrf})
    stolen = _replay(store, old_cookie)
    assert stolen.get("/queue", follow_redirects=False).status_code == 303
    incident = store.incidents["vk:1"]
    refused = act(
        _replay(store, old_cookie), csrf, incident, "answer", kind="interim", text="Бригада выехала"
    )
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert _incident_status(store, incident) == "assigned"


def test_logging_out_in_one_server_process_ends_the_session_in_another(store):
    other = Context(store.ctx.settings, now_override=store.ctx.now_override)
    client = store.client()
    csrf = login(client, "officer")
    cookie = client.cookies[COOKIE]
    assert _replay(store, cookie, other).get("/queue").status_code == 200
    client.post("/logout", data={"csrf_token": csrf})
    assert _replay(store, cookie, other).get("/queue", follow_redirects=False).status_code == 303
    other.engine.dispose()


def test_a_new_password_or_a_lock_ends_every_session_of_that_user_only(store):
    officer_phone, officer_desk, admin = store.client(), store.client(), store.client()
    for client, name in ((officer_phone, "officer"), (officer_desk, "officer"), (admin, "admin")):
        login(client, name)
    set_password(store.ctx.db, "officer", "another-password")
    for client in (officer_phone, officer_desk):
        assert client.get("/queue", follow_redirects=False).status_code == 303
    assert admin.get("/queue").status_code == 200

    login(officer_desk, "officer", "another-password")
    set_active(store.ctx.db, "officer", False)
    set_active(store.ctx.db, "officer", True)  # letting them back in revives no session
    assert officer_desk.get("/queue", follow_redirects=False).status_code == 303
    assert admin.get("/queue").status_code == 200


def test_an_admin_locking_a_user_on_the_page_ends_their_session(store):
    officer, admin = store.client(), store.client()
    login(officer, "officer")
    csrf = login(admin, "admin")
    with store.ctx.db.connect() as connection:
        officer_id = user_by_name(connection, "officer").id
    locked = admin.post(
        f"/users/{officer_id}/active", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert locked.status_code == 303
    assert officer.get("/queue", follow_redirects=False).status_code == 303


def test_the_store_keeps_a_hash_and_ends_sessions_after_session_hours(store):
    client = store.client()
    login(client, "officer")
    token = _token(client.cookies[COOKIE])
    with store.ctx.db.connect() as connection:
        row = connection.execute(select(web_sessions)).one()
    assert row.id == session_id(token) and token not in str(tuple(row))
    hours = store.ctx.settings.web.session_hours
    assert row.expires_at - row.created_at == timedelta(hours=hours)
    start = store.ctx.now_override
    store.ctx.now_override = start + timedelta(hours=hours) - timedelta(minutes=1)
    assert client.get("/queue").status_code == 200
    with store.ctx.db.connect() as connection:
        seen = connection.execute(select(web_sessions.c.last_seen_at)).scalar_one()
    assert seen == store.ctx.now_override  # last seen longer than TOUCH_EVERY ago: noted
    store.ctx.now_override += TOUCH_EVERY / 2
    assert client.get("/queue").status_code == 200
    with store.ctx.db.connect() as connection:
        assert connection.execute(select(web_sessions.c.last_seen_at)).scalar_one() == seen
    store.ctx.now_override = start + timedelta(hours=hours, seconds=1)  # the cookie is still valid
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_signing_in_again_ends_the_browsers_previous_session(store):
    client = store.client()
    login(client, "officer")
    first = client.cookies[COOKIE]
    login(client, "admin")
    assert _replay(store, first).get("/queue", follow_redirects=False).status_code == 303
    assert client.get("/queue").status_code == 200
    with store.ctx.db.connect() as connection:
        revoked = connection.execute(
            select(web_sessions.c.revoked_at).where(web_sessions.c.id == session_id(_token(first)))
        ).scalar_one()
    assert revoked is not None


def test_migration_0009_downgrades_and_upgrades(db_url):
    from alembic import command

    from monitor.store.migrate import alembic_config, revision_below

    engine = make_engine(db_url)
    command.downgrade(alembic_config(engine), revision_below("0009"))
    names = set(inspect(engine).get_table_names())
    assert "login_failures" in names and not {"web_sessions", "login_throttle"} & names
    upgrade(engine)
    names = set(inspect(engine).get_table_names())
    assert {"web_sessions", "login_throttle"} <= names and "login_failures" not in names
    engine.dispose()
