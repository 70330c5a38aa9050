"""VK keyword and geo search: time windows so that the 1,000-result cap loses nothing."""

from __future__ import annotations

import pytest
from collect_servers.harness import collect, make_settings, now_ts, source_row, stored
from collect_servers.vk import SEARCH_CAP, TOKEN, VkServer, post

from monitor.store import make_engine

HOUR = 3600


@pytest.fixture
def vk(monkeypatch):
    """A VK server with profiles for search results."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.add_profile(1001, "Анна", "Петрова", followers=80)
        yield server


def search_settings(tmp_path, url, server, source=None, **collectors):
    source = source or {
        "name": "vk-search",
        "kind": "vk",
        "keywords": ["нет воды"],
        "territory": "Белгород",
    }
    collectors = {"vk": {"base_url": server.url + "/method/", **collectors}}
    return make_settings(tmp_path, url, [source], collectors)


def test_a_window_with_more_than_the_cap_is_read_whole(vk, tmp_path, sqlite_url):
    newest = now_ts() - 120
    for index in range(2500):  # 2.5 times the cap, within a few hours
        vk.search_posts.append(
            post(1001, 10_000 + index, newest - index * 5, f"опять нет воды, дом {index}")
        )
    vk.search_posts.append(post(1001, 9, newest, "всё хорошо, вода есть"))
    settings = search_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["vk-search"]

    posts = stored(engine)
    assert report.error is None
    assert len(posts) == 2500 and "vk:1001_9" not in posts
    assert posts["vk:1001_10000"].author_name == "Анна Петрова"
    assert posts["vk:1001_10000"].territory_hint == "Белгород"
    calls = vk.calls("newsfeed.search")
    assert all(int(call["count"]) <= 200 for call in calls)
    assert len({call["end_time"] for call in calls}) >= 3  # the window's end moved down twice
    assert max(int(c.get("start_from") or 0) for c in calls) < SEARCH_CAP


def test_the_next_search_starts_where_the_last_ended(vk, tmp_path, sqlite_url):
    vk.search_posts.append(post(1001, 1, now_ts() - 2 * HOUR, "нет воды на Ленина"))
    settings = search_settings(tmp_path, sqlite_url, vk, search_window_hours=6)
    engine = make_engine(sqlite_url)
    collect(settings, engine)
    until = source_row(engine, "vk-search").cursor["until"]
    assert until >= now_ts() - 60
    first_windows = len(vk.calls("newsfeed.search"))
    assert first_windows == 12  # 72 hours of backfill in windows of 6 hours
    vk.search_posts.append(post(1001, 2, now_ts(), "снова нет воды"))

    report = collect(settings, engine)["vk-search"]

    assert report.inserted == 1 and len(stored(engine)) == 2
    later = vk.calls("newsfeed.search")[first_windows:]
    assert min(int(call["start_time"]) for call in later) < until - 47 * HOUR  # refreshed
    assert max(int(call["end_time"]) for call in later) >= until


def test_geo_search_sends_the_point_and_every_keyword(vk, tmp_path, sqlite_url):
    vk.search_posts.append(post(1001, 5, now_ts() - HOUR, "Прорыв трубы, нет воды"))
    source = {
        "name": "vk-geo",
        "kind": "vk",
        "keywords": ["прорыв", "нет воды"],
        "geo": {"latitude": 50.6, "longitude": 36.6},
    }
    settings = search_settings(tmp_path, sqlite_url, vk, source, search_window_hours=72)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["vk-geo"]

    calls = vk.calls("newsfeed.search")
    assert {call["q"] for call in calls} == {"прорыв", "нет воды"}
    assert {(call["latitude"], call["longitude"]) for call in calls} == {("50.6", "36.6")}
    assert report.fetched == 2 and report.inserted == 1  # found twice, stored once
