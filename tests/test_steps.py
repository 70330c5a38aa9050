"""The embedded scheduler runs the same steps as the workers: leases and step records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from collect_servers.harness import make_settings, now_ts
from collect_servers.rss import Feed, Item, RssServer
from sqlalchemy import func, select

from monitor.context import Context
from monitor.scheduler import Scheduler
from monitor.store.claims import acquire_lease, release_lease, step_history
from monitor.store.tables import posts


@pytest.fixture
def ctx(tmp_path, db_url):
    """A context with one feed source on either database."""
    with RssServer() as news:
        news.feeds["/rss"] = Feed("Лента", [Item("a", "Раз", "", now_ts())])
        source = {"name": "feed", "kind": "rss", "address": news.url + "/rss", "poll_minutes": 15}
        context = Context(make_settings(tmp_path, db_url, [source], {"cycle_seconds": 0.01}))
        yield context
        context.engine.dispose()


def _stored(ctx) -> int:
    with ctx.db.connect() as connection:
        return connection.execute(select(func.count()).select_from(posts)).scalar_one()


def test_a_source_a_worker_holds_is_not_collected_by_run(ctx):
    now = datetime.now(UTC)
    assert acquire_lease(ctx.db, "collect:feed", "a-worker", now=now, seconds=600)
    seen: list = []
    Scheduler(ctx, process=None, tick=None, on_source=seen.append).run(max_cycles=1)
    assert seen == [] and _stored(ctx) == 0
    release_lease(ctx.db, "collect:feed", "a-worker")
    Scheduler(ctx, process=None, tick=None, on_source=seen.append).run(max_cycles=1)
    assert [report.inserted for report in seen] == [1] and _stored(ctx) == 1


def test_every_step_run_is_recorded_with_its_failures(ctx):
    def broken(_ctx):
        raise RuntimeError("model file is missing")

    quiet = {"reactions": None, "official": None, "purge": None, "risks": None}
    Scheduler(ctx, process=broken, tick=lambda c: None, **quiet).run(max_cycles=2)
    with ctx.db.connect() as connection:
        steps = {row["step"]: row for row in step_history(connection)}
    assert set(steps) == {"collect", "process", "tick"}
    assert (steps["tick"]["runs"], steps["tick"]["last_status"]) == (2, "ok")
    process = steps["process"]
    assert (process["runs"], process["failures"], process["consecutive_failures"]) == (2, 2, 2)
    assert process["last_status"] == "failed"
    assert "model file is missing" in process["last_error"]
    Scheduler(ctx, process=lambda c: None, tick=None).run(max_cycles=1)
    with ctx.db.connect() as connection:
        process = {row["step"]: row for row in step_history(connection)}["process"]
    assert (process["runs"], process["failures"], process["consecutive_failures"]) == (3, 2, 0)
