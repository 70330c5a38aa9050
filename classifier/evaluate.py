"""Metrics of predictions against gold labels, in the shape `otklik evaluate --json` prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from classifier.corpus import RISKS, SECTORS, LabelledPost


def _per_class(gold: list[str], predicted: list[str], labels: Sequence[str]) -> dict[str, Any]:
    present = [label for label in labels if label in gold or label in predicted]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=present, zero_division=0
    )
    return {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
    }


def _confusion(gold: list[str], predicted: list[str], labels: list[str]) -> list[list[int]]:
    """Counts of (gold row, predicted column) over `labels`; other predictions are dropped."""
    index = {label: k for k, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        if g in index and p in index:
            matrix[index[g]][index[p]] += 1
    return matrix


def _multiclass(gold: list[str], predicted: list[str], labels: Sequence[str]) -> dict[str, Any]:
    if not gold:
        return {"n": 0, "accuracy": None, "macro_f1": None, "per_class": {}}
    # Macro-F1 over the classes that occur in the gold labels: a class absent from a file
    # cannot be scored and must not drag the mean to zero.
    present = [label for label in labels if label in gold]
    return {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "macro_f1": round(
            float(f1_score(gold, predicted, labels=present, average="macro", zero_division=0)), 4
        ),
        "per_class": _per_class(gold, predicted, labels),
        "labels": list(present),
        "confusion": _confusion(gold, predicted, present),
    }


def score(
    gold: Sequence[LabelledPost],
    relevant: Sequence[bool],
    sector: Sequence[str],
    risk: Sequence[str],
) -> dict[str, Any]:
    """Relevance, sector and risk metrics; rows missing a gold field are skipped for that head.

    Sector is scored on rows whose gold `relevant` is true and gold `sector` is set,
    comparing the model's sector whatever its relevance decision; risk on rows whose gold
    `risk` is set, comparing the final risk.
    """
    rel_rows = [i for i, post in enumerate(gold) if post.relevant is not None]
    y_true = [bool(gold[i].relevant) for i in rel_rows]
    y_pred = [bool(relevant[i]) for i in rel_rows]
    if rel_rows:
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, average="binary", pos_label=True, zero_division=0
        )
        rel: dict[str, Any] = {
            "n": len(rel_rows),
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        }
    else:
        rel = {"n": 0, "precision": None, "recall": None, "f1": None}
    sector_rows = [i for i, post in enumerate(gold) if post.relevant and post.sector]
    risk_rows = [i for i, post in enumerate(gold) if post.risk]
    return {
        "n": len(gold),
        "relevance": rel,
        "sector": _multiclass(
            [gold[i].sector for i in sector_rows],  # type: ignore[misc]
            [sector[i] for i in sector_rows],
            SECTORS,
        ),
        "risk": _multiclass(
            [gold[i].risk for i in risk_rows],  # type: ignore[misc]
            [risk[i] for i in risk_rows],
            RISKS,
        ),
    }


STREAM_PRIOR = 1 / 8  # share of signals in real community groups (one sample of them)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def operating_points(
    gold: Sequence[LabelledPost],
    relevance_proba: Sequence[float],
    own_threshold: float,
    prior: float = STREAM_PRIOR,
    thresholds: Sequence[float] = THRESHOLDS,
) -> list[dict[str, Any]]:
    """Recall, share of non-signals flagged and precision on a stream at several thresholds.

    A labelled file is seldom mixed like a real stream, so precision is given for a stream
    where a `prior` share of posts are signals: recall·prior / (recall·prior + flagged·(1 −
    prior)), with recall and the flagged share measured on the file. Empty when the file
    lacks signals or non-signals.
    """
    if not 0 < prior < 1:
        raise ValueError(f"the stream prior must be in (0, 1): {prior}")
    rows = [i for i, post in enumerate(gold) if post.relevant is not None]
    signals = [float(relevance_proba[i]) for i in rows if gold[i].relevant]
    others = [float(relevance_proba[i]) for i in rows if not gold[i].relevant]
    if not signals or not others:
        return []
    points = []
    for threshold in sorted({round(float(own_threshold), 4), *thresholds}):
        recall = sum(p >= threshold for p in signals) / len(signals)
        flagged = sum(p >= threshold for p in others) / len(others)
        caught, false = recall * prior, flagged * (1 - prior)
        precision = caught / (caught + false) if caught + false else None
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
        points.append(
            {
                "threshold": threshold,
                "own": threshold == round(float(own_threshold), 4),
                "recall": round(recall, 4),
                "flagged": round(flagged, 4),
                "stream_precision": None if precision is None else round(precision, 4),
                "stream_f1": round(f1, 4),
            }
        )
    return points


def evaluate(
    classifier: Any,
    posts: Sequence[LabelledPost],
    batch: int = 512,
    prior: float = STREAM_PRIOR,
) -> dict[str, Any]:
    """Run a loaded `Classifier` over labelled posts and score it.

    Besides `score`'s keys the report has `operating_points` for a stream with a `prior`
    share of signals (see `operating_points`).
    """
    predictions = []
    for start in range(0, len(posts), batch):
        chunk = posts[start : start + batch]
        predictions.extend(classifier.predict([{"id": p.id, "text": p.text} for p in chunk]))
    report = score(
        posts,
        [p.relevant for p in predictions],
        [p.sector for p in predictions],
        [p.risk for p in predictions],
    )
    report["operating_points"] = {
        "prior": prior,
        "points": operating_points(
            posts,
            [p.relevance_proba for p in predictions],
            classifier.model.relevance_threshold,
            prior,
        ),
    }
    return report
