"""Training a model package from labelled JSONL files, with honest metrics in meta.json."""

from __future__ import annotations

import platform
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from classifier.categories import problem_of
from classifier.corpus import RISKS, SECTORS, LabelledPost, data_hash, read_many, split, stratum
from classifier.encoder import Encoder
from classifier.evaluate import score
from classifier.model import CANDIDATE_THRESHOLD, PostModel
from classifier.package import save
from classifier.recipe import set_of
from classifier.text import AS_WRITTEN, Lemmatizer, normalise, tokens

# Cascade cuts tried for a model with a dense encoder (n-gram relevance from which it runs).
CANDIDATE_CUTS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
LIBRARIES = ("scikit-learn", "numpy", "scipy", "razdel", "pymorphy3", "natasha", "slovnet")
# Called with (step name, total) to start a step and with (step name, None) to advance it.
Progress = Callable[[str, int | None], None]


def _quiet(step: str, total: int | None) -> None:
    return None


@dataclass
class Prepared:
    """Labelled posts with their lemma strings (and dense vectors when an encoder is used)."""

    posts: list[LabelledPost]
    lemma_texts: list[str]
    dense: np.ndarray | None
    weights: np.ndarray | None = None  # per row; None: every row counts once

    @property
    def labels(self) -> list[tuple[object, object, object]]:
        """The `y` rows."""
        return [p.labels for p in self.posts]

    @property
    def categories(self) -> list[str | None]:
        """The `sector/category` of every post with a portal reason, else None."""
        return [problem_of(p) for p in self.posts]

    def fit(self, model: PostModel, weights: dict[str, float] | None = None) -> PostModel:
        """A fitted clone of `model` on these posts: each row weighs its own weight (a
        centre's labels, see `train`) times its source's in `weights` (default 1)."""
        sample_weight = None if self.weights is None else np.asarray(self.weights, float)
        if weights:
            by_source = np.array([weights.get(set_of(p), 1.0) for p in self.posts])
            sample_weight = by_source if sample_weight is None else sample_weight * by_source
        return clone(model).fit(
            self.lemma_texts,
            self.labels,
            dense=self.dense,
            sample_weight=sample_weight,
            categories=self.categories,
        )

    def subset(self, rows: Sequence[int]) -> Prepared:
        """The same data restricted to some rows."""
        return Prepared(
            [self.posts[i] for i in rows],
            [self.lemma_texts[i] for i in rows],
            None if self.dense is None else self.dense[list(rows)],
            None if self.weights is None else self.weights[list(rows)],
        )


def prepare(
    posts: Sequence[LabelledPost],
    lemmatizer: Lemmatizer,
    encoder: Encoder | None = None,
    progress: Progress = _quiet,
) -> Prepared:
    """Lemmatise (and encode) posts once, so CV folds and the final fit share the work."""
    progress("lemmas", len(posts))
    lemma_texts = []
    for post in posts:
        lemma_texts.append(lemmatizer.lemma_text(post.text))
        progress("lemmas", None)
    dense = None
    if encoder is not None:
        progress("encoder", len(posts))
        blocks = []
        for start in range(0, len(posts), 64):
            chunk = posts[start : start + 64]
            blocks.append(encoder.encode([p.text for p in chunk]))
            for _ in chunk:
                progress("encoder", None)
        dense = np.vstack(blocks) if blocks else None
    return Prepared(list(posts), lemma_texts, dense)


def predict_heads(
    model: PostModel,
    data: Prepared,
    threshold: float | None = None,
    candidate_threshold: float = 0.0,
) -> tuple[list[bool], list[str], list[str]]:
    """Relevance decisions, sectors and risks of a fitted `PostModel` (no reach rules)."""
    relevance, sector, risk = predict_scores(model, data, candidate_threshold)
    cut = model.relevance_threshold if threshold is None else threshold
    return list(relevance >= cut), sector, risk


def predict_scores(
    model: PostModel, data: Prepared, candidate_threshold: float = 0.0
) -> tuple[np.ndarray, list[str], list[str]]:
    """Relevance probabilities, sectors and risks of a fitted `PostModel`.

    With dense vectors, relevance comes from the candidate head where the n-gram relevance
    is at least `candidate_threshold` (the cascade; 0: on every post).
    """
    first, final, sector, risk = stage_scores(model, data)
    return cascade(first, final, candidate_threshold), sector, risk


def stage_scores(
    model: PostModel, data: Prepared
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """The n-gram relevance, the relevance with dense vectors (the same without them),
    sectors and risks of a fitted `PostModel`."""
    features = model.transform(data.lemma_texts)
    first = final = model.relevance_proba(features)
    if data.dense is not None and model.candidate_ is not None:
        final = model.candidate_proba(features, data.dense)
    sector = model.sector_.classes_[np.argmax(model.sector_proba(features, data.dense), axis=1)]
    risk = model.risk_.classes_[np.argmax(model.risk_proba(features, data.dense), axis=1)]
    return first, final, [str(s) for s in sector], [str(r) for r in risk]


def cascade(first: np.ndarray, final: np.ndarray, candidate_threshold: float) -> np.ndarray:
    """The relevance the cascade decides on: the second stage only where the first lets through."""
    return np.where(first >= candidate_threshold, final, first)


@dataclass
class OutOfFold:
    """Cross-validated predictions for every training row."""

    first_stage: np.ndarray
    relevance: np.ndarray
    sector: list[str]
    risk: list[str]

    def report(
        self, posts: Sequence[LabelledPost], threshold: float, candidate_threshold: float = 0.0
    ) -> dict[str, Any]:
        """Scores at a relevance threshold (and the cascade's cut)."""
        relevance = cascade(self.first_stage, self.relevance, candidate_threshold)
        return score(posts, list(relevance >= threshold), self.sector, self.risk)


def cross_validate(
    model: PostModel,
    data: Prepared,
    folds: int = 5,
    progress: Progress = _quiet,
    weights: dict[str, float] | None = None,
) -> OutOfFold:
    """Out-of-fold predictions on the training part, stratified by label combination."""
    strata = [stratum(p) for p in data.posts]
    # Rare label combinations are merged so that every stratum has enough rows per fold.
    counts = Counter(strata)
    strata = [s if counts[s] >= folds else s.split("/")[0] for s in strata]
    counts = Counter(strata)
    strata = [s if counts[s] >= folds else "rare" for s in strata]
    largest = Counter(s for s in strata if s != "rare").most_common(1)
    if largest and 0 < strata.count("rare") < folds:  # too few even together: join the largest
        strata = [largest[0][0] if s == "rare" else s for s in strata]
    rows = len(data.posts)
    result = OutOfFold(np.zeros(rows), np.zeros(rows), [""] * rows, [""] * rows)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    progress("cv", folds)
    for train_rows, test_rows in splitter.split(np.zeros(len(strata)), strata):
        part = data.subset(train_rows)
        fold = part.fit(model, weights)
        first, final, sector, risk = stage_scores(fold, data.subset(test_rows))
        result.first_stage[test_rows], result.relevance[test_rows] = first, final
        for k, row in enumerate(test_rows):
            result.sector[row], result.risk[row] = sector[k], risk[k]
        progress("cv", None)
    return result


def candidate_cut(
    posts: Sequence[LabelledPost],
    out_of_fold: OutOfFold,
    threshold: float,
    cuts: Sequence[float] = CANDIDATE_CUTS,
    tolerance: float = 0.0005,
) -> float:
    """The highest cascade cut whose out-of-fold relevance F1 is within `tolerance` of
    running the dense stage on every post: the fewest posts encoded for the same quality."""

    def f1(cut: float) -> float:
        return out_of_fold.report(posts, threshold, cut)["relevance"]["f1"] or 0.0

    best = f1(0.0)
    return max((cut for cut in cuts if f1(cut) >= best - tolerance), default=0.0)


def best_threshold(posts: Sequence[LabelledPost], relevance: np.ndarray) -> float:
    """The relevance threshold with the best out-of-fold F1 (kept within 0.2..0.7)."""
    gold = np.array([bool(p.relevant) for p in posts])
    best, best_f1 = 0.5, -1.0
    for threshold in np.arange(0.2, 0.71, 0.025):
        predicted = relevance >= threshold
        tp = float(np.sum(predicted & gold))
        f1 = 2 * tp / max(1.0, float(predicted.sum() + gold.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(round(threshold, 3)), f1
    return best


def frequent_lemmas(
    posts: Sequence[LabelledPost], lemmatizer: Lemmatizer, min_count: int = 2
) -> dict[str, str]:
    """Words seen at least `min_count` times in training, with their lemmas (a warm cache)."""
    counts = Counter(word for post in posts for word in tokens(normalise(post.text)))
    return {word: lemmatizer.lemma(word) for word, n in counts.items() if n >= min_count}


def library_versions() -> dict[str, str]:
    """Versions of the libraries a package depends on, for meta.json."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def label_counts(posts: Sequence[LabelledPost]) -> dict[str, Any]:
    """How many rows of each label a set holds."""
    return {
        "rows": len(posts),
        "relevant": sum(1 for p in posts if p.relevant),
        "not_relevant": sum(1 for p in posts if p.relevant is False),
        "sector": dict(Counter(p.sector for p in posts if p.sector)),
        "risk": dict(Counter(p.risk for p in posts if p.risk)),
    }


def train(
    paths: Sequence[Path | str],
    out: Path | str,
    *,
    model: PostModel | None = None,
    encoder: Encoder | None = None,
    encoder_spec: dict[str, Any] | None = None,
    cv_folds: int = 5,
    tune_threshold: bool = True,
    unknown_words: str = AS_WRITTEN,
    progress: Progress = _quiet,
    posts: Sequence[LabelledPost] | None = None,
    weights: dict[str, float] | None = None,
    extra_meta: dict[str, Any] | None = None,
    extra_posts: Sequence[LabelledPost] = (),
    extra_weight: float = 1.0,
    extra_data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit on the train side of the fixed split, score CV and test, save the package.

    With cross-validation (and `tune_threshold`) the relevance threshold is set to the best
    out-of-fold F1. `unknown_words` (see `Lemmatizer`) is recorded in meta.json, so that
    prediction lemmatises the same way. `posts` (already read; `paths` then only names
    them) and `weights` per source come from a recipe (`classifier.recipe`). `extra_posts`
    (a centre's own labels) all go to the train side, each weighing `extra_weight` rows of
    the files; `extra_data` describes them in meta.json.
    """
    base_posts = list(posts) if posts is not None else read_many(paths)
    posts = [*base_posts, *extra_posts]
    train_posts, test_posts = split(base_posts)
    train_posts += list(extra_posts)
    model = model if model is not None else PostModel()
    lemmatizer = Lemmatizer(unknown_words=unknown_words)
    train_data = prepare(train_posts, lemmatizer, encoder, progress)
    if extra_posts and extra_weight != 1.0:
        train_data.weights = np.array(
            [1.0] * (len(train_posts) - len(extra_posts)) + [extra_weight] * len(extra_posts)
        )
    lemmas = frequent_lemmas(train_posts, lemmatizer)
    cv = None
    candidate = CANDIDATE_THRESHOLD
    model = clone(model)
    if cv_folds > 1:
        out_of_fold = cross_validate(model, train_data, cv_folds, progress, weights)
        if tune_threshold:
            model.set_params(
                relevance_threshold=best_threshold(train_data.posts, out_of_fold.relevance)
            )
        if train_data.dense is not None:
            candidate = candidate_cut(train_data.posts, out_of_fold, model.relevance_threshold)
        cv = out_of_fold.report(train_data.posts, model.relevance_threshold, candidate)
    progress("fit", 1)
    fitted = train_data.fit(model, weights)
    progress("fit", None)
    test_data = prepare(test_posts, lemmatizer, encoder, progress)
    test = None
    if test_posts:
        test = score(test_posts, *predict_heads(fitted, test_data, candidate_threshold=candidate))
    digest = data_hash(posts)
    out = Path(out)
    meta = {
        "model_version": f"{out.name}-{datetime.now(UTC):%Y%m%d}-{digest[:8]}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": {"relevant": [False, True], "sector": list(SECTORS), "risk": list(RISKS)},
        "params": {
            k: list(v) if isinstance(v, tuple) else v for k, v in model.get_params().items()
        },
        "data": {
            "hash": digest,
            "files": [Path(p).name for p in paths],
            "train": label_counts(train_posts),
            "test": label_counts(test_posts),
            **({"centre": {**(extra_data or {}), "weight": extra_weight}} if extra_posts else {}),
        },
        "metrics": {"cv": cv, "test": test},
        "text": {"unknown_words": unknown_words},
        "dense": (
            {**(encoder_spec or {}), "kind": encoder.kind, "dim": int(train_data.dense.shape[1])}
            if encoder is not None and train_data.dense is not None
            else None
        ),
        "libraries": library_versions(),
        **(extra_meta or {}),
    }
    if meta["dense"] is not None:
        meta["dense"].pop("path", None)  # a deployment's folder is config, not part of the model
        meta["candidate_threshold"] = candidate
    save(fitted, out, meta, lemmas)
    return meta
