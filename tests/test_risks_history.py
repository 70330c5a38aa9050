"""Reach history: one point per read that stored or changed a post, never two; pruning."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from collect_servers.harness import collect, make_settings
from collect_servers.vk import TOKEN, VkServer, post
from sqlalchemy import func, insert, select

import monitor.collectors.runner as runner
from monitor.config import ReachHistorySettings
from monitor.ingest import ingest_file
from monitor.risks.history import load_trajectories, prune_history, reach_series
from monitor.store import make_engine
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import posts, reach_history
from tests.helpers import record

GROUP = 41234567
OWNER = -GROUP
T0 = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)


class Crash(BaseException):
    """Stands for the process dying."""


def points(engine) -> list[tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(posts.c.external_id, reach_history.c.at, reach_history.c.views)
            .join(posts, posts.c.id == reach_history.c.post_id)
            .order_by(posts.c.external_id, reach_history.c.at)
        )
        return [tuple(row) for row in rows]


def test_first_read_and_each_change_append_one_point(db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        source = ensure_source(connection, "vk", "vk")
        store_posts(connection, source, [record("a", views=10), record("b")], collected_at=T0)
    later = T0 + timedelta(minutes=15)
    with engine.begin() as connection:  # the same counters: nothing new to say
        store_posts(connection, source, [record("a", views=10)], collected_at=later)
    with engine.begin() as connection:
        store_posts(
            connection, source, [record("a", views=25)], collected_at=later + timedelta(minutes=15)
        )
    assert points(engine) == [("a", T0, 10), ("a", T0 + timedelta(minutes=30), 25)]
    # "b" came without counters: no point, nothing to draw


def test_ingesting_a_file_twice_appends_nothing_twice(db_url, tmp_path):
    engine = make_engine(db_url)
    path = tmp_path / "posts.jsonl"
    line = {"id": "vk:1", "text": "т", "published_at": "2026-11-16T08:00:00+03:00"}
    path.write_text(json.dumps({**line, "reach": {"views": 40}}) + "\n", encoding="utf-8")
    ingest_file(engine, path, now=T0)
    ingest_file(engine, path, now=T0 + timedelta(hours=1))
    assert [p[2] for p in points(engine)] == [40]
    path.write_text(json.dumps({**line, "reach": {"views": 90}}) + "\n", encoding="utf-8")
    ingest_file(engine, path, now=T0 + timedelta(hours=2))
    assert points(engine) == [("vk:1", T0, 40), ("vk:1", T0 + timedelta(hours=2), 90)]


def test_a_failed_ingest_leaves_no_point(db_url, tmp_path):
    engine = make_engine(db_url)
    path = tmp_path / "posts.jsonl"
    good = {"id": "vk:1", "text": "т", "published_at": "2026-11-16T08:00:00+03:00"}
    path.write_text(json.dumps({**good, "reach": {"views": 5}}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(Exception, match="строка 2"):
        ingest_file(engine, path, now=T0)
    assert points(engine) == []


@pytest.fixture
def vk(monkeypatch):
    """A VK wall of 150 recent posts (two pages), each with 100 views."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.add_group(GROUP, "Группа", 100)
        newest = int(datetime.now(UTC).timestamp()) - 60
        for number in range(1, 151):
            server.walls[OWNER].append(post(OWNER, number, newest - (150 - number) * 60, "т"))
        yield server


def vk_settings(server, tmp_path, db_url):
    return make_settings(
        tmp_path,
        db_url,
        [{"name": "vk", "kind": "vk", "address": str(GROUP), "comments": False}],
        {"vk": {"base_url": server.url + "/method/"}},
    )


def history_counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count(), func.count(reach_history.c.post_id.distinct()))
        ).one()


def test_each_collector_read_appends_once_per_changed_post(vk, tmp_path, db_url):
    settings, engine = vk_settings(vk, tmp_path, db_url), make_engine(db_url)
    collect(settings, engine)
    assert history_counts(engine) == (150, 150)
    collect(settings, engine)  # re-read within refresh_hours, nothing changed
    assert history_counts(engine) == (150, 150)
    for item in vk.walls[OWNER][:10]:
        item["views"]["count"] += 50
    report = collect(settings, engine)["vk"]
    assert report.refreshed == 10
    assert history_counts(engine) == (160, 150)


def test_a_crash_inside_the_commit_appends_no_point(vk, tmp_path, db_url, monkeypatch):
    settings, engine = vk_settings(vk, tmp_path, db_url), make_engine(db_url)
    collect(settings, engine)
    for item in vk.walls[OWNER]:
        item["views"]["count"] += 7
    real_store = runner.store_posts

    def store_then_crash(*args, **kwargs):
        real_store(*args, **kwargs)
        raise Crash  # posts and points written, cursor not yet: all must be undone

    monkeypatch.setattr(runner, "store_posts", store_then_crash)
    with pytest.raises(Crash):
        collect(settings, engine)
    assert history_counts(engine) == (150, 150)
    monkeypatch.setattr(runner, "store_posts", real_store)
    collect(settings, engine)
    assert history_counts(engine) == (300, 150)
    collect(settings, engine)  # the repeat after recovery adds nothing
    assert history_counts(engine) == (300, 150)


def test_a_crash_between_pages_keeps_the_first_page_once(vk, tmp_path, db_url, monkeypatch):
    settings, engine = vk_settings(vk, tmp_path, db_url), make_engine(db_url)
    real_commit = runner.commit_batch
    commits = []

    def crashing_commit(connection, source_id, batch, **kwargs):
        if commits:
            raise Crash
        commits.append(batch)
        return real_commit(connection, source_id, batch, **kwargs)

    monkeypatch.setattr(runner, "commit_batch", crashing_commit)
    with pytest.raises(Crash):
        collect(settings, engine)
    assert history_counts(engine) == (100, 100)
    monkeypatch.setattr(runner, "commit_batch", real_commit)
    collect(settings, engine)  # re-reads the first page: unchanged, so no second point
    assert history_counts(engine) == (150, 150)


def _seed(engine, published: datetime, minutes: list[int]) -> int:
    with engine.begin() as connection:
        source = ensure_source(connection, "s", "vk")
        store_posts(
            connection, source, [record("p", at=published.isoformat())], collected_at=published
        )
        post_id = connection.execute(select(posts.c.id)).scalar_one()
        connection.execute(
            insert(reach_history),
            [
                {"post_id": post_id, "at": published + timedelta(minutes=m), "views": m}
                for m in minutes
            ],
        )
    return post_id


def test_prune_thins_old_points_and_drops_expired_ones(db_url):
    engine = make_engine(db_url)
    settings = ReachHistorySettings(full_days=3, downsample_hours=6, retention_days=30)
    published = T0 - timedelta(days=5)
    post_id = _seed(engine, published, list(range(15, 48 * 60 + 1, 15)))  # 48 h of reads
    now = T0
    with engine.begin() as connection:
        report = prune_history(connection, settings, now)
    with engine.connect() as connection:
        kept = [p.views for p in reach_series(connection, [post_id])[post_id]]
    # the first read, then the latest read in each 6-hour step of the post's age
    assert kept == [15, 345, 705, 1065, 1425, 1785, 2145, 2505, 2865, 2880]
    assert report.thinned == 192 - 10 and report.dropped == 0
    with engine.begin() as connection:
        again = prune_history(connection, settings, now)
    assert (again.thinned, again.dropped) == (0, 0)
    with engine.begin() as connection:
        late = prune_history(connection, settings, now + timedelta(days=40))
    assert late.dropped == 10
    with engine.connect() as connection:
        assert reach_series(connection, [post_id])[post_id] == []


def test_recent_points_are_kept_whole_and_read_as_trajectories(db_url):
    engine = make_engine(db_url)
    published = T0 - timedelta(hours=5)
    post_id = _seed(engine, published, [15, 30, 45, 60])
    with engine.begin() as connection:
        prune_history(connection, ReachHistorySettings(), T0)
    with engine.connect() as connection:
        (trajectory,) = load_trajectories(connection, T0 - timedelta(hours=24))
    assert trajectory.post_id == post_id
    assert trajectory.values == [15, 30, 45, 60]
    assert trajectory.published_at == published.timestamp()
