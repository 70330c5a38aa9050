"""N-gram counts of every text a bench touches, analysed once; each fit then picks its own
vocabulary and idf from the counts of its training rows alone.

What `PostModel.fit`'s vectorizers would learn from those rows (terms with df ≥ min_df, the
`max_*_features` most frequent, idf from the training rows, sublinear tf, l2 norm), without
analysing the same texts again for every held-out check (the features equal sklearn's; a
test checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import FeatureUnion

from classifier.heads import rebuild_vectorizer
from classifier.model import PostModel


@dataclass
class _Counts:
    """One analyser's counts: texts x every n-gram seen, and the n-grams' strings."""

    matrix: sparse.csr_matrix
    terms: np.ndarray
    analyzer: str
    ngram_range: tuple[int, int]
    token_pattern: str | None


@dataclass
class Vocabulary:
    """The columns, idf and fitted vectorizer one fit chose for one analyser."""

    columns: np.ndarray  # into the counts' columns, in the vectorizer's (alphabetical) order
    idf: np.ndarray


class NgramCounts:
    """Word and character n-gram counts of a fixed list of lemma strings."""

    def __init__(self, texts: Sequence[str], model: PostModel) -> None:
        self.index = {text: i for i, text in enumerate(dict.fromkeys(texts))}
        unique = list(self.index)
        word = CountVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            ngram_range=tuple(model.word_ngrams),
            dtype=np.float32,
        )
        char = CountVectorizer(
            analyzer="char_wb", ngram_range=tuple(model.char_ngrams), dtype=np.float32
        )
        self.parts = []
        for name, vectorizer in (("word", word), ("char", char)):
            matrix = vectorizer.fit_transform(unique).tocsr()
            terms = vectorizer.get_feature_names_out()
            pattern = r"\S+" if name == "word" else vectorizer.token_pattern
            self.parts.append(
                _Counts(matrix, terms, vectorizer.analyzer, vectorizer.ngram_range, pattern)
            )
        self.limits = (model.max_word_features, model.max_char_features)
        self.min_df = model.min_df

    def rows(self, texts: Sequence[str]) -> np.ndarray:
        """Row numbers of texts (all must have been counted)."""
        return np.array([self.index[t] for t in texts], dtype=np.int64)

    def fit(self, texts: Sequence[str]) -> list[Vocabulary]:
        """Each analyser's vocabulary and idf as a vectorizer fitted on `texts` would have."""
        rows = self.rows(texts)
        found = []
        for counts, limit in zip(self.parts, self.limits, strict=True):
            sub = counts.matrix[rows]
            df = np.bincount(sub.indices, minlength=sub.shape[1])
            keep = np.flatnonzero(df >= self.min_df)
            if limit is not None and len(keep) > limit:
                tfs = np.asarray(sub.sum(axis=0)).ravel()[keep]
                keep = keep[np.argsort(-tfs)[:limit]]  # the sort sklearn uses: same ties
            keep = keep[np.argsort(counts.terms[keep])]  # alphabetical, as sklearn orders them
            n = len(rows)
            idf = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)
            found.append(Vocabulary(keep, idf))
        return found

    def features(self, texts: Sequence[str], vocabulary: list[Vocabulary]) -> sparse.csr_matrix:
        """TF-IDF features of counted texts in a fit's vocabulary (sublinear tf, l2 norm)."""
        rows = self.rows(texts)
        blocks = []
        for counts, chosen in zip(self.parts, vocabulary, strict=True):
            sub = counts.matrix[rows][:, chosen.columns].tocsr().astype(np.float32)
            sub.data = np.log(sub.data) + 1
            blocks.append(sub @ sparse.diags(chosen.idf))
        # Each block is normalised on its own (FeatureUnion of two l2-normed vectorizers).
        out = []
        for block in blocks:
            norm = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
            norm[norm == 0] = 1
            out.append(sparse.diags(1 / norm) @ block)
        return sparse.hstack(out, format="csr").astype(np.float32)

    def vectorizer(self, vocabulary: list[Vocabulary]) -> FeatureUnion:
        """The FeatureUnion a `PostModel` would hold for this vocabulary."""
        pairs = []
        for name, counts, chosen in zip(("word", "char"), self.parts, vocabulary, strict=True):
            settings = {
                "analyzer": counts.analyzer,
                "ngram_range": list(counts.ngram_range),
                "token_pattern": counts.token_pattern,
                "sublinear_tf": True,
                "terms": [str(t) for t in counts.terms[chosen.columns]],
            }
            pairs.append((name, rebuild_vectorizer(settings, chosen.idf)))
        return FeatureUnion(pairs)
