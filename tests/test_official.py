"""Official pages: a generated thread whose answers are known; the alert; the page «Госпаблики»."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from monitor.analytics.period import Period
from monitor.config import OfficialPage
from monitor.official.alerts import queue_unanswered
from monitor.official.stats import all_pages, model_reader
from monitor.records import Author, PostRecord
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import notifications, recipients
from tests.helpers import moment
from tests.web_helpers import cheap_hashing, login, store  # noqa: F401

T0 = moment("2026-11-16T10:00:00+03:00")
PAGE = OfficialPage(
    name="Администрация Белгорода", network="vk", address="777", recipient="adm-belgorod"
)


def _post(number: str, author: str, text: str, hours: float, *, parent=None, reply_to=None):
    raw = {"reply_to_comment": reply_to, "parents_stack": [reply_to]} if reply_to else {}
    return PostRecord(
        external_id=f"vk:-777_1{number}",
        network="vk",
        text=text,
        published_at=T0 + timedelta(hours=hours),
        url=f"https://vk.com/wall-777_1?reply={number.lstrip('_c')}" if number else None,
        author=Author(id=author),
        parent_id=parent,
        raw=raw,
    )


THREAD = [
    _post("", "vk:-777", "Ремонт дорог: график на неделю", 0),
    _post("_c_10", "vk:11", "Когда починят дорогу на Ленина?", 1, parent="vk:-777_1"),
    _post("_c_12", "vk:12", "Спасибо за новость", 1, parent="vk:-777_1"),
    _post("_c_13", "vk:13", "А вывоз мусора где? Третью неделю не вывозят", 2, parent="vk:-777_1"),
    _post("_c_11", "vk:-777", "Ленина в плане на среду", 3, parent="vk:-777_1", reply_to=10),
    _post(
        "_c_14",
        "vk:11",
        "Ничего не сделали, яма как была так и осталась",
        5,
        parent="vk:-777_1",
        reply_to=10,
    ),
    _post(
        "_c_15",
        "vk:-777",
        "Это не ваше дело, обращайтесь в управляющую компанию",
        6,
        parent="vk:-777_1",
        reply_to=12,
    ),
]


def _fill(ctx):
    ctx.settings.official_pages.pages = [PAGE]
    with ctx.db.begin() as connection:
        source = ensure_source(connection, "vk-adm", "vk")
        store_posts(connection, source, THREAD, collected_at=T0)


def test_a_known_thread_gives_known_figures(store):  # noqa: F811
    ctx = store.ctx
    _fill(ctx)
    period = Period(date(2026, 11, 16), date(2026, 11, 22), "Europe/Moscow")
    with ctx.db.connect() as connection:
        [stats] = all_pages(connection, ctx.settings, period, reader=model_reader(ctx.settings))
    assert (stats.posts, stats.comments, len(stats.signals)) == (1, 4, 2)
    assert stats.answered == 1 and stats.answered_share == 0.5
    assert stats.median_answer_hours == pytest.approx(2.0)
    assert [s.text for s in stats.unanswered] == ["А вывоз мусора где? Третью неделю не вывозят"]
    kinds = sorted(c.kind for c in stats.conflicts)
    assert kinds == ["disputed", "rude"]


def test_unanswered_signal_notifies_the_page_recipient_once(store):  # noqa: F811
    ctx = store.ctx
    _fill(ctx)
    ctx.settings.notify.email.enabled = True
    with ctx.db.begin() as connection:
        connection.execute(
            update(recipients).where(recipients.c.code == "adm-belgorod").values(email="a@b.ru")
        )
    assert queue_unanswered(ctx, T0 + timedelta(hours=10)) == 0  # not yet 24 hours
    assert queue_unanswered(ctx, T0 + timedelta(hours=30)) == 1
    assert queue_unanswered(ctx, T0 + timedelta(hours=31)) == 0  # stored once
    with ctx.db.connect() as connection:
        row = connection.execute(select(notifications)).one()
    assert row.kind == "official_unanswered" and row.address == "a@b.ru"
    assert "Третью неделю не вывозят" in row.body and "Администрация Белгорода" in row.subject


def test_the_page_lists_pages_and_conflicts_for_the_centre_only(store, cheap_hashing):  # noqa: F811
    ctx = store.ctx
    _fill(ctx)
    client = store.client()
    login(client, "officer")
    html = client.get("/analytics/official?from=2026-11-16&to=2026-11-22").text
    assert "Администрация Белгорода" in html and "50 %" in html.replace("\xa0", " ")
    assert "Конфликты" in html and "грубый или пренебрежительный тон" in html
    recipient = store.client()
    login(recipient, "zhkh")  # another recipient: no pages, no conflicts
    html = recipient.get("/analytics/official?from=2026-11-16&to=2026-11-22").text
    assert "Конфликты" not in html and "нет официальных страниц" in html


def test_the_weekly_note_has_a_section_on_official_pages(store, tmp_path):  # noqa: F811
    from monitor.analytics import build_weekly_note, write_note
    from monitor.analytics.layout import note_sections

    ctx = store.ctx
    _fill(ctx)
    period = Period(date(2026, 11, 16), date(2026, 11, 22), "Europe/Moscow")
    note = build_weekly_note(ctx.db, ctx.settings, period, now=T0 + timedelta(days=2))
    section = next(s for s in note_sections(note) if s.title == "Госпаблики")
    assert section.blocks[0].rows[0][1:6] == ["Администрация Белгорода", "1", "4", "2", "50\xa0%"]
    html = write_note(note, tmp_path / "note.html").read_text(encoding="utf-8")
    assert "Госпаблики" in html and "грубый тон" in html


def test_cli_pages(store, capsys, tmp_path):  # noqa: F811
    import yaml

    from tests.conftest import CONFIG
    from tests.helpers import run_cli

    ctx = store.ctx
    _fill(ctx)
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["official_pages"] = {"pages": [PAGE.model_dump()]}
    data["satisfaction"] = {"model": str(CONFIG.parent / "models" / "satisfaction")}
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    args = ("pages", "--from", "2026-11-16", "--to", "2026-11-22", "--json")
    result = run_cli(
        capsys, *args, "--config", str(config), "--database", ctx.settings.database.url
    )
    assert result.code == 0, result.err
    [page] = __import__("json").loads(result.out)["pages"]
    assert (page["signals"], page["answered"], len(page["conflicts"])) == (2, 1, 2)
