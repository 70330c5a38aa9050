"""Storing posts in batches: counts, stored values and ids agree on SQLite and PostgreSQL.

PostgreSQL takes new rows by COPY and looks known ones up per key (monitor/store/posts.py);
these tests hold that path to what the plain one does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError

from monitor.records import Author, PostRecord, Reach
from monitor.store import make_engine
from monitor.store.posts import BATCH, ensure_source, store_posts
from monitor.store.tables import posts
from tests.helpers import record

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


def post(number: int, **reach: int | None) -> PostRecord:
    """A post with every optional field set, so that each column is written."""
    return PostRecord(
        external_id=f"vk:{number}",
        network="vk",
        text=f"текст\tс табуляцией\\ и\nпереводом строки {number}\x00",
        published_at=datetime(2026, 11, 16, 10, 0, tzinfo=UTC),
        author=Author(id=f"u{number % 3}", name="Житель", audience=number),
        reach=Reach(**reach),
        url=f"https://vk.com/wall-1_{number}",
        parent_id="vk:0",
        repost_of="vk:00",
        territory="Центральный",
        raw={"id": number, "вложено": [1, None, "ё"]},
    )


def test_every_column_is_stored_as_given(db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        source_id = ensure_source(connection, "s", "vk")
        store_posts(
            connection, source_id, [post(7, views=5, likes=None, comments=0)], collected_at=NOW
        )
        row = connection.execute(select(posts)).mappings().one()
    assert {key: value for key, value in row.items() if key != "id"} == {
        "source_id": source_id,
        "external_id": "vk:7",
        "network": "vk",
        "url": "https://vk.com/wall-1_7",
        "author_id": "u1",
        "author_name": "Житель",
        "author_audience": 7,
        "published_at": datetime(2026, 11, 16, 10, 0, tzinfo=UTC),
        "collected_at": NOW,
        "text": "текст\tс табуляцией\\ и\nпереводом строки 7",
        "parent_external_id": "vk:0",
        "repost_of_external_id": "vk:00",
        "territory_hint": "Центральный",
        "views": 5,
        "likes": None,
        "reposts": None,
        "comments": 0,
        "reach_updated_at": None,
        "raw": {"id": 7, "вложено": [1, None, "ё"]},
    }


def test_many_batches_count_and_refresh_like_one(db_url):
    engine = make_engine(db_url)
    total = 2 * BATCH + 500
    first = [post(n, views=n) for n in range(total)]
    with engine.begin() as connection:
        source_id = ensure_source(connection, "s", "vk")
        # A post repeated in a later batch of the same call is known by then.
        stored = store_posts(connection, source_id, first + first[:10], collected_at=NOW)
    assert (stored.inserted, stored.reach_updated, stored.unchanged) == (total, 0, 10)
    again = [post(n, views=n + (n % 3 == 0), likes=None) for n in range(total)]
    with engine.begin() as connection:
        refreshed = store_posts(connection, source_id, again, collected_at=LATER)
        rows = connection.execute(
            select(posts.c.external_id, posts.c.views, posts.c.reach_updated_at)
        ).all()
    changed = sum(1 for n in range(total) if n % 3 == 0)
    assert (refreshed.inserted, refreshed.reach_updated) == (0, changed)
    assert refreshed.unchanged == total - changed
    by_id = {external_id: (views, stamp) for external_id, views, stamp in rows}
    assert by_id["vk:3"] == (4, LATER) and by_id["vk:4"] == (4, None)


def test_known_posts_spend_no_ids(db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        source_id = ensure_source(connection, "s", "vk")
        store_posts(connection, source_id, [record(f"vk:{n}") for n in range(5)])
    for _ in range(3):
        with engine.begin() as connection:
            store_posts(connection, source_id, [record(f"vk:{n}") for n in range(5)])
    with engine.begin() as connection:
        store_posts(connection, source_id, [record("vk:new")])
        top = connection.execute(select(func.max(posts.c.id))).scalar_one()
    assert top == 6


def test_a_bad_row_fails_the_batch_as_a_store_error(db_url):
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite does not check the length of a VARCHAR")
    engine = make_engine(db_url)
    with pytest.raises(DataError), engine.begin() as connection:
        source_id = ensure_source(connection, "s", "vk")
        store_posts(connection, source_id, [record("vk:1"), record("x" * 301)])
    with engine.begin() as connection:
        assert connection.execute(select(func.count()).select_from(posts)).scalar_one() == 0
        # The pooled connection is still usable after the failed COPY.
        store_posts(connection, ensure_source(connection, "s", "vk"), [record("vk:1")])
