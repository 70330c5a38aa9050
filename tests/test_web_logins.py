"""The login limit: atomic under truly concurrent requests to a real server, on both
databases, and it delays the guesser's address, not the account's owner elsewhere."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from monitor.web import create_app, users
from tests.live_server import live_server
from tests.web_helpers import PASSWORD, build_store, csrf_of, try_login

ONE_USER = {"officer": ("officer", None), "admin": ("admin", None)}
GUESSES = 40


class CountingHasher(PasswordHasher):
    """Real argon2 with small costs that counts the password checks it makes."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash, password) -> bool:  # noqa: A002  (argon2's own parameter name)
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(users, "_hasher", counting)
    return counting


@pytest.fixture
def store(db_url, hasher):
    web = build_store(db_url, users=ONE_USER)
    yield web
    web.ctx.engine.dispose()


def _form(client, name: str, password: str) -> dict[str, str]:
    token = csrf_of(client.get("/login").text)
    return {"name": name, "password": password, "csrf_token": token, "next": "/queue"}


def test_concurrent_wrong_passwords_get_at_most_the_limit_of_checks(store, hasher):
    """40 wrong passwords for one name sent at once to uvicorn: `login_max_failures`
    password checks, the rest refused with 429 before any check."""
    limit = store.ctx.settings.web.login_max_failures
    app = create_app(store.ctx, secret="test-secret")
    with live_server(app) as port:
        clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(GUESSES)]
        forms = [_form(client, "officer", f"wrong-{n}") for n, client in enumerate(clients)]
        hasher.checks = 0
        start = threading.Barrier(GUESSES)
        statuses: list[int] = []

        def guess(client, form):
            start.wait()
            statuses.append(client.post("/login", data=form).status_code)

        threads = [
            threading.Thread(target=guess, args=pair) for pair in zip(clients, forms, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for client in clients:
            client.close()
    assert hasher.checks == limit
    assert sorted(statuses) == [401] * limit + [429] * (GUESSES - limit)


def test_the_owner_signs_in_from_another_address_while_a_guesser_waits(store):
    app = create_app(store.ctx, secret="test-secret")
    guesser = TestClient(app, client=("203.0.113.5", 40000))
    owner = TestClient(app, client=("198.51.100.7", 40000))
    limit = store.ctx.settings.web.login_max_failures
    for _ in range(limit):
        assert try_login(guesser, "admin", "wrong-password").status_code == 401
    refused = try_login(guesser, "admin", PASSWORD)
    assert refused.status_code == 429
    assert "Слишком много неудачных попыток" in refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert try_login(owner, "admin", PASSWORD).status_code == 303  # the account is not locked
    # The guesser's address may still sign in to another name.
    assert try_login(guesser, "officer", PASSWORD).status_code == 303


def test_delays_grow_per_source_and_are_forgotten_after_the_window(store):
    web = store.ctx.settings.web
    app = create_app(store.ctx, secret="test-secret")
    guesser = TestClient(app, client=("203.0.113.5", 40000))
    start = store.ctx.now()
    waits = []
    moment = start
    for _ in range(web.login_max_failures):
        assert try_login(guesser, "admin", "wrong-password").status_code == 401
    for _ in range(4):
        refused = try_login(guesser, "admin", "wrong-password")
        assert refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        waits.append(wait)
        moment += timedelta(seconds=wait)
        store.ctx.now_override = moment
        assert try_login(guesser, "admin", "wrong-password").status_code == 401
    assert waits == sorted(waits) and waits[0] < waits[-1]
    assert waits[0] == round(web.login_delay_seconds)
    assert max(waits) <= web.login_window_minutes * 60
    # A window of silence forgets the failures: the free attempts come back.
    store.ctx.now_override = moment + timedelta(minutes=web.login_window_minutes, seconds=1)
    assert try_login(guesser, "admin", PASSWORD).status_code == 303


def test_a_success_clears_the_name_and_counts_nothing_against_the_address(store):
    web = store.ctx.settings.web
    app = create_app(store.ctx, secret="test-secret")
    office = TestClient(app, client=("192.0.2.10", 40000))
    for _ in range(web.login_max_failures - 1):
        assert try_login(office, "officer", "wrong-password").status_code == 401
    assert try_login(office, "officer", PASSWORD).status_code == 303
    # The owner got in: their name starts afresh from this address.
    for _ in range(web.login_max_failures - 1):
        assert try_login(office, "officer", "wrong-password").status_code == 401
    assert try_login(office, "officer", PASSWORD).status_code == 303
    # Successful sign-ins from a shared office address never use up its attempts.
    for _ in range(4 * web.login_max_failures):
        assert try_login(office, "admin", PASSWORD).status_code == 303


def test_the_refusal_names_the_wait_in_russian(store):
    app = create_app(store.ctx, secret="test-secret")
    guesser = TestClient(app, client=("203.0.113.5", 40000))
    for _ in range(store.ctx.settings.web.login_max_failures):
        try_login(guesser, "officer", "wrong-password")
    text = try_login(guesser, "officer", "wrong-password").text
    assert re.search(r"Повторите через \d+ (с|мин)", text)
