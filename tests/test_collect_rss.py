"""RSS feeds: conditional requests with ETag and Last-Modified, encodings, broken feeds."""

from __future__ import annotations

import pytest
from collect_servers.harness import collect, make_settings, now_ts, source_row, stored
from collect_servers.rss import Feed, Item, RssServer

from monitor.store import make_engine


@pytest.fixture
def news():
    """A news site with one feed of three entries."""
    with RssServer() as server:
        server.feeds["/rss.xml"] = Feed(
            "БелПресса",
            [
                Item("n1", "Отключат воду", "<p>В Белгороде <b>отключат</b> воду</p>", now_ts()),
                Item("n2", "Ремонт дороги", "На Щорса ремонт", now_ts() - 3600),
                Item(None, "Без guid", "ссылка вместо id", None, link="http://news.example/3"),
            ],
        )
        yield server


def rss_settings(tmp_path, url, server, path="/rss.xml"):
    source = {"name": "belpressa", "kind": "rss", "address": server.url + path}
    return make_settings(tmp_path, url, [{**source, "territory": "Белгород"}])


def test_a_feed_is_stored_then_asked_for_conditionally(news, tmp_path, sqlite_url):
    settings = rss_settings(tmp_path, sqlite_url, news)
    engine = make_engine(sqlite_url)

    first = collect(settings, engine)["belpressa"]

    posts = stored(engine)
    assert first.inserted == 3
    assert posts["rss:n1"].text == "Отключат воду\n\nВ Белгороде отключат воду"
    assert posts["rss:n1"].author_name == "БелПресса"
    assert posts["rss:http://news.example/3"].url == "http://news.example/3"
    assert source_row(engine, "belpressa").cursor["etag"].startswith('"')

    second = collect(settings, engine)["belpressa"]
    assert second.fetched == 0 and news.not_modified == 1
    assert (
        news.requests[-1].headers["if-none-match"] == source_row(engine, "belpressa").cursor["etag"]
    )

    news.feeds["/rss.xml"].items.insert(0, Item("n4", "Новое", "новость", now_ts()))
    third = collect(settings, engine)["belpressa"]
    assert third.inserted == 1 and len(stored(engine)) == 4


def test_a_feed_in_windows_1251_is_decoded(news, tmp_path, sqlite_url):
    news.feeds["/cp.xml"] = Feed(
        "Районка", [Item("r1", "Прорыв трубы", "Улица Ленина", now_ts())], encoding="windows-1251"
    )
    settings = rss_settings(tmp_path, sqlite_url, news, "/cp.xml")
    engine = make_engine(sqlite_url)
    collect(settings, engine)
    assert stored(engine)["rss:r1"].text == "Прорыв трубы\n\nУлица Ленина"


def test_a_broken_feed_fails_the_source_and_keeps_the_store(news, tmp_path, sqlite_url):
    news.raw["/broken.xml"] = b"<html><body>502 Bad Gateway"
    settings = rss_settings(tmp_path, sqlite_url, news, "/broken.xml")
    engine = make_engine(sqlite_url)
    report = collect(settings, engine)["belpressa"]
    assert report.status == "failing" and "лента не читается" in report.error
    assert stored(engine) == {}


def test_a_missing_feed_is_unavailable(news, tmp_path, sqlite_url):
    settings = rss_settings(tmp_path, sqlite_url, news, "/gone.xml")
    report = collect(settings, make_engine(sqlite_url))["belpressa"]
    assert report.status == "unavailable" and "404" in report.error
