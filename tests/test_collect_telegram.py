"""Telegram channel previews: paging back with `before`, views like "1.2K", no preview."""

from __future__ import annotations

import pytest
from collect_servers.base import Reply
from collect_servers.harness import collect, make_settings, now_ts, source_row, stored
from collect_servers.telegram import Channel, Message, TelegramServer, render_message

from monitor.collectors.parsers.telegram import parse_channel_page, parse_count
from monitor.store import make_engine

HOUR = 3600


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("987", 987),
        ("1.2K", 1200),
        ("3.4M", 3_400_000),
        ("12K", 12_000),
        ("1,5K", 1500),
        ("", None),
        ("много", None),
        (None, None),
    ],
)
def test_views_are_parsed(text, number):
    assert parse_count(text) == number


def test_a_page_keeps_good_messages_and_skips_broken_ones():
    messages = [
        Message(1, now_ts(), "первая строка\nвторая & третья", views=1234),
        Message(2, now_ts(), None, views=5),  # media only
        Message(3, now_ts(), "канал создан", service=True),
        Message(4, now_ts(), "без времени", broken=True),
        Message(5, now_ts(), "ответ", reply_to=1, forwarded_from="other_channel"),
    ]
    html = "".join(render_message("belnews", m) for m in messages)

    page = parse_channel_page(html, "belnews", territory="Белгород")

    by_id = {record.external_id: record for record in page.messages}
    assert set(by_id) == {"tg:belnews/1", "tg:belnews/5"}
    assert by_id["tg:belnews/1"].text == "первая строка\nвторая & третья"
    assert by_id["tg:belnews/1"].reach.views == 1200  # the page shows "1.2K"
    assert by_id["tg:belnews/5"].parent_id == "tg:belnews/1"
    assert by_id["tg:belnews/5"].raw["forwarded_from"]["name"] == "other_channel"
    assert page.ids == [1, 2, 3, 4, 5] and len(page.skipped) == 2
    assert "без текста" in page.skipped[0] and "нет времени" in page.skipped[1]


@pytest.fixture
def tg():
    """A t.me server with one channel of 70 posts, one every half hour."""
    with TelegramServer() as server:
        channel = Channel("belnews", "Новости Белгорода", subscribers="48.1K")
        newest = now_ts() - 60
        channel.messages = [
            Message(n, newest - (70 - n) * HOUR // 2, f"Новость {n}", views=900 + n)
            for n in range(1, 71)
        ]
        server.channels["belnews"] = channel
        yield server


def tg_settings(tmp_path, url, server, address="@BelNews", **collectors):
    source = {"name": "tg-belnews", "kind": "telegram", "address": address}
    telegram = {"base_url": server.url, **collectors.pop("telegram", {})}
    return make_settings(tmp_path, url, [source], {"telegram": telegram, **collectors})


def test_pages_back_until_the_window_then_only_new_ones(tg, tmp_path, sqlite_url):
    settings = tg_settings(tmp_path, sqlite_url, tg, refresh_hours=2)
    engine = make_engine(sqlite_url)
    report = collect(settings, engine)["tg-belnews"]

    posts = stored(engine)
    assert report.error is None and len(posts) == 70
    assert tg.pages_served("belnews") == ["", "51", "31", "11"]
    sample = posts["tg:belnews/70"]
    assert sample.url == "https://t.me/belnews/70" and sample.views == 970
    assert (sample.author_name, sample.author_audience) == ("Новости Белгорода", 48100)
    assert source_row(engine, "tg-belnews").cursor == {"last_id": 70}

    tg.channels["belnews"].messages.append(Message(71, now_ts(), "Свежая новость", views=10))
    tg.channels["belnews"].messages[68].views = 5000  # post 69 is still being read
    again = collect(settings, engine)["tg-belnews"]

    assert again.inserted == 1
    assert tg.pages_served("belnews")[4:] == [""]  # one page covers 2 hours of refresh
    assert stored(engine)["tg:belnews/69"].views == 5000


def test_a_channel_without_preview_is_unavailable(tg, tmp_path, sqlite_url):
    tg.channels["closed"] = Channel("closed", "Закрытый", preview=False)
    settings = tg_settings(tmp_path, sqlite_url, tg, address="https://t.me/closed")
    engine = make_engine(sqlite_url)
    report = collect(settings, engine)["tg-belnews"]
    assert report.status == "unavailable" and "нет веб-превью" in report.error


def test_a_rate_limit_is_retried(tg, tmp_path, sqlite_url):
    answers = iter([Reply(429, b"slow down", {"Retry-After": "0"})])
    original = tg.handle
    tg.handle = lambda request: next(answers, None) or original(request)
    settings = tg_settings(tmp_path, sqlite_url, tg, telegram={"max_pages": 1})
    report = collect(settings, make_engine(sqlite_url))["tg-belnews"]
    assert report.error is None and report.inserted == 20
