"""Helpers of the web tests: a small store with incidents of two recipients, users, logins."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from monitor.config import load_settings
from monitor.context import Context
from monitor.incidents.grouping import ClassifiedPost, group_post
from monitor.incidents.routing import sync_recipients
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import classifications, posts
from monitor.web import create_app, users
from monitor.web.users import add_user, issue_token
from tests.conftest import CONFIG
from tests.helpers import moment, record

NOW = moment("2026-11-18T12:00:00+03:00")
PASSWORD = "correct-horse-battery"
# (external id, text, sector, risk, territory, hours before now); routing sends
# housing to minzhkh, roads to mindor, waste to regoperator, safety to mchs.
POSTS = (
    ("vk:1", "На улице Ленина в Шебекино третий день нет воды", "housing", "high", "Шебекино", 3),
    (
        "vk:2",
        "Яма на дороге у школы в Губкине, машины бьют колёса",
        "roads",
        "medium",
        "Губкин",
        30,
    ),
    ("vk:3", "Мусор не вывозят во дворе на Мира, контейнеры полные", "waste", "low", "Валуйки", 5),
    ("vk:4", "Пожар в подъезде на Щорса, дым на всех этажах", "safety", "critical", "Белгород", 2),
    (
        "vk:5",
        "В Шебекино на Октябрьской прорвало трубу отопления",
        "housing",
        "medium",
        "Шебекино",
        1,
    ),
)
USERS = {
    "admin": ("admin", None),
    "officer": ("officer", None),
    "analyst": ("analyst", None),
    "zhkh": ("recipient", "minzhkh"),
    "dorogi": ("recipient", "mindor"),
}


@dataclass
class WebStore:
    """A context on a filled store, the incident of each post, and each user's API token."""

    ctx: Context
    incidents: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self) -> TestClient:
        """A test client of a fresh app on this store (no cookies yet)."""
        return TestClient(create_app(self.ctx, secret="test-secret"), raise_server_exceptions=False)

    def api(self, user: str) -> TestClient:
        """A test client that sends the user's API token."""
        client = self.client()
        client.headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return client


def put_post(
    ctx: Context,
    external_id: str,
    text: str,
    sector: str,
    risk: str,
    territory: str | None,
    published: datetime,
    *,
    source: str = "vk-test",
) -> int:
    """Store a post, its classification, and group it as the pipeline would; the incident id."""
    with ctx.db.begin() as connection:
        source_id = ensure_source(connection, source, "vk")
        store_posts(
            connection,
            source_id,
            [
                record(
                    external_id,
                    text,
                    at=published.isoformat(),
                    author=f"a-{external_id}",
                    views=120,
                )
            ],
            collected_at=published,
        )
        row = connection.execute(select(posts).where(posts.c.external_id == external_id)).one()
        connection.execute(
            insert(classifications).values(
                post_id=row.id,
                model_version="test-1",
                relevant=True,
                relevance_proba=0.91,
                sector=sector,
                sector_proba=0.8,
                sector_top=[[sector, 0.8], ["other", 0.15]],
                risk_text=risk,
                risk=risk,
                territory=territory,
                classified_at=published,
                entities=[{"kind": "LOC", "text": territory, "normal": territory}],
            )
        )
        incident_id, _ = group_post(
            connection,
            ctx.settings,
            ClassifiedPost(
                post_id=row.id,
                external_id=row.external_id,
                author_id=row.author_id,
                text=row.text,
                published_at=row.published_at,
                collected_at=row.collected_at,
                parent_external_id=None,
                repost_of_external_id=None,
                relevant=True,
                sector=sector,
                risk=risk,
                risk_text=risk,
                territory=territory,
            ),
            published,
        )
    return incident_id


def build_store(db_url: str, now: datetime | None = NOW, users: dict = USERS) -> WebStore:
    """A store with the POSTS grouped into incidents and the USERS with API tokens."""
    ctx = Context(load_settings(CONFIG, database_url=db_url), now_override=now)
    clock = now or datetime.now(NOW.tzinfo)
    with ctx.db.begin() as connection:
        sync_recipients(connection, ctx.settings)
    store = WebStore(ctx)
    for external_id, text, sector, risk, territory, hours in POSTS:
        store.incidents[external_id] = put_post(
            ctx, external_id, text, sector, risk, territory, clock - timedelta(hours=hours)
        )
    for name, (role, recipient) in users.items():
        add_user(ctx.db, name, role, PASSWORD, now=clock, recipient_code=recipient)
        store.tokens[name] = issue_token(ctx.db, name)
    return store


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def try_login(client: TestClient, name: str, password: str, next_: str = "/queue"):
    """Submit the login form once (with a fresh CSRF token); the response, not followed."""
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token, "next": next_},
        follow_redirects=False,
    )


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the CSRF token of the signed-in session."""
    response = try_login(client, name, password)
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/queue").text)


def act(client: TestClient, csrf: str, incident_id: int, action: str, **fields: str):
    """Submit one action form of the incident page (without following the redirect)."""
    return client.post(
        f"/incidents/{incident_id}/act",
        data={"csrf_token": csrf, "action": action, **fields},
        follow_redirects=False,
    )


@pytest.fixture
def cheap_hashing(monkeypatch):
    """Real argon2 with small costs, so that tests do not spend a second on each password."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def store(db_url):
    """A `WebStore` on the test database (SQLite, and PostgreSQL where configured)."""
    web = build_store(db_url)
    yield web
    web.ctx.engine.dispose()
