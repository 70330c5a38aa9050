"""The negativity model: is a text negative toward the authorities (anger, mockery,
distrust aimed at the administration, a body or an official) or a call to collective action?

One score, the probability that it is either: lemma word 1–2-grams and character 2–5-grams
within words (TF-IDF, as the post model), a linear SVM with sigmoid calibration. Calls to
collective action are too rare in the labelled texts (5 in 857) for a class of their own, so
they count as positives and `calls_to_action` names them by their wording. Saved as a package
like the post model (meta.json with every file's sha256, vectorizers.json, arrays.npz):
nothing is unpickled. Trained and measured by `python -m classifier.negativity_train`.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from classifier.heads import LinearHead, rebuild_vectorizer, vectorizer_state
from classifier.package import (
    ARRAYS,
    FORMAT_VERSION,
    META,
    VECTORIZERS,
    ModelError,
    _checked_bytes,
    read_meta,
    sha256_file,
)
from classifier.text import Lemmatizer

LABELS = ("negative", "action", "neither")  # as labelled; the model learns risk vs neither
KIND = "negativity"
POSITIVE = "risk"
ACTION = re.compile(
    r"петици|подписыва|подпиши|митинг|пикет|объединяйтесь|все вместе|всем миром|всем двором"
    r"|собер[её]мся|давайте (все|вместе|напишем|пойд[её]м|выйдем)"
    r"|коллективн\w* (жалоб|иск|обращ)"
    r"|выход(и|ите|им) на (улиц|площад)|бойкот|накидайте лайк",
    re.IGNORECASE,
)


def calls_to_action(text: str) -> bool:
    """Whether a text calls for collective action (petitions, rallies, joint complaints)."""
    return ACTION.search(text) is not None


class NegativityModel:
    """`predict_proba` gives, per text, the probability that it is negative toward the
    authorities or a call to collective action."""

    def __init__(self, c: float = 0.5, min_df: int = 1, lemmatizer: Lemmatizer | None = None):
        self.c = c
        self.min_df = min_df
        self.lemmatizer = lemmatizer

    def _lemma_texts(self, texts: Sequence[str]) -> list[str]:
        if self.lemmatizer is None:
            self.lemmatizer = Lemmatizer()
        return [self.lemmatizer.lemma_text(text) for text in texts]

    def _features(self, lemma_texts: list[str]) -> sparse.csr_matrix:
        return sparse.hstack(
            [self.word_.transform(lemma_texts), self.char_.transform(lemma_texts)], format="csr"
        )

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> NegativityModel:
        """Fit on texts and their labels (each one of LABELS)."""
        unknown = set(labels) - set(LABELS)
        if unknown:
            raise ValueError(f"unknown negativity labels: {sorted(unknown)}")
        targets = [POSITIVE if label != "neither" else "neither" for label in labels]
        lemma_texts = self._lemma_texts(texts)
        self.word_ = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            ngram_range=(1, 2),
            min_df=self.min_df,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit(lemma_texts)
        self.char_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            min_df=max(self.min_df, 2),
            sublinear_tf=True,
            dtype=np.float32,
        ).fit(lemma_texts)
        head = CalibratedClassifierCV(
            LinearSVC(C=self.c, class_weight="balanced"), cv=3, ensemble=False, method="sigmoid"
        )
        head.fit(self._features(lemma_texts), targets)
        self.head_ = LinearHead.from_calibrated(head)
        return self

    def predict_proba(self, texts: Sequence[str]) -> list[float]:
        """For each text, the probability that it is negative toward the authorities."""
        if not texts:
            return []
        proba = self.head_.proba(self._features(self._lemma_texts(texts)))
        column = self.head_.classes.index(POSITIVE)
        return [float(value) for value in proba[:, column]]

    def save(self, folder: Path | str, meta: dict[str, Any]) -> Path:
        """Write the package: meta.json (with sha256 of each file), vectorizers.json, arrays.npz."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        vectorizers: dict[str, Any] = {"classes": self.head_.classes}
        arrays: dict[str, np.ndarray] = dict(self.head_.arrays("head"))
        for name, vectorizer in (("word", self.word_), ("char", self.char_)):
            vectorizers[name], arrays[f"{name}.idf"] = vectorizer_state(vectorizer)
        (folder / VECTORIZERS).write_text(
            json.dumps(vectorizers, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        np.savez_compressed(folder / ARRAYS, **arrays)
        meta = {**meta, "kind": KIND, "format_version": FORMAT_VERSION, "labels": list(LABELS)}
        meta["files"] = {name: sha256_file(folder / name) for name in (VECTORIZERS, ARRAYS)}
        (folder / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path | str, lemmatizer: Lemmatizer | None = None) -> NegativityModel:
        """Read a package after checking every file's sha256."""
        folder = Path(folder)
        meta = read_meta(folder)
        if meta.get("kind") != KIND:
            raise ModelError(f"{folder}: это не модель негатива (kind={meta.get('kind')!r})")
        vectorizers = json.loads(_checked_bytes(folder, VECTORIZERS, meta).decode("utf-8"))
        data = _checked_bytes(folder, ARRAYS, meta)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        model = cls(lemmatizer=lemmatizer)
        model.word_ = rebuild_vectorizer(vectorizers["word"], arrays["word.idf"])
        model.char_ = rebuild_vectorizer(vectorizers["char"], arrays["char.idf"])
        model.head_ = LinearHead.from_arrays(arrays, "head", vectorizers["classes"])
        model.meta_ = meta
        return model
