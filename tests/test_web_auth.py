"""Signing in: argon2 hashes, cookie flags, CSRF on every form, the login limit, sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from monitor.store.tables import users
from monitor.web.users import set_password
from tests.web_helpers import PASSWORD, build_store, cheap_hashing, login, try_login  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")
ONE_USER = {"officer": ("officer", None)}


@pytest.fixture
def store(sqlite_url):
    web = build_store(sqlite_url, users=ONE_USER)
    yield web
    web.ctx.engine.dispose()


def test_pages_need_a_login_and_come_back_after_it(store):
    client = store.client()
    response = client.get("/incidents/1?done=assign", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fincidents%2F1%3Fdone%3Dassign"
    signed_in = try_login(client, "officer", PASSWORD, next_="/incidents/1")
    assert signed_in.headers["location"] == "/incidents/1"


def test_password_is_stored_as_argon2_and_cookie_is_httponly_samesite(store):
    with store.ctx.db.connect() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    response = try_login(store.client(), "officer", PASSWORD)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http on localhost; secure_cookies or https set it


def test_wrong_password_or_unknown_name_is_one_message(store):
    client = store.client()
    for name, password in (("officer", "wrong-password"), ("nobody", PASSWORD)):
        response = try_login(client, name, password)
        assert response.status_code == 401
        assert "Неверное имя пользователя или пароль" in response.text


def test_forms_without_the_csrf_token_are_refused(store):
    client = store.client()
    client.get("/login")
    refused = client.post("/login", data={"name": "officer", "password": PASSWORD})
    assert refused.status_code == 403
    assert "Форма устарела" in refused.text
    csrf = login(client, "officer")
    incident = store.incidents["vk:1"]
    forged = client.post(
        f"/incidents/{incident}/act", data={"action": "close", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert (
        client.get(
            f"/api/incidents/{incident}",
            headers={"Authorization": f"Bearer {store.tokens['officer']}"},
        ).json()["status"]
        == "assigned"
    )
    assert csrf != "forged"


def test_logout_and_password_change_end_the_session(store):
    client = store.client()
    csrf = login(client, "officer")
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).headers[
            "location"
        ]
        == "/login"
    )
    assert client.get("/queue", follow_redirects=False).status_code == 303
    login(client, "officer")
    set_password(store.ctx.db, "officer", "another-password")
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_next_never_leads_to_another_site(store):
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert (
            try_login(store.client(), "officer", PASSWORD, next_=target).headers["location"]
            == "/queue"
        )


def test_forged_cookie_is_ignored(store):
    client = store.client()
    client.cookies.set("otklik_session", "eyJ1IjoxfQ.forged.signature")
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_security_headers(store):
    response = store.client().get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def _behind_proxy(store, trusted: list[str]):
    """Clients whose requests all arrive from one reverse proxy at 10.0.0.2."""
    from fastapi.testclient import TestClient

    from monitor.web import create_app

    store.ctx.settings.web.login_max_failures = 1  # one name: 1 failure; one address: 4
    store.ctx.settings.web.trusted_proxies = trusted
    app = create_app(store.ctx, secret="test-secret")

    def client(forwarded_for: str) -> TestClient:
        made = TestClient(app, client=("10.0.0.2", 40000), raise_server_exceptions=False)
        made.headers["X-Forwarded-For"] = forwarded_for
        return made

    return client


def test_behind_a_trusted_proxy_the_login_limit_counts_each_client(store):
    """One guesser behind the centre's proxy locks only their own address, not the office."""
    client = _behind_proxy(store, ["10.0.0.0/24"])
    guesser = client("203.0.113.5")
    for name in ("a", "b", "c", "d"):
        assert try_login(guesser, name, "wrong-password").status_code == 401
    assert try_login(guesser, "officer", PASSWORD).status_code == 429
    assert try_login(client("203.0.113.9"), "officer", PASSWORD).status_code == 303


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(store):
    """A forged X-Forwarded-For from an untrusted peer does not escape the limit."""
    client = _behind_proxy(store, [])
    for number, name in enumerate(("a", "b", "c", "d")):
        assert try_login(client(f"198.51.100.{number}"), name, "wrong-password").status_code == 401
    assert try_login(client("198.51.100.200"), "officer", PASSWORD).status_code == 429


def test_trusted_proxies_must_be_addresses():
    from pydantic import ValidationError

    from monitor.config import WebSettings

    assert WebSettings(trusted_proxies=["127.0.0.1", "10.0.0.0/8", "::1"]).trusted_proxies
    with pytest.raises(ValidationError, match="not an IP address"):
        WebSettings(trusted_proxies=["proxy.local"])
