"""Processing: every stored post is classified once, in batches, even ones stored mid-run."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

from classifier import Prediction
from classifier.text import Lemmatizer
from monitor.context import Context
from monitor.pipeline import pending_count, process_pending
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import classifications
from tests.conftest import CONFIG
from tests.helpers import moment, record


class _Chatter:
    """A stand-in model: every post is chatter (nothing to group)."""

    lemmatizer = Lemmatizer()
    model = SimpleNamespace(relevance_threshold=0.5)  # what the stream thresholds fall back to

    def __init__(self) -> None:
        self.seen: list[str] = []

    def predict(self, posts: list[dict], *, thresholds=None) -> list[Prediction]:
        self.seen += [post["text"] for post in posts]
        return [
            Prediction(
                id=post["id"],
                relevant=False,
                relevance_proba=0.0,
                sector="other",
                sector_proba=[("other", 1.0)],
                risk_text="low",
                risk="low",
            )
            for post in posts
        ]


def _store(ctx: Context, records) -> None:
    with ctx.db.begin() as connection:
        source_id = ensure_source(connection, "vk-test", "vk")
        store_posts(connection, source_id, records, collected_at=moment("2026-11-18T12:00:00"))


def test_batches_read_on_and_catch_posts_stored_meanwhile(db_url):
    ctx = Context.open(CONFIG, db_url)
    ctx.settings.classifier.batch_size = 2
    model = _Chatter()
    ctx.__dict__["classifier"] = model  # the cached property, filled in advance
    _store(ctx, [record(f"p{n}", f"пост {n}", at=f"2026-11-16T1{n}:00:00+03:00") for n in range(5)])

    def late_post(done: int) -> None:
        if done and len(model.seen) == 2:  # after the first batch: a post dated earlier
            _store(ctx, [record("late", "поздний пост", at="2026-11-15T10:00:00+03:00")])

    report = process_pending(ctx, now=moment("2026-11-18T12:00:00"), progress=late_post)
    assert report.classified == 6
    assert sorted(model.seen) == sorted([f"пост {n}" for n in range(5)] + ["поздний пост"])
    with ctx.db.connect() as connection:
        assert pending_count(connection) == 0
        assert connection.execute(select(func.count()).select_from(classifications)).scalar() == 6
