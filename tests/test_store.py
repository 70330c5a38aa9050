"""The store: migrations match the tables, SQLite is WAL, posts are stored idempotently."""

from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select, text

from monitor.store import make_engine
from monitor.store.posts import ensure_source, store_posts
from monitor.store.search import FTS_TABLE, TRGM_INDEX, TRIGGER_NAMES, include_name
from monitor.store.tables import metadata, posts
from tests.helpers import record


def test_migrations_create_exactly_the_tables(db_url):
    engine = make_engine(db_url)
    with engine.connect() as connection:
        # The same filter as migrations/env.py: the search index is outside the tables.
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrations_create_the_title_search_index(db_url):
    engine = make_engine(db_url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            names = set(
                connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
                ).scalars()
            )
            assert {FTS_TABLE, *TRIGGER_NAMES} <= names
        else:
            assert connection.execute(
                text("SELECT 1 FROM pg_indexes WHERE indexname = :name"), {"name": TRGM_INDEX}
            ).first()


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


def test_migration_0002_backfills_sources_and_search_and_downgrades(db_url):
    from alembic import command

    from monitor.incidents.queue import QueueFilter, list_incidents
    from monitor.store import upgrade
    from monitor.store.migrate import alembic_config, current_revision, head_revision
    from monitor.store.tables import incident_posts, incident_sources, incidents, utcnow

    engine = make_engine(db_url)
    command.downgrade(alembic_config(engine), "0001")
    assert "incident_sources" not in inspect(engine).get_table_names()
    now = utcnow()
    with engine.begin() as connection:
        first, second = ensure_source(connection, "a", "vk"), ensure_source(connection, "b", "ok")
        store_posts(connection, first, [record("vk:1"), record("vk:2")])
        store_posts(connection, second, [record("ok:1")])
        post_of = dict(connection.execute(select(posts.c.external_id, posts.c.id)).all())
        for number, title in ((1, "НЕТ ВОДЫ на Ленина"), (2, "Яма на дороге")):
            connection.execute(
                insert(incidents).values(
                    id=number,
                    title=title,
                    sector="housing",
                    risk="high",
                    created_at=now,
                    updated_at=now,
                    last_post_at=now,
                )
            )
        connection.execute(
            insert(incident_posts),
            [
                {"incident_id": 1, "post_id": post_of["vk:1"], "role": "origin", "added_at": now},
                {"incident_id": 1, "post_id": post_of["ok:1"], "role": "repost", "added_at": now},
                {"incident_id": 2, "post_id": post_of["vk:2"], "role": "origin", "added_at": now},
            ],
        )
    upgrade(engine)
    with engine.connect() as connection:
        assert current_revision(engine) == head_revision()  # 0002 and what follows it
        assert set(connection.execute(select(incident_sources))) == {
            (1, first),
            (1, second),
            (2, first),
        }
        found = list_incidents(connection, QueueFilter(search="нет вод", status="all"), now)
        assert [row["id"] for row in found] == [1]
    command.downgrade(alembic_config(engine), "0001")
    names = set(inspect(engine).get_table_names())
    assert "incident_sources" not in names and "incidents_fts" not in names
    upgrade(engine)
    engine.dispose()
