"""The scheduler's cycle: collect what is due, process, check deadlines; failures and stops."""

from __future__ import annotations

import sys

import pytest
from collect_servers.harness import make_settings, now_ts, source_row
from collect_servers.rss import Feed, Item, RssServer

from monitor.context import Context
from monitor.scheduler import Scheduler, deadline_tick


@pytest.fixture
def ctx(tmp_path, sqlite_url):
    """A context with one feed source, polled every 15 minutes, and a short cycle."""
    with RssServer() as news:
        news.feeds["/rss"] = Feed("Лента", [Item("a", "Раз", "", now_ts())])
        source = {"name": "feed", "kind": "rss", "address": news.url + "/rss", "poll_minutes": 15}
        settings = make_settings(tmp_path, sqlite_url, [source], {"cycle_seconds": 0.01})
        context = Context(settings)
        yield context
        context.engine.dispose()


def test_a_cycle_collects_what_is_due_then_processes_then_checks_deadlines(ctx):
    steps: list = []
    scheduler = Scheduler(
        ctx,
        process=lambda c: steps.append("process"),
        tick=lambda c: steps.append("tick"),
        on_source=lambda report: steps.append((report.name, report.inserted)),
    )

    scheduler.run(max_cycles=2)

    # the second cycle finds nothing due: the feed waits its 15 minutes
    assert steps == [("feed", 1), "process", "tick", "process", "tick"]
    row = source_row(ctx.engine, "feed")
    assert (row.next_poll_at - row.last_success_at).total_seconds() == 15 * 60


def test_a_failing_step_is_logged_and_the_cycle_goes_on(ctx, caplog):
    steps: list = []

    def broken(_ctx):
        raise RuntimeError("model file is missing")

    scheduler = Scheduler(ctx, process=broken, tick=lambda c: steps.append("tick"))
    scheduler.run(max_cycles=2)

    assert steps == ["tick", "tick"]
    assert "process failed" in caplog.text and "model file is missing" in caplog.text


def test_a_stop_request_ends_the_run_after_the_current_step(ctx):
    steps: list = []
    scheduler = Scheduler(
        ctx,
        process=lambda c: steps.append("process"),
        tick=lambda c: steps.append("tick"),
    )
    scheduler.on_source = lambda report: (steps.append(report.name), scheduler.stop.set())

    scheduler.run()  # no cycle limit: only the stop request ends it

    assert steps == ["feed"] and scheduler.cycles == 1


def test_deadline_checks_are_optional_while_their_module_is_missing(monkeypatch):
    assert deadline_tick() is not None
    monkeypatch.setitem(sys.modules, "monitor.incidents.deadlines", None)
    assert deadline_tick() is None
