"""Fast exact TF-IDF of character n-grams within words, with the n-grams cached per word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass
class CachedCharVectorizer:
    """Gives what a fitted `TfidfVectorizer(analyzer="char_wb")` gives, many times faster.

    char_wb n-grams never cross a space, so a text's n-grams are the union of its words'
    n-grams: each distinct word is analysed once and its known columns are kept.
    """

    vectorizer: TfidfVectorizer
    max_cache: int = 300_000
    cache: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vectorizer.analyzer != "char_wb" or self.vectorizer.norm != "l2":
            raise ValueError("only a char_wb vectorizer with l2 norm can be cached")
        self._analyse = self.vectorizer.build_analyzer()
        self._vocabulary = self.vectorizer.vocabulary_
        self._idf = self.vectorizer.idf_.astype(np.float32)
        self._sublinear = self.vectorizer.sublinear_tf
        self._width = len(self._vocabulary)

    def _columns(self, word: str) -> np.ndarray:
        columns = self.cache.get(word)
        if columns is None:
            found = [self._vocabulary.get(gram) for gram in self._analyse(word)]
            columns = np.array([c for c in found if c is not None], dtype=np.int32)
            if len(self.cache) < self.max_cache:
                self.cache[word] = columns
        return columns

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows, l2-normalised, equal to the wrapped vectorizer's transform."""
        indptr = [0]
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        empty = np.zeros(0, dtype=np.int32)
        for text in texts:
            parts = [self._columns(word) for word in text.split()]
            columns = np.concatenate(parts) if parts else empty
            unique, counts = np.unique(columns, return_counts=True)
            weights = counts.astype(np.float32)
            if self._sublinear:
                weights = 1 + np.log(weights)
            weights *= self._idf[unique]
            norm = float(np.sqrt(np.dot(weights, weights)))
            if norm > 0:
                weights /= norm
            indices.append(unique.astype(np.int32))
            values.append(weights)
            indptr.append(indptr[-1] + len(unique))
        return sparse.csr_matrix(
            (
                np.concatenate(values) if values else np.zeros(0, np.float32),
                np.concatenate(indices) if indices else empty,
                np.array(indptr, dtype=np.int64),
            ),
            shape=(len(texts), self._width),
        )
