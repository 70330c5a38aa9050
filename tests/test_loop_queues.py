"""The review queues: audit order and its labelled prefix, uncertain spread, corrections."""

from __future__ import annotations

from datetime import timedelta

from monitor.analytics.period import Period
from monitor.incidents import service
from monitor.incidents.routing import sync_recipients
from monitor.loop.labels import Label, record_label
from monitor.loop.queues import ACCEPTED, REJECTED, Audit, StreamPost, stream, suggest
from monitor.loop.queues import uncertain_queue as uncertain
from monitor.loop.stats import review_stats
from tests.web_helpers import NOW, put_post

TEXTS = (
    "Яма на дороге у школы",
    "Не вывозят мусор третью неделю",
    "Нет света во всём квартале",
    "Автобус номер пять не ходит",
    "Прорвало трубу отопления в подвале",
    "Собаки бегают стаей у детского сада",
)
PERIOD = Period((NOW - timedelta(days=6)).date(), NOW.date(), "Europe/Moscow")


def _posts(ctx, count: int) -> dict[str, int]:
    with ctx.db.begin() as connection:
        sync_recipients(connection, ctx.settings)
    incidents = {}
    for n in range(count):
        incidents[f"vk:{n}"] = put_post(
            ctx, f"vk:{n}", TEXTS[n], "roads", "medium", None,
            NOW - timedelta(hours=n + 1),
        )  # fmt: skip
    return incidents


def test_audit_prefix_is_the_labelled_start_of_the_hash_order(ctx):
    _posts(ctx, 6)
    with ctx.db.begin() as connection:
        audit = Audit.of(connection, stream(connection, PERIOD))
        order = audit.order[ACCEPTED]
        assert len(order) == 6 and audit.order[REJECTED] == []
        # Labelling the third post first adds nothing to the prefix: it is no random sample yet.
        record_label(connection, order[2].post_id, Label(True, "roads"), actor="a", at=NOW)
        assert Audit.of(connection, order).prefix[ACCEPTED] == []
        for post in order[:2]:
            record_label(connection, post.post_id, Label(False), actor="a", at=NOW)
        again = Audit.of(connection, order)
        assert [p.post_id for p in again.prefix[ACCEPTED]] == [p.post_id for p in order[:3]]
        served = suggest(connection, ctx.settings, queue="audit", period=PERIOD, threshold=0.5, n=9)
        assert [item["post_id"] for item in served] == [p.post_id for p in order[3:]]
        stats = review_stats(connection, ctx.settings, PERIOD)
    assert stats["audit"]["accepted"] == {"size": 6, "labelled": 3, "signals": 1}
    assert stats["audit"]["precision"]["estimate"] == round(1 / 3, 4)


def test_corrections_queue_holds_officers_decisions_until_an_analyst_confirms(ctx):
    incidents = _posts(ctx, 2)
    service.reject(ctx.db, incidents["vk:0"], actor="officer", now=NOW)
    with ctx.db.begin() as connection:
        served = suggest(
            connection, ctx.settings, queue="corrections", period=PERIOD, threshold=0.5, n=5
        )
        assert [item["id"] for item in served] == ["vk:0"]
        record_label(connection, served[0]["post_id"], Label(False), actor="analyst", at=NOW)
        record_label(connection, served[0]["post_id"], Label(True, "roads"), actor="a", at=NOW)
        assert (
            suggest(
                connection, ctx.settings, queue="corrections", period=PERIOD, threshold=0.5, n=5
            )
            == []
        )


def _post(post_id: int, source: str, proba: float, sector: str = "roads") -> StreamPost:
    return StreamPost(
        post_id, f"x:{post_id}", source, "текст", NOW, proba >= 0.5, proba, sector, 0.9,
        [], None, None,
    )  # fmt: skip


def test_uncertain_queue_is_spread_over_sources_and_sectors(settings):
    busy = [_post(i, "busy", 0.5 + i / 1000) for i in range(10)]
    quiet = [_post(100, "quiet", 0.6), _post(101, "quiet", 0.45, "waste")]
    sure = [_post(200, "busy", 0.99), _post(201, "busy", 0.01)]
    chosen = uncertain(busy + quiet + sure, {}, settings, 0.5, 4)
    # One from each (source, sector) group in turn, the closest to the threshold first.
    assert [p.post_id for p in chosen] == [0, 100, 101, 1]
    assert [p.post_id for p in uncertain(busy, {0: None}, settings, 0.5, 2)] == [1, 2]
