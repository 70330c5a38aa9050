"""Telegram previews as real channels print them: replies, polls, link previews, signatures."""

from __future__ import annotations

from collect_servers.harness import collect, make_settings, now_ts, stored
from collect_servers.telegram import Channel, Message, TelegramServer, render_message

from monitor.collectors.parsers.telegram import parse_channel_page
from monitor.store import make_engine

PARENT = "Отключение воды на Садовой до 18:00"


def _page(*messages: Message) -> dict:
    html = "".join(render_message("belnews", m) for m in messages)
    page = parse_channel_page(html, "belnews")
    return page, {record.external_id: record for record in page.messages}


def test_a_reply_keeps_its_own_text_not_the_quoted_parent():
    page, by_id = _page(
        Message(1, now_ts(), PARENT),
        Message(2, now_ts(), "Воду так и не дали, уже 20:00", reply_to=1, reply_text=PARENT),
    )
    reply = by_id["tg:belnews/2"]
    assert reply.text == "Воду так и не дали, уже 20:00"
    assert reply.parent_id == "tg:belnews/1"
    assert reply.raw["reply"] == {"id": "tg:belnews/1", "text": PARENT}


def test_a_poll_a_link_preview_a_signature_and_the_edited_mark_are_kept():
    page, by_id = _page(
        Message(1, now_ts(), None, poll=("Где нужен светофор?", ["У школы", "У рынка"])),
        Message(
            2,
            now_ts(),
            "Читайте:",
            preview=("Белгород.ру", "Ремонт моста", "Мост закроют на месяц"),
            signature="Иван Петров",
            edited=True,
        ),
    )
    poll = by_id["tg:belnews/1"]
    assert poll.text == "Где нужен светофор?\n— У школы\n— У рынка"
    assert poll.raw["poll"]["options"] == ["У школы", "У рынка"]
    linked = by_id["tg:belnews/2"]
    assert linked.text == "Читайте:\n\nРемонт моста\nМост закроют на месяц"
    assert linked.raw["link_preview"]["site"] == "Белгород.ру"
    assert linked.raw["signature"] == "Иван Петров" and linked.raw["edited"] is True
    assert "edited" not in poll.raw


def test_a_media_only_post_is_skipped_with_its_reason_not_stored_empty():
    page, by_id = _page(
        Message(1, now_ts(), None, photo=True), Message(2, now_ts(), "Фото ямы", photo=True)
    )
    assert set(by_id) == {"tg:belnews/2"} and by_id["tg:belnews/2"].raw["media"] == ["photo"]
    assert page.ids == [1, 2] and "photo" in page.skipped[0]


def test_the_collector_stores_these_shapes_end_to_end(tmp_path, db_url):
    with TelegramServer() as server:
        channel = Channel("belnews", "Новости Белгорода")
        channel.messages = [
            Message(1, now_ts() - 300, PARENT),
            Message(2, now_ts() - 200, "Воду не дали", reply_to=1, reply_text=PARENT),
            Message(3, now_ts() - 100, None, photo=True),
            Message(4, now_ts() - 50, None, poll=("Свет есть?", ["Да", "Нет"])),
        ]
        server.channels["belnews"] = channel
        source = {"name": "tg", "kind": "telegram", "address": "@belnews"}
        collectors = {"telegram": {"base_url": server.url}}
        settings = make_settings(tmp_path, db_url, [source], collectors)
        engine = make_engine(db_url)
        report = collect(settings, engine)["tg"]
        posts = stored(engine)
        engine.dispose()
    assert report.status == "active" and report.skipped == 1
    assert set(posts) == {"tg:belnews/1", "tg:belnews/2", "tg:belnews/4"}
    assert posts["tg:belnews/2"].text == "Воду не дали"
    assert posts["tg:belnews/4"].text.startswith("Свет есть?")
