"""The three heads (relevant, sector, risk) over word and character n-grams of lemmas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

RELEVANCE, SECTOR, RISK = 0, 1, 2
# N-gram relevance from which the cascade's dense stage runs, for packages that record none.
CANDIDATE_THRESHOLD = 0.1
HEADS = ("relevance", "sector", "risk")


def _head(C: float, calibration_cv: int) -> BaseEstimator:
    """A linear SVM whose scores are turned into probabilities by Platt scaling."""
    return CalibratedClassifierCV(
        LinearSVC(C=C, class_weight="balanced"),
        method="sigmoid",
        cv=calibration_cv,
        ensemble=False,
    )


def _enough(values: np.ndarray, least: int) -> np.ndarray:
    """Rows whose label is set and shared by at least `least` rows (rarer ones are skipped)."""
    counts = Counter(v for v in values if v is not None)
    return np.array([v is not None and counts[v] >= least for v in values], dtype=bool)


class PostModel(ClassifierMixin, BaseEstimator):
    """Relevance, sector and risk of posts given as lemma strings (see `Lemmatizer`).

    `y` rows are (relevant, sector, risk) with None where a label is missing: the sector
    and risk heads learn only from relevant rows that carry those labels.
    `dense` (optional) adds dense sentence vectors, weighted, to the sector and risk heads
    and to a second relevance head used on candidates (the cascade).
    """

    def __init__(
        self,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        max_word_features: int = 30000,
        max_char_features: int = 50000,
        min_df: int = 2,
        relevance_C: float = 0.3,
        sector_C: float = 0.3,
        risk_C: float = 0.3,
        category_C: float = 0.3,
        calibration_cv: int = 3,
        relevance_threshold: float = 0.5,
        dense_weight: float = 1.0,
    ) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.min_df = min_df
        self.relevance_C = relevance_C
        self.sector_C = sector_C
        self.risk_C = risk_C
        self.category_C = category_C
        self.calibration_cv = calibration_cv
        self.relevance_threshold = relevance_threshold
        self.dense_weight = dense_weight

    def _vectorizer(self) -> FeatureUnion:
        word = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            ngram_range=tuple(self.word_ngrams),
            min_df=self.min_df,
            max_features=self.max_word_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.char_ngrams),
            min_df=self.min_df,
            max_features=self.max_char_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        return FeatureUnion([("word", word), ("char", char)])

    def fit(
        self,
        X: Sequence[str],
        y: Sequence[Sequence[object]],
        dense: np.ndarray | None = None,
        sample_weight: np.ndarray | None = None,
        categories: Sequence[str | None] | None = None,
    ) -> PostModel:
        """Learn the vocabulary and the heads.

        `sample_weight` weighs rows in the relevance head (e.g. per source); `categories`
        (`sector/category` or None per row) adds the problem-category head.
        """
        self.vectorizer_ = self._vectorizer()
        features = self.vectorizer_.fit_transform(X)
        return self.fit_heads(features, y, dense, sample_weight, categories)

    def fit_heads(
        self,
        features: sparse.spmatrix,
        y: Sequence[Sequence[object]],
        dense: np.ndarray | None = None,
        sample_weight: np.ndarray | None = None,
        categories: Sequence[str | None] | None = None,
    ) -> PostModel:
        """Learn the heads from n-gram features of the fitted `vectorizer_` (see `fit`)."""
        labels = np.asarray(y, dtype=object)
        relevant = np.array([bool(v) for v in labels[:, RELEVANCE]])
        self.relevance_ = _head(self.relevance_C, self.calibration_cv).fit(
            features, relevant, sample_weight=sample_weight
        )
        with_dense = self._join(features, dense)
        least = self.calibration_cv + 1  # rows a class needs for the calibration folds
        sector_rows = relevant & _enough(labels[:, SECTOR], least)
        risk_rows = relevant & _enough(labels[:, RISK], least)
        self.sector_ = _head(self.sector_C, self.calibration_cv).fit(
            with_dense[sector_rows], labels[sector_rows, SECTOR].astype(str)
        )
        self.risk_ = _head(self.risk_C, self.calibration_cv).fit(
            with_dense[risk_rows], labels[risk_rows, RISK].astype(str)
        )
        self.category_ = None
        if categories is not None:
            known = np.asarray(categories, dtype=object)
            rows = _enough(known, least)
            if len(set(known[rows])) > 1:
                self.category_ = _head(self.category_C, self.calibration_cv).fit(
                    features[rows], known[rows].astype(str)
                )
        self.dense_dim_ = 0 if dense is None else int(dense.shape[1])
        self.candidate_ = None
        if dense is not None:
            self.candidate_ = clone(self.relevance_).fit(
                with_dense, relevant, sample_weight=sample_weight
            )
        self.classes_ = np.array([False, True])
        return self

    def _join(self, features: sparse.spmatrix, dense: np.ndarray | None) -> sparse.spmatrix:
        if dense is None:
            return features
        weighted = sparse.csr_matrix(np.asarray(dense, dtype=np.float32) * self.dense_weight)
        return sparse.hstack([features, weighted], format="csr")

    def transform(self, X: Sequence[str]) -> sparse.spmatrix:
        """The n-gram features of lemma strings."""
        return self.vectorizer_.transform(X)

    def relevance_proba(self, features: sparse.spmatrix) -> np.ndarray:
        """Probability that each post is relevant, from the n-gram head alone."""
        return self.relevance_.predict_proba(features)[:, 1]

    def candidate_proba(self, features: sparse.spmatrix, dense: np.ndarray) -> np.ndarray:
        """Probability of relevance from n-grams plus dense vectors (second cascade stage)."""
        return self.candidate_.predict_proba(self._join(features, dense))[:, 1]

    def sector_proba(
        self, features: sparse.spmatrix, dense: np.ndarray | None = None
    ) -> np.ndarray:
        """Sector probabilities, columns in `sector_.classes_` order."""
        return self.sector_.predict_proba(self._join(features, dense))

    def risk_proba(self, features: sparse.spmatrix, dense: np.ndarray | None = None) -> np.ndarray:
        """Text risk probabilities, columns in `risk_.classes_` order."""
        return self.risk_.predict_proba(self._join(features, dense))

    def category_proba(self, features: sparse.spmatrix) -> np.ndarray | None:
        """Problem-category probabilities (columns in `category_.classes_`), or None."""
        return None if self.category_ is None else self.category_.predict_proba(features)

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Relevance probabilities as columns (not relevant, relevant): sklearn's contract."""
        p = self.relevance_proba(self.transform(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """Relevance decisions at the model's threshold."""
        return self.predict_proba(X)[:, 1] >= self.relevance_threshold


# Only these classes may be rebuilt from a model file; anything else is refused.
TRUSTED_TYPES = [
    "classifier.model.PostModel",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.preprocessing._label.LabelEncoder",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "builtins.tuple",
]
