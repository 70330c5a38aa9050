"""The gain of the analysts' loop on real posts the shipped model never saw.

    python bench/loop_gain.py LABELS.jsonl... [--texts TEXTS.jsonl...] [--budgets 100,200,500]
        [--weights 3] [--weigh 1,3,10] [--seed 0]

LABELS are labelled JSONL rows (`id`, `relevant`, `sector`, `risk`; `text` too, or found by
id in `--texts`); a later file's label of an id wins, as the latest label of a post does.
The posts are split in two halves by a hash of the id: the *pool* the queues choose from
and the *rest* every model is scored on. Starting from the shipped model (models/default),
for each budget the labels of the posts each queue would serve are revealed:

- `uncertain`: the queue of `review suggest --queue uncertain` over the pool (relevance
  near the shipped threshold, unsure sectors), then the next nearest to the threshold;
- `audit`: the audit queue (both strata of the shipped model's decision, hash order);
- `random`: the same number chosen uniformly at random (seeded).

Each is retrained like `train --from-database`: the shipped model's base data (its train
split) plus the revealed labels, weighing `--weights` rows each, without CV, at the shipped
model's threshold. Printed as JSON lines: relevance precision / recall / F1 at the
threshold, average precision (threshold-free), and sector accuracy on the rest's signals;
first the shipped model itself. `--weigh 1,3,10` adds the centre-weight measurement at the
largest budget of the uncertain queue.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.metrics import average_precision_score  # noqa: E402

from classifier import Classifier  # noqa: E402
from classifier.corpus import LabelledPost, parse_row, read_many, split  # noqa: E402
from classifier.evaluate import score  # noqa: E402
from classifier.model import PostModel  # noqa: E402
from classifier.package import read_meta  # noqa: E402
from classifier.text import Lemmatizer  # noqa: E402
from classifier.train import Prepared, predict_scores, prepare  # noqa: E402
from monitor.config import load_settings  # noqa: E402
from monitor.loop.queues import (  # noqa: E402
    ACCEPTED,
    REJECTED,
    Audit,
    StreamPost,
    audit_queue,
    hash_share,
    uncertain_queue,
)
from monitor.loop.retrain import base_files  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "models" / "default"


def read_labelled(paths: list[Path], texts: list[Path]) -> list[LabelledPost]:
    """Labelled posts; texts joined by id from `texts` where a label row has none."""
    by_id: dict[str, str] = {}
    for path in texts:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_id[str(row["id"])] = row["text"]
    rows: dict[str, dict] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[str(row["id"])] = {"text": by_id.get(str(row["id"])), **row}
    missing = [key for key, row in rows.items() if not row.get("text")]
    if missing:
        sys.exit(f"{len(missing)} labelled ids have no text (e.g. {missing[0]}): pass --texts")
    return [parse_row(row, f"label {key}") for key, row in rows.items()]


def stream_posts(posts: list[LabelledPost], shipped: Classifier) -> list[StreamPost]:
    """The posts as the shipped model classified them."""
    predictions = shipped.predict([{"id": p.id, "text": p.text} for p in posts])
    return [
        StreamPost(
            post_id=i,
            external_id=p.id,
            source=str(p.extra.get("kind") or "vk"),
            text=p.text,
            published_at=None,
            relevant=r.relevant,
            relevance_proba=r.relevance_proba,
            sector=r.sector,
            sector_proba=r.sector_proba[0][1] if r.sector_proba else None,
            sector_top=[list(pair) for pair in r.sector_proba],
            risk=r.risk,
            territory=None,
        )
        for i, (p, r) in enumerate(zip(posts, predictions, strict=True))
    ]


def choose(queue: str, pool: list[StreamPost], n: int, threshold: float, seed: int) -> list[int]:
    """Indices of the pool posts a queue serves first."""
    if queue == "random":
        return random.Random(seed).sample(range(len(pool)), n)
    if queue == "audit":
        order = {ACCEPTED: [], REJECTED: []}
        for post in sorted(pool, key=lambda p: hash_share("otklik-audit", p.external_id)):
            order[post.stratum].append(post)
        settings = load_settings(ROOT / "config.yaml")
        chosen = audit_queue(Audit(order, {}), settings.review.audit_rejected_share, n)
        return [p.post_id for p in chosen]
    settings = load_settings(ROOT / "config.yaml")
    chosen = [p.post_id for p in uncertain_queue(pool, {}, settings, threshold, n)]
    rest = sorted(
        (p for p in pool if p.post_id not in set(chosen)),
        key=lambda p: abs(p.relevance_proba - threshold),
    )
    return (chosen + [p.post_id for p in rest])[:n]


def figures(posts: list[LabelledPost], proba: np.ndarray, sectors, threshold: float) -> dict:
    """Relevance at the threshold, average precision, sector accuracy on true signals."""
    report = score(posts, list(proba >= threshold), sectors, ["low"] * len(posts))
    gold = np.array([bool(p.relevant) for p in posts])
    signals = [
        (p.sector, s) for p, s in zip(posts, sectors, strict=True) if p.relevant and p.sector
    ]
    return {
        "precision": report["relevance"]["precision"],
        "recall": report["relevance"]["recall"],
        "f1": report["relevance"]["f1"],
        "average_precision": round(float(average_precision_score(gold, proba)), 4),
        "sector_accuracy": round(sum(a == b for a, b in signals) / len(signals), 4)
        if signals
        else None,
    }


def main() -> None:
    """Run the bench and print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="+", type=Path)
    parser.add_argument("--texts", nargs="*", type=Path, default=[])
    parser.add_argument("--budgets", default="100,200,500")
    parser.add_argument("--weights", type=float, default=None)
    parser.add_argument("--weigh", default="")
    parser.add_argument("--queues", default="uncertain,audit,random")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    settings = load_settings(ROOT / "config.yaml")
    weight = args.weights if args.weights is not None else settings.review.centre_weight
    shipped = Classifier.load(SHIPPED)
    threshold = shipped.model.relevance_threshold
    labelled = read_labelled(args.labels, args.texts)
    in_rest = [hash_share("loop-bench", p.id) < 0.5 for p in labelled]
    pool_posts = [p for p, rest in zip(labelled, in_rest, strict=True) if not rest]
    rest_posts = [p for p, rest in zip(labelled, in_rest, strict=True) if rest]
    pool = stream_posts(pool_posts, shipped)
    rest_predictions = shipped.predict([{"id": p.id, "text": p.text} for p in rest_posts])
    base = {
        "posts": len(labelled),
        "pool": len(pool_posts),
        "pool_signals": sum(1 for p in pool_posts if p.relevant),
        "rest": len(rest_posts),
        "rest_signals": sum(1 for p in rest_posts if p.relevant),
        "threshold": threshold,
    }
    shipped_figures = figures(
        rest_posts,
        np.array([r.relevance_proba for r in rest_predictions]),
        [r.sector for r in rest_predictions],
        threshold,
    )
    print(json.dumps({"model": "shipped", **base, **shipped_figures}, ensure_ascii=False))
    sys.stdout.flush()

    files, _ = base_files(settings, SHIPPED)
    base_train, _ = split(read_many(files))
    lemmatizer = Lemmatizer(unknown_words=read_meta(SHIPPED)["text"]["unknown_words"])
    base_data = prepare(base_train, lemmatizer)
    pool_data = prepare(pool_posts, lemmatizer)
    rest_data = prepare(rest_posts, lemmatizer)
    params = {
        k: tuple(v) if isinstance(v, list) else v for k, v in read_meta(SHIPPED)["params"].items()
    }
    model = PostModel().set_params(**params)

    def run(queue: str, n: int, w: float) -> dict:
        chosen = choose(queue, pool, n, threshold, args.seed)
        extra = pool_data.subset(chosen)
        data = Prepared(
            base_data.posts + extra.posts,
            base_data.lemma_texts + extra.lemma_texts,
            None,
            np.array([1.0] * len(base_data.posts) + [w] * len(extra.posts)),
        )
        fitted = clone(model).fit(data.lemma_texts, data.labels, sample_weight=data.weights)
        proba, sectors, _ = predict_scores(fitted, rest_data)
        return {
            "model": "retrained",
            "queue": queue,
            "labels": n,
            "labelled_signals": sum(1 for p in extra.posts if p.relevant),
            "weight": w,
            **figures(rest_posts, proba, sectors, threshold),
        }

    budgets = [int(b) for b in args.budgets.split(",") if b]
    for n in budgets:
        for queue in args.queues.split(","):
            print(json.dumps(run(queue, min(n, len(pool)), weight), ensure_ascii=False))
            sys.stdout.flush()
    for w in [float(x) for x in args.weigh.split(",") if x]:
        print(json.dumps({"weighing": True, **run("uncertain", max(budgets), w)}))
        sys.stdout.flush()
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
