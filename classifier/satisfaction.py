"""The residents' reaction model: satisfied / not satisfied / no clear reaction to an answer.

Word 1–2-grams and character 2–5-grams (TF-IDF over the classifier's normalised text) and one
multinomial logistic regression. A package is a folder with meta.json (labels, metrics, sha256
of every file), vectorizers.json and arrays.npz: nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from classifier.heads import rebuild_vectorizer, vectorizer_state
from classifier.text import normalise

LABELS = ("satisfied", "not_satisfied", "unclear")
FORMAT = "otklik-satisfaction/1"
META, VECTORIZERS, ARRAYS = "meta.json", "vectorizers.json", "arrays.npz"


class ReactionModelError(ValueError):
    """A reaction package is missing, damaged or of another format."""


@dataclass(frozen=True)
class Reaction:
    """The model's reading of one text."""

    verdict: str  # satisfied, not_satisfied or unclear
    probability: float  # of the most likely class
    probabilities: dict[str, float]


@dataclass
class ReactionModel:
    """Vectorizers plus the linear model's weights."""

    word: TfidfVectorizer
    char: TfidfVectorizer
    coef: np.ndarray  # classes × features
    intercept: np.ndarray
    labels: tuple[str, ...]

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        """TF-IDF of the normalised texts."""
        clean = [normalise(text) for text in texts]
        return sparse.hstack([self.word.transform(clean), self.char.transform(clean)], "csr")

    def proba(self, texts: list[str]) -> np.ndarray:
        """Class probabilities, rows in input order, columns in `labels` order."""
        scores = self.features(texts) @ self.coef.T + self.intercept
        scores = np.asarray(scores) - np.max(scores, axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def read(self, texts: list[str], min_probability: float = 0.0) -> list[Reaction]:
        """Each text's reaction; a top class below `min_probability` is `unclear`."""
        if not texts:
            return []
        found = []
        for row in self.proba(texts):
            best = int(np.argmax(row))
            verdict = self.labels[best] if row[best] >= min_probability else "unclear"
            found.append(
                Reaction(
                    verdict,
                    float(row[best]),
                    {label: float(p) for label, p in zip(self.labels, row, strict=True)},
                )
            )
        return found


def fit(texts: list[str], labels: list[str], *, c: float = 4.0) -> ReactionModel:
    """Train on texts and their labels (balanced class weights)."""
    clean = [normalise(text) for text in texts]
    word = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=r"\S+", sublinear_tf=True, min_df=1
    )
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    features = sparse.hstack([word.fit_transform(clean), char.fit_transform(clean)], "csr")
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(features, labels)
    order = [list(model.classes_).index(label) for label in LABELS if label in model.classes_]
    return ReactionModel(
        word,
        char,
        model.coef_[order].astype(np.float32),
        model.intercept_[order].astype(np.float32),
        tuple(model.classes_[i] for i in order),
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(model: ReactionModel, folder: Path | str, meta: dict[str, Any]) -> None:
    """Write the package; meta.json records the sha256 of every other file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    word_state, word_idf = vectorizer_state(model.word)
    char_state, char_idf = vectorizer_state(model.char)
    (folder / VECTORIZERS).write_text(
        json.dumps({"word": word_state, "char": char_state}, ensure_ascii=False), "utf-8"
    )
    coef = sparse.csr_matrix(model.coef)
    np.savez_compressed(
        folder / ARRAYS,
        word_idf=word_idf,
        char_idf=char_idf,
        coef_data=coef.data,
        coef_indices=coef.indices,
        coef_indptr=coef.indptr,
        coef_shape=np.array(coef.shape),
        intercept=model.intercept,
    )
    meta = {
        **meta,
        "format": FORMAT,
        "labels": list(model.labels),
        "files": {name: _sha256(folder / name) for name in (VECTORIZERS, ARRAYS)},
    }
    (folder / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")


def load(folder: Path | str) -> tuple[ReactionModel, dict[str, Any]]:
    """Read a package after checking its format and every file's sha256."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / META).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ReactionModelError(f"Модель реакций не читается: {folder} ({exc})") from None
    if meta.get("format") != FORMAT:
        raise ReactionModelError(f"Модель реакций {folder}: неизвестный формат")
    for name, expected in meta.get("files", {}).items():
        path = folder / name
        if not path.exists() or _sha256(path) != expected:
            raise ReactionModelError(f"Модель реакций {folder}: файл {name} повреждён")
    states = json.loads((folder / VECTORIZERS).read_text("utf-8"))
    with np.load(folder / ARRAYS, allow_pickle=False) as arrays:
        coef = sparse.csr_matrix(
            (arrays["coef_data"], arrays["coef_indices"], arrays["coef_indptr"]),
            shape=tuple(arrays["coef_shape"]),
        ).toarray()
        model = ReactionModel(
            rebuild_vectorizer(states["word"], arrays["word_idf"]),
            rebuild_vectorizer(states["char"], arrays["char_idf"]),
            coef,
            arrays["intercept"],
            tuple(meta["labels"]),
        )
    return model, meta
