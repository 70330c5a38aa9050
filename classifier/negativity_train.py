"""Train and measure the negativity model on the team's own labels of real texts.

    python -m classifier.negativity_train [--out models/negativity]

Every figure is on text the model did not train on:
- grouped cross-validation on the Stavropol VK pool labels: 5 folds over 50-row blocks of
  the pool's order (a thread proxy: comments of one post sit together), so no thread is in
  both the training and the scored fold;
- another source: trained on the pool labels only, scored on residents' replies to officials
  of the St Petersburg portal (classifier/data/real/negativity_labels_spb_followups.jsonl).
The shipped model is then trained on both sets; the figures above go into its meta.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from classifier.negativity import NegativityModel
from classifier.text import Lemmatizer

DATA = Path(__file__).parent / "data" / "real"
POOL = DATA / "negativity_labels.jsonl"
FOLLOWUPS = DATA / "negativity_labels_spb_followups.jsonl"
CUTS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)


def read(path: Path) -> list[dict]:
    """Labelled rows of a JSONL file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def scores(truth: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class, with the counts."""
    pairs = [(bool(t), bool(p)) for t, p in zip(truth, predicted, strict=True)]
    tp = sum(t and p for t, p in pairs)
    fp = sum(p and not t for t, p in pairs)
    fn = sum(t and not p for t, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "n": len(truth),
        "positives": int(sum(truth)),
    }


def _positive(rows: Sequence[dict]) -> list[bool]:
    return [row["label"] != "neither" for row in rows]


def grouped_cv(rows: list[dict], lemmatizer: Lemmatizer, folds: int = 5) -> dict:
    """Out-of-fold scores over 50-row blocks of the pool."""
    texts = [row["text"] for row in rows]
    labels = [row["label"] for row in rows]
    groups = [row["block"] for row in rows]
    proba = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=folds).split(texts, labels, groups):
        model = NegativityModel(lemmatizer=lemmatizer)
        model.fit([texts[i] for i in train], [labels[i] for i in train])
        proba[test] = model.predict_proba([texts[i] for i in test])
    truth = _positive(rows)
    by_cut = {cut: scores(truth, list(proba >= cut)) for cut in CUTS}
    # The cut with the best out-of-fold F1 (chosen on these folds: slightly optimistic).
    threshold = max(CUTS, key=lambda cut: by_cut[cut]["f1"])
    result = {"threshold": threshold, **by_cut[threshold]}
    result["by_threshold"] = {str(cut): found for cut, found in by_cut.items()}
    actions = [row["label"] == "action" for row in rows]
    found = proba >= threshold
    result["actions_found"] = int(sum(a and p for a, p in zip(actions, found, strict=True)))
    result["actions"] = int(sum(actions))
    return result


def other_source(
    pool: list[dict], followups: list[dict], lemmatizer: Lemmatizer, threshold: float
) -> dict:
    """Trained on the pool, scored on the St Petersburg replies to officials."""
    model = NegativityModel(lemmatizer=lemmatizer)
    model.fit([r["text"] for r in pool], [r["label"] for r in pool])
    proba = model.predict_proba([r["text"] for r in followups])
    return {"threshold": threshold, **scores(_positive(followups), [p >= threshold for p in proba])}


def data_hash(*paths: Path) -> str:
    """sha256 over the training files."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main(argv: Sequence[str] | None = None) -> None:
    """Measure, then train and save the shipped model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="models/negativity", help="Package folder to write")
    parser.add_argument(
        "--extra",
        nargs="*",
        default=[],
        type=Path,
        help="More labelled JSONL (text, label), e.g. dismissed risks from `otklik risks labels`;"
        " used for the shipped model only, not in the figures",
    )
    args = parser.parse_args(argv)
    lemmatizer = Lemmatizer()
    pool, followups = read(POOL), read(FOLLOWUPS)
    cv = grouped_cv(pool, lemmatizer)
    print(
        "grouped CV on the pool:", json.dumps({k: v for k, v in cv.items() if k != "by_threshold"})
    )
    for cut, found in cv["by_threshold"].items():
        print(f"  threshold {cut}: {found}")
    transfer = other_source(pool, followups, lemmatizer, cv["threshold"])
    print("pool -> St Petersburg replies to officials:", json.dumps(transfer))
    rows = pool + followups + [row for path in args.extra for row in read(path)]
    model = NegativityModel(lemmatizer=lemmatizer)
    model.fit([r["text"] for r in rows], [r["label"] for r in rows])
    meta = {
        "trained_on": [POOL.name, FOLLOWUPS.name, *(str(path) for path in args.extra)],
        "rows": len(rows),
        "data_sha256": data_hash(POOL, FOLLOWUPS, *args.extra),
        "threshold": cv["threshold"],
        "metrics": {"grouped_cv_pool": cv, "pool_to_spb_followups": transfer},
    }
    print("saved", model.save(args.out, meta))


if __name__ == "__main__":
    main()
