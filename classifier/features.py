"""Fast exact TF-IDF transforms of lemma strings: word n-grams and character n-grams.

Both give what the wrapped, fitted `TfidfVectorizer` gives (to float32 rounding), many times
faster: n-grams are looked up with plain dict operations, and the counting, weighting and
normalisation of a whole batch are done at once with NumPy/SciPy instead of text by text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, pairwise, repeat

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_EMPTY = np.zeros(0, dtype=np.int32)


class _Tfidf:
    """Shared part: checks the settings and turns column lists into TF-IDF rows."""

    analyzer = ""

    def _setup(self, vectorizer: TfidfVectorizer) -> None:
        if (
            vectorizer.analyzer != self.analyzer
            or vectorizer.norm != "l2"
            or not vectorizer.use_idf
            or vectorizer.binary
            or not vectorizer.lowercase
            or vectorizer.strip_accents is not None
            or vectorizer.preprocessor is not None
            or vectorizer.tokenizer is not None
            or vectorizer.stop_words is not None
        ):
            raise ValueError(f"only a plain {self.analyzer} vectorizer with l2 norm can be used")
        self._vocabulary = vectorizer.vocabulary_
        self._idf = vectorizer.idf_.astype(np.float32)
        self._sublinear = bool(vectorizer.sublinear_tf)
        self._width = len(self._vocabulary)
        self._min_n, self._max_n = vectorizer.ngram_range

    def _tfidf(self, columns: np.ndarray, lengths: list[int]) -> sparse.csr_matrix:
        """Rows of TF-IDF from every row's columns (repeats allowed), `lengths` per row."""
        rows = len(lengths)
        indptr = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        counts = sparse.csr_matrix(
            (np.ones(len(columns), dtype=np.float32), columns, indptr),
            shape=(rows, self._width),
        )
        counts.sum_duplicates()  # sorts each row's columns and adds up repeats (C++)
        return self._weigh(counts)

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """TF-IDF, l2-normalised by row, from a matrix of counts (changed in place)."""
        data = counts.data
        if self._sublinear:
            np.log(data, out=data)
            data += 1
        data *= self._idf[counts.indices]
        rows = counts.shape[0]
        row_of = np.repeat(np.arange(rows), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=rows))
        norms[norms == 0] = 1
        data /= norms[row_of].astype(np.float32)
        counts.indices = counts.indices.astype(np.int32, copy=False)
        return counts


@dataclass
class _PackedGrams:
    """Character n-grams as integers, so that new words are analysed with array operations.

    Each character of the vocabulary gets a code 1..A of `bits` bits; an n-gram is its codes
    packed into one integer (the first code is never 0, so lengths cannot collide).
    """

    alphabet: np.ndarray  # sorted code points of the vocabulary's characters
    bits: int
    codes: np.ndarray  # packed n-grams of the vocabulary, sorted
    term_columns: np.ndarray  # their columns
    min_n: int
    max_n: int

    @classmethod
    def build(cls, vocabulary: dict[str, int], min_n: int, max_n: int) -> _PackedGrams | None:
        """Packed codes of a vocabulary, or None where they do not fit (then strings are used).

        Words shorter than `min_n` (with their spaces) would be counted whole: so min_n <= 3.
        """
        alphabet = sorted({ch for term in vocabulary for ch in term})
        bits = max(1, len(alphabet).bit_length())
        longest = max((len(term) for term in vocabulary), default=0)
        if min_n > 3 or bits * max_n > 62 or longest > max_n:
            return None
        index = {ch: i + 1 for i, ch in enumerate(alphabet)}
        packed = np.zeros(len(vocabulary), dtype=np.int64)
        columns = np.zeros(len(vocabulary), dtype=np.int64)
        for row, (term, column) in enumerate(vocabulary.items()):
            code = 0
            for ch in term:
                code = (code << bits) | index[ch]
            packed[row], columns[row] = code, column
        order = np.argsort(packed)
        return cls(
            alphabet=np.array([ord(ch) for ch in alphabet], dtype=np.uint32),
            bits=bits,
            codes=packed[order],
            term_columns=columns[order].astype(np.int32),
            min_n=min_n,
            max_n=max_n,
        )

    def _lookup(self, values: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each value sits in a sorted table, and whether it is there."""
        if not len(table):
            return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
        where = np.minimum(np.searchsorted(table, values), len(table) - 1)
        return where, table[where] == values

    def of_words(self, words: list[str]) -> dict[str, np.ndarray]:
        """Known columns of every word's n-grams (those of `" " + word.lower() + " "`)."""
        padded = [f" {word.lower()} " for word in words]
        sizes = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        points = np.frombuffer(
            "".join(padded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32
        )
        where, known = self._lookup(points, self.alphabet)
        codes = np.where(known, where + 1, 0).astype(np.int64)
        owner = np.repeat(np.arange(len(words)), sizes)
        found_words, found_columns = [], []
        for n in range(self.min_n, self.max_n + 1):
            count = len(codes) - n + 1
            if count <= 0:
                break
            packed = np.zeros(count, dtype=np.int64)
            valid = owner[:count] == owner[n - 1 :]  # within one word
            for k in range(n):
                part = codes[k : k + count]
                packed = (packed << self.bits) | part
                valid &= part > 0  # a character the vocabulary lacks: no such n-gram
            starts = np.flatnonzero(valid)
            where, known = self._lookup(packed[starts], self.codes)
            found_words.append(owner[starts[known]])
            found_columns.append(self.term_columns[where[known]])
        owners = np.concatenate(found_words) if found_words else np.zeros(0, dtype=np.int64)
        order = np.argsort(owners, kind="stable")
        columns = (np.concatenate(found_columns) if found_columns else _EMPTY)[order]
        bounds = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(np.bincount(owners, minlength=len(words)), out=bounds[1:])
        ends = bounds.tolist()
        return {word: columns[ends[i] : ends[i + 1]] for i, word in enumerate(words)}


@dataclass
class CachedCharVectorizer(_Tfidf):
    """What a fitted `TfidfVectorizer(analyzer="char_wb")` gives, with n-grams cached per word.

    char_wb n-grams never cross a space, so a text's n-grams are the union of its words'
    n-grams: each distinct word is analysed once and its known columns are kept.
    """

    vectorizer: TfidfVectorizer
    max_cache: int = 300_000
    cache: dict[str, np.ndarray] = field(default_factory=dict)
    analyzer = "char_wb"

    def __post_init__(self) -> None:
        self._setup(self.vectorizer)
        self._packed: _PackedGrams | None = _PackedGrams.build(
            self._vocabulary, self._min_n, self._max_n
        )

    def _grams(self, word: str) -> list[str]:
        """A word's n-grams, as sklearn's `_char_wb_ngrams` makes them."""
        padded = f" {word.lower()} "
        size = len(padded)
        grams: list[str] = []
        for n in range(self._min_n, self._max_n + 1):
            if n >= size:  # a short word is counted once, whole
                grams.append(padded)
                break
            grams += [padded[i : i + n] for i in range(size - n + 1)]
        return grams

    def _learn(self, words: list[str]) -> dict[str, np.ndarray]:
        """Known columns of the n-grams of new words, looked up in one pass; cached."""
        if self._packed is not None:
            learned = self._packed.of_words(words)
        else:
            learned = self._learn_slowly(words)
        room = self.max_cache - len(self.cache)
        if room > 0:
            self.cache.update(islice(learned.items(), room))
        return learned

    def _learn_slowly(self, words: list[str]) -> dict[str, np.ndarray]:
        """`_learn` by slicing strings: for any n-gram range."""
        grams = [self._grams(word) for word in words]
        flat = list(chain.from_iterable(grams))
        columns = np.fromiter(
            map(self._vocabulary.get, flat, repeat(-1)), dtype=np.int32, count=len(flat)
        )
        known = columns >= 0
        kept = np.zeros(len(flat) + 1, dtype=np.int64)
        np.cumsum(known, out=kept[1:])
        ends = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum([len(g) for g in grams], out=ends[1:])
        bounds = kept[ends].tolist()
        columns = columns[known]
        return {word: columns[bounds[i] : bounds[i + 1]] for i, word in enumerate(words)}

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows, l2-normalised, equal to the wrapped vectorizer's transform."""
        return self.transform_words([text.split() for text in texts])

    def transform_words(self, texts: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """`transform` of texts given as their words (the texts' `split()`).

        Counting is a sparse product: (texts x distinct words) @ (distinct words x n-grams).
        """
        ids: dict[str, int] = {}
        found: list[int] = []
        lengths: list[int] = []
        add = found.append
        for words in texts:
            for word in words:
                i = ids.get(word)
                if i is None:
                    i = ids[word] = len(ids)
                add(i)
            lengths.append(len(words))
        cached = self.cache.get
        parts = [cached(word) for word in ids]
        missing = [word for word, part in zip(ids, parts, strict=True) if part is None]
        if missing:
            learned = self._learn(missing)
            parts = [
                learned[word] if part is None else part
                for word, part in zip(ids, parts, strict=True)
            ]
        sizes = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=sizes[1:])
        grams = sparse.csr_matrix(
            (
                np.ones(int(sizes[-1]), dtype=np.float32),
                np.concatenate(parts) if parts else _EMPTY,
                sizes,
            ),
            shape=(len(parts), self._width),
        )
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        words = sparse.csr_matrix(
            (np.ones(len(found), dtype=np.float32), np.array(found, dtype=np.int64), indptr),
            shape=(len(lengths), len(parts)),
        )
        # Columns in order within each row (as sklearn gives them, so that later sums run in
        # the same order): a round trip through CSC sorts them in linear time.
        counts = (words @ grams).tocsc().tocsr()
        return self._weigh(counts)


@dataclass
class FastWordVectorizer(_Tfidf):
    """What a fitted `TfidfVectorizer(analyzer="word", token_pattern=r"\\S+")` gives."""

    vectorizer: TfidfVectorizer
    analyzer = "word"

    def __post_init__(self) -> None:
        if self.vectorizer.token_pattern != r"\S+":
            raise ValueError(r"only a word vectorizer with token_pattern \S+ can be used")
        self._setup(self.vectorizer)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows, l2-normalised, equal to the wrapped vectorizer's transform."""
        return self.transform_words([text.lower().split() for text in texts])

    def transform_words(self, texts: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """`transform` of texts given as their lowercase words (the texts' `split()`)."""
        get = self._vocabulary.get
        low, high = self._min_n, self._max_n
        found: list[int] = []
        lengths: list[int] = []
        for words in texts:
            start = len(found)
            if low == 1:
                found.extend(map(get, words, repeat(-1)))
            if low <= 2 <= high:
                found.extend(map(get, map(" ".join, pairwise(words)), repeat(-1)))
            for n in range(max(low, 3), min(high, len(words)) + 1):
                grams = (" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
                found.extend(map(get, grams, repeat(-1)))
            lengths.append(len(found) - start)
        # Unknown n-grams (-1) are dropped, and each row's length with them.
        known = np.array(found, dtype=np.int64)
        keep = known >= 0
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        kept = np.concatenate([[0], np.cumsum(keep)])[offsets]
        return self._tfidf(known[keep].astype(np.int32), np.diff(kept).tolist())
