"""`otklik collect` and `otklik sources` against local servers, as a user runs them."""

from __future__ import annotations

import json

import pytest
from collect_servers.harness import now_ts, write_config
from collect_servers.rss import Feed, Item, RssServer
from collect_servers.telegram import Channel, Message, TelegramServer
from helpers import run_cli


@pytest.fixture
def servers():
    """A feed with two entries and a channel whose preview is gone."""
    with RssServer() as news, TelegramServer() as tg:
        news.feeds["/rss"] = Feed(
            "Лента", [Item("a", "Раз", "", now_ts()), Item("b", "Два", "", now_ts())]
        )
        tg.channels["gone"] = Channel("gone", "Ушёл", preview=False)
        tg.channels["news"] = Channel("news", "Новости", messages=[Message(1, now_ts(), "т")])
        yield news, tg


@pytest.fixture
def config(servers, tmp_path, sqlite_url):
    """A config with the feed and the channel."""
    news, tg = servers
    sources = [
        {"name": "лента", "kind": "rss", "address": news.url + "/rss"},
        {"name": "tg-gone", "kind": "telegram", "address": "gone"},
        {"name": "tg-off", "kind": "telegram", "address": "news", "enabled": False},
    ]
    return str(write_config(tmp_path, sqlite_url, sources, {"telegram": {"base_url": tg.url}}))


def test_collect_prints_what_each_source_brought(capsys, config):
    result = run_cli(capsys, "collect", "--config", config)

    assert result.code == 0
    assert "лента" in result.out and "нет веб-превью" in result.out
    assert "выключен" in result.out
    assert "Новых постов: 2" in result.out


def test_collect_json_and_one_source(capsys, config):
    result = run_cli(capsys, "collect", "--source", "лента", "--json", "--config", config)

    reports = json.loads(result.out)
    assert [(r["name"], r["inserted"], r["status"]) for r in reports] == [("лента", 2, "active")]
    again = json.loads(
        run_cli(capsys, "collect", "--source", "лента", "--json", "--config", config).out
    )
    assert again[0]["inserted"] == 0 and again[0]["fetched"] == 0  # the feed answered 304


def test_an_unknown_source_is_a_clear_error(capsys, config):
    result = run_cli(capsys, "collect", "--source", "vk-nope", "--config", config)
    assert result.code == 1
    assert "Источник не найден в настройках: vk-nope" in result.err
    assert "Traceback" not in result.err


def test_sources_shows_health(capsys, config):
    run_cli(capsys, "collect", "--config", config)

    listing = json.loads(run_cli(capsys, "sources", "--json", "--config", config).out)

    by_name = {row["name"]: row for row in listing}
    assert by_name["лента"]["status"] == "active" and by_name["лента"]["posts"] == 2
    assert by_name["лента"]["last_success_at"] is not None
    assert by_name["tg-gone"]["status"] == "unavailable"
    assert by_name["tg-gone"]["consecutive_failures"] == 1
    assert "нет веб-превью" in by_name["tg-gone"]["last_error"]
    assert by_name["tg-off"]["status"] == "disabled"
    table = run_cli(capsys, "sources", "--config", config).out
    assert "недоступен" in table and "работает" in table


def test_no_sources_in_config(capsys, tmp_path, sqlite_url):
    config = str(write_config(tmp_path, sqlite_url, []))
    result = run_cli(capsys, "sources", "--config", config)
    assert result.code == 0 and "нет источников" in result.out
