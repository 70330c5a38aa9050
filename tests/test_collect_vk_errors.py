"""Every class of VK error: retried with a bound, parked for the day, unavailable, alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from collect_servers.harness import alerts, collect, make_settings, now_ts, source_row, stored
from collect_servers.vk import TOKEN, VkServer, post

from monitor.store import make_engine

GROUP = 57219804
OWNER = -GROUP


@pytest.fixture
def vk(monkeypatch):
    """A VK server with a community of three posts."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.add_group(GROUP, "Инцидент Белгород", 212000)
        for number in (1, 2, 3):
            server.walls[OWNER].append(post(OWNER, number, now_ts() - 600 + number, "текст"))
        yield server


@pytest.fixture
def setup(vk, tmp_path, sqlite_url):
    """Settings with the community and a second, healthy source; and the engine."""
    sources = [
        {"name": "vk-incident", "kind": "vk", "address": str(GROUP), "poll_minutes": 10},
        {"name": "vk-other", "kind": "vk", "address": "club777"},
    ]
    vk.add_group(777, "Другая группа", 10)
    vk.walls[-777].append(post(-777, 1, now_ts() - 60, "другая"))
    settings = make_settings(
        tmp_path, sqlite_url, sources, {"vk": {"base_url": vk.url + "/method"}}
    )
    return settings, make_engine(sqlite_url)


@pytest.mark.parametrize("code", [6, 9, 10])
def test_rate_errors_are_retried_and_then_succeed(vk, setup, code):
    settings, engine = setup
    vk.fail("wall.get", code, times=2)

    report = collect(settings, engine, ["vk-incident"])["vk-incident"]

    assert report.error is None and report.inserted == 3
    assert len(vk.calls("wall.get")) == 3


def test_rate_errors_that_do_not_stop_fail_the_poll_after_the_bound(vk, setup):
    settings, engine = setup
    vk.fail("wall.get", 6, times=50, owner=OWNER)

    reports = collect(settings, engine)

    assert reports["vk-incident"].status == "failing"
    assert len([c for c in vk.calls("wall.get") if c.get("owner_id") == str(OWNER)]) == 3
    row = source_row(engine, "vk-incident")
    assert row.consecutive_failures == 1 and "ошибка 6" in row.last_error
    assert row.next_poll_at > row.last_error_at
    assert reports["vk-other"].inserted == 1  # one failing source never stops the others
    again = collect(settings, engine, ["vk-incident"])["vk-incident"]
    assert again.status == "failing"
    assert source_row(engine, "vk-incident").consecutive_failures == 2


def test_daily_quota_parks_the_source_until_the_next_day(vk, setup):
    settings, engine = setup
    vk.fail("wall.get", 29)

    report = collect(settings, engine, ["vk-incident"])["vk-incident"]

    row = source_row(engine, "vk-incident")
    assert report.status == row.status == "parked"
    assert len(vk.calls("wall.get")) == 1  # not retried today
    moscow = datetime.now(ZoneInfo("Europe/Moscow"))
    midnight = (moscow + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert row.parked_until == midnight and row.next_poll_at == midnight
    skipped = collect(settings, engine)["vk-incident"]
    assert skipped.status == "parked" and skipped.parked_until == midnight
    assert len([c for c in vk.calls("wall.get") if c.get("owner_id") == str(OWNER)]) == 1


@pytest.mark.parametrize("code", [15, 18, 30, 203])
def test_closed_or_deleted_sources_are_marked_unavailable(vk, setup, code):
    settings, engine = setup
    vk.fail("wall.get", code)

    report = collect(settings, engine)["vk-incident"]

    row = source_row(engine, "vk-incident")
    assert report.status == row.status == "unavailable"
    assert len(vk.calls("wall.get")) == 2  # one for each source, none retried
    assert row.next_poll_at - row.last_error_at == timedelta(hours=24)
    assert alerts(engine) == []


@pytest.mark.parametrize("code", [5, 14, 17])
def test_what_needs_a_person_raises_one_alert(vk, setup, code):
    settings, engine = setup
    vk.fail("wall.get", code, times=2)

    report = collect(settings, engine, ["vk-incident"])["vk-incident"]

    assert report.status == "needs_operator"
    found = alerts(engine)
    assert len(found) == 1
    assert found[0].incident_id is None
    assert found[0].payload["source"] == "vk-incident"
    assert f"ошибка {code}" in found[0].payload["error"]
    collect(settings, engine, ["vk-incident"])
    assert len(alerts(engine)) == 1  # the same problem again: no second alert
    collect(settings, engine, ["vk-incident"])
    assert source_row(engine, "vk-incident").status == "active"


def test_a_missing_token_needs_a_person(vk, setup, monkeypatch):
    settings, engine = setup
    monkeypatch.delenv("OTKLIK_VK_TOKEN")

    report = collect(settings, engine, ["vk-incident"])["vk-incident"]

    assert report.status == "needs_operator" and "OTKLIK_VK_TOKEN" in report.error
    assert vk.requests == []
    assert "OTKLIK_VK_TOKEN" in alerts(engine)[0].payload["error"]


def test_a_request_bug_is_not_retried(vk, setup):
    settings, engine = setup
    vk.fail("wall.get", 100)

    report = collect(settings, engine, ["vk-incident"])["vk-incident"]

    assert report.status == "failing" and len(vk.calls("wall.get")) == 1
    assert stored(engine) == {}
