"""The runtime form of a trained model: plain arrays, no pickled objects.

A fitted `PostModel` is exported to vocabularies, idf weights, linear coefficients and
Platt-scaling parameters; these are all a prediction needs, and they load from npz/json
without running any code from the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass
class LinearHead:
    """A linear scorer with one-vs-rest sigmoid calibration (as CalibratedClassifierCV)."""

    classes: list[str]
    coef: np.ndarray  # (n_scores, n_features); one row when binary
    intercept: np.ndarray  # (n_scores,)
    calib_a: np.ndarray  # (n_scores,)
    calib_b: np.ndarray  # (n_scores,)

    @classmethod
    def from_calibrated(cls, head: CalibratedClassifierCV) -> LinearHead:
        """Take the single fitted estimator and its calibrators (ensemble=False)."""
        inner = head.calibrated_classifiers_[0]
        return cls(
            classes=[str(c) for c in head.classes_],
            coef=np.asarray(inner.estimator.coef_, dtype=np.float32),
            intercept=np.asarray(inner.estimator.intercept_, dtype=np.float32),
            calib_a=np.array([c.a_ for c in inner.calibrators], dtype=np.float64),
            calib_b=np.array([c.b_ for c in inner.calibrators], dtype=np.float64),
        )

    def proba(self, features: sparse.spmatrix | np.ndarray) -> np.ndarray:
        """Calibrated probabilities, one column per entry of `classes`."""
        scores = features @ self.coef.T.astype(np.float32) + self.intercept
        scores = np.asarray(scores, dtype=np.float64)
        calibrated = expit(-(self.calib_a * scores + self.calib_b))
        if len(self.classes) == 2:
            positive = calibrated[:, 0]
            return np.column_stack([1 - positive, positive])
        total = calibrated.sum(axis=1, keepdims=True)
        uniform = np.full_like(calibrated, 1 / len(self.classes))
        return np.divide(calibrated, total, out=uniform, where=total != 0)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The head's arrays for an npz file; coefficients stored as float16 to stay small."""
        return {
            f"{prefix}.coef": self.coef.astype(np.float16),
            f"{prefix}.intercept": self.intercept,
            f"{prefix}.calib_a": self.calib_a,
            f"{prefix}.calib_b": self.calib_b,
        }

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], prefix: str, classes: list[str]
    ) -> LinearHead:
        """Rebuild a head saved by `arrays`."""
        return cls(
            classes=classes,
            coef=arrays[f"{prefix}.coef"].astype(np.float32),
            intercept=arrays[f"{prefix}.intercept"],
            calib_a=arrays[f"{prefix}.calib_a"],
            calib_b=arrays[f"{prefix}.calib_b"],
        )


def vectorizer_state(vectorizer: TfidfVectorizer) -> tuple[dict[str, object], np.ndarray]:
    """Settings plus terms in column order (json) and idf weights (npz) of a fitted vectorizer."""
    terms = [""] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        terms[column] = term
    settings = {
        "analyzer": vectorizer.analyzer,
        "ngram_range": list(vectorizer.ngram_range),
        "token_pattern": vectorizer.token_pattern,
        "sublinear_tf": vectorizer.sublinear_tf,
        "terms": terms,
    }
    return settings, vectorizer.idf_.astype(np.float32)


def rebuild_vectorizer(settings: dict[str, object], idf: np.ndarray) -> TfidfVectorizer:
    """A TfidfVectorizer that transforms exactly as the saved one did."""
    terms = settings["terms"]
    assert isinstance(terms, list)
    vectorizer = TfidfVectorizer(
        analyzer=settings["analyzer"],  # type: ignore[arg-type]
        ngram_range=tuple(settings["ngram_range"]),  # type: ignore[arg-type]
        token_pattern=settings["token_pattern"],  # type: ignore[arg-type]
        sublinear_tf=bool(settings["sublinear_tf"]),
        vocabulary={term: column for column, term in enumerate(terms)},
        dtype=np.float32,
    )
    # With a fixed vocabulary fitting only checks it; the learned idf is then put back.
    vectorizer.fit(["x"])
    vectorizer.idf_ = idf.astype(np.float64)
    return vectorizer
