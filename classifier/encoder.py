"""Optional dense sentence encoders, loaded from a local folder only (never from a hub)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

SENTENCE_TRANSFORMERS = "sentence-transformers"
NAVEC = "navec"


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


def make_encoder(spec: Mapping[str, object] | None) -> Encoder | None:
    """An encoder from a config dict {kind, path}, or None when none is configured."""
    if not spec:
        return None
    kind = spec.get("kind")
    if kind == NAVEC:
        return NavecEncoder()
    if kind != SENTENCE_TRANSFORMERS:
        raise ValueError(f"unknown encoder kind {kind!r}; expected {SENTENCE_TRANSFORMERS!r}")
    return SentenceTransformerEncoder(Path(str(spec["path"])))
