"""The store: migrations match the tables, SQLite is WAL, posts are stored idempotently."""

from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from monitor.store import make_engine
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import metadata, posts
from tests.helpers import record


def test_migrations_create_exactly_the_tables(db_url):
    engine = make_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_sqlite_file_is_plain_wal_database(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        ensure_source(connection, "vk-test", "vk")
    path = sqlite_url.removeprefix("sqlite:///")
    plain = sqlite3.connect(path)
    assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert plain.execute("SELECT name FROM sources").fetchall() == [("vk-test",)]
    import sqlite_utils

    assert "posts" in sqlite_utils.Database(path).table_names()


def test_posts_stored_once_and_reach_refreshed(db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        source_id = ensure_source(connection, "vk-test", "vk")
        first = store_posts(connection, source_id, [record("vk:1", views=10), record("vk:2")])
    with engine.begin() as connection:
        again = store_posts(connection, source_id, [record("vk:1", views=25), record("vk:2")])
        rows = connection.execute(
            select(posts.c.external_id, posts.c.views).order_by(posts.c.external_id)
        ).all()
    assert (first.inserted, again.inserted) == (2, 0)
    assert (again.reach_updated, again.unchanged) == (1, 1)
    assert rows == [("vk:1", 25), ("vk:2", None)]


def test_duplicates_within_one_batch_are_stored_once(db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        source_id = ensure_source(connection, "s", "vk")
        store_posts(connection, source_id, [record("vk:1"), record("vk:1", views=3)])
        count = connection.execute(select(func.count()).select_from(posts)).scalar_one()
    assert count == 1


def test_same_external_id_in_two_sources_is_two_posts(db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        first = ensure_source(connection, "a", "vk")
        second = ensure_source(connection, "b", "vk")
        store_posts(connection, first, [record("vk:1")])
        store_posts(connection, second, [record("vk:1")])
        assert connection.execute(select(func.count()).select_from(posts)).scalar_one() == 2
        assert ensure_source(connection, "a", "vk") == first


def test_case_insensitive_search_folds_cyrillic_on_sqlite(sqlite_url):
    from sqlalchemy import literal

    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(select(literal("НЕТ ВОДЫ").ilike("%нет вод%"))).scalar()
