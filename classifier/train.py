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

from classifier.corpus import RISKS, SECTORS, LabelledPost, data_hash, read_many, split, stratum
from classifier.encoder import Encoder
from classifier.evaluate import score
from classifier.model import PostModel
from classifier.package import save
from classifier.text import Lemmatizer

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

    @property
    def labels(self) -> list[tuple[object, object, object]]:
        """The `y` rows."""
        return [p.labels for p in self.posts]

    def subset(self, rows: Sequence[int]) -> Prepared:
        """The same data restricted to some rows."""
        return Prepared(
            [self.posts[i] for i in rows],
            [self.lemma_texts[i] for i in rows],
            None if self.dense is None else self.dense[list(rows)],
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


def predict_heads(model: PostModel, data: Prepared) -> tuple[list[bool], list[str], list[str]]:
    """Relevance decisions, sectors and risks of a fitted `PostModel` (no reach rules)."""
    features = model.transform(data.lemma_texts)
    relevance = model.relevance_proba(features)
    if data.dense is not None and model.candidate_ is not None:
        relevance = model.candidate_proba(features, data.dense)
    sector = model.sector_.classes_[np.argmax(model.sector_proba(features, data.dense), axis=1)]
    risk = model.risk_.classes_[np.argmax(model.risk_proba(features, data.dense), axis=1)]
    return (
        list(relevance >= model.relevance_threshold),
        [str(s) for s in sector],
        [str(r) for r in risk],
    )


def cross_validate(
    model: PostModel, data: Prepared, folds: int = 5, progress: Progress = _quiet
) -> dict[str, Any]:
    """Out-of-fold predictions on the training part, scored like a test file."""
    strata = [stratum(p) if p.relevant else "not_relevant" for p in data.posts]
    # Rare label combinations are merged so that every stratum has enough rows per fold.
    counts = Counter(strata)
    strata = [s if counts[s] >= folds else s.split("/")[0] for s in strata]
    counts = Counter(strata)
    strata = [s if counts[s] >= folds else "rare" for s in strata]
    relevant: list[bool] = [False] * len(data.posts)
    sector = [""] * len(data.posts)
    risk = [""] * len(data.posts)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    progress("cv", folds)
    for train_rows, test_rows in splitter.split(np.zeros(len(strata)), strata):
        fold = clone(model).fit(
            data.subset(train_rows).lemma_texts,
            data.subset(train_rows).labels,
            dense=data.subset(train_rows).dense,
        )
        rel, sec, rk = predict_heads(fold, data.subset(test_rows))
        for row, r, s, k in zip(test_rows, rel, sec, rk, strict=True):
            relevant[row], sector[row], risk[row] = r, s, k
        progress("cv", None)
    return score(data.posts, relevant, sector, risk)


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
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Fit on the train side of the fixed split, score CV and test, save the package."""
    posts = read_many(paths)
    train_posts, test_posts = split(posts)
    model = model if model is not None else PostModel()
    lemmatizer = Lemmatizer()
    train_data = prepare(train_posts, lemmatizer, encoder, progress)
    cv = cross_validate(model, train_data, cv_folds, progress) if cv_folds > 1 else None
    progress("fit", 1)
    fitted = clone(model).fit(train_data.lemma_texts, train_data.labels, dense=train_data.dense)
    progress("fit", None)
    test_data = prepare(test_posts, lemmatizer, encoder, progress)
    test = score(test_posts, *predict_heads(fitted, test_data)) if test_posts else None
    digest = data_hash(posts)
    out = Path(out)
    meta = {
        "model_version": f"{out.name}-{datetime.now(UTC):%Y%m%d}-{digest[:8]}",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": {"relevant": [False, True], "sector": list(SECTORS), "risk": list(RISKS)},
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in model.get_params().items()},
        "data": {
            "hash": digest,
            "files": [Path(p).name for p in paths],
            "train": label_counts(train_posts),
            "test": label_counts(test_posts),
        },
        "metrics": {"cv": cv, "test": test},
        "dense": (
            {**(encoder_spec or {}), "kind": encoder.kind, "dim": int(train_data.dense.shape[1])}
            if encoder is not None and train_data.dense is not None
            else None
        ),
        "libraries": library_versions(),
    }
    if meta["dense"] is not None:
        meta["dense"].pop("path", None)  # a deployment's folder is config, not part of the model
    save(fitted, out, meta)
    return meta
