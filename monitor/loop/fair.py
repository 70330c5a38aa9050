"""The fair check of a model on the centre's stream, and the operating point it supports.

The check is the labelled audit sample (see queues.py) restricted to the posts of the
check split, which `train --from-database` never trains on. Each labelled post of stratum
h (the stored decision: accepted or rejected) stands for N_h / n_h posts of the stream, so
any model's precision, recall and posts flagged per day are estimated for the stream, not
for the sample (Horvitz-Thompson with the strata sizes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection

from monitor.analytics.period import Period
from monitor.config import Settings
from monitor.loop.queues import ACCEPTED, REJECTED, Audit, StreamPost, in_check, stream
from monitor.streams import stream_of

if TYPE_CHECKING:
    from classifier import Classifier


@dataclass
class FairCheck:
    """Labelled posts of the check with their gold labels and design weights."""

    posts: list[StreamPost]
    gold: np.ndarray  # relevant
    sectors: list[str | None]
    weights: np.ndarray
    days: float

    @property
    def n(self) -> int:
        """Labelled posts in the check."""
        return len(self.posts)


def fair_check(
    connection: Connection, settings: Settings, period: Period | None, only: str | None = None
) -> FairCheck:
    """The check sample of a period (the whole store without one); `only` keeps the posts
    of one stream (community, official...).

    Those keep their design weights: each still stands for N_h / n_h posts of the centre's
    whole flow, so the figures estimate that stream alone (a domain estimate).
    """
    items = stream(connection, period)
    audit = Audit.of(connection, items)
    share = settings.review.check_share
    chosen: list[StreamPost] = []
    weights: list[float] = []
    for stratum in (ACCEPTED, REJECTED):
        sample = [p for p in audit.prefix[stratum] if in_check(p.external_id, share)]
        for post in sample:
            if only is None or _stream(settings, post) == only:
                chosen.append(post)
                weights.append(len(audit.order[stratum]) / len(sample))
    if period is not None:
        days = float(period.days)
    elif items:
        span = max(p.published_at for p in items) - min(p.published_at for p in items)
        days = max(1.0, span.total_seconds() / 86400)
    else:
        days = 1.0
    return FairCheck(
        posts=chosen,
        gold=np.array([bool(audit.labels[p.post_id].relevant) for p in chosen], dtype=bool),
        sectors=[audit.labels[p.post_id].sector for p in chosen],
        weights=np.array(weights, dtype=float),
        days=days,
    )


def _stream(settings: Settings, post: StreamPost) -> str:
    """The stream that decided the post, or (classified before streams) its source's now."""
    return post.stream or stream_of(settings, post.source, "", None)


def model_scores(model: Classifier, check: FairCheck) -> tuple[np.ndarray, list[str]]:
    """A model's relevance probabilities and sectors on the check's texts."""
    predictions = model.predict([{"id": str(p.post_id), "text": p.text} for p in check.posts])
    return np.array([p.relevance_proba for p in predictions]), [p.sector for p in predictions]


def weighted_point(check: FairCheck, flagged: np.ndarray) -> dict[str, Any]:
    """Stream precision, recall, F1 and posts flagged per day for one set of decisions."""
    w, gold = check.weights, check.gold
    tp, fp = float(w[flagged & gold].sum()), float(w[flagged & ~gold].sum())
    fn = float(w[~flagged & gold].sum())
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(f1),
        "flagged_per_day": round((tp + fp) / check.days, 1),
    }


def evaluate_on_check(model: Classifier, check: FairCheck) -> dict[str, Any]:
    """A model's stream figures on the fair check at its own threshold, and its sectors."""
    proba, sectors = model_scores(model, check)
    threshold = model.model.relevance_threshold
    flagged = proba >= threshold
    right = [
        predicted == gold
        for predicted, gold, hit, signal in zip(
            sectors, check.sectors, flagged, check.gold, strict=True
        )
        if hit and signal and gold
    ]
    return {
        "model_version": model.version,
        "n": check.n,
        "signals": int(check.gold.sum()),
        "threshold": threshold,
        **weighted_point(check, flagged),
        "sector_accuracy": _round(sum(right) / len(right)) if right else None,
        "sector_n": len(right),
    }


def threshold_for_recall(
    proba: np.ndarray, check: FairCheck, recall: float, grid: Sequence[float] | None = None
) -> dict[str, Any] | None:
    """The highest threshold whose estimated stream recall reaches the target, with its figures."""
    cuts = grid if grid is not None else np.round(np.arange(0.95, 0.0, -0.01), 2)
    for cut in cuts:
        point = weighted_point(check, proba >= cut)
        if point["recall"] is not None and point["recall"] >= recall:
            return {"threshold": float(cut), **point}
    return None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
