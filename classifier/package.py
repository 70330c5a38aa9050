"""Model packages on disk: a folder with meta.json, vectorizers.json and arrays.npz.

Nothing in a package is unpickled: json and npz (allow_pickle=False) only, and every file
is checked against the sha256 recorded in meta.json before it is read.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from classifier.features import CachedCharVectorizer, FastWordVectorizer
from classifier.heads import LinearHead, rebuild_vectorizer, vectorizer_state
from classifier.meta import FORMAT_VERSION, META, ModelError, read_meta  # noqa: F401
from classifier.model import PostModel

VECTORIZERS = "vectorizers.json"
ARRAYS = "arrays.npz"
LEMMAS = "lemmas.json"


@dataclass
class TextModel:
    """What prediction needs from a package: vectorizers and the calibrated heads."""

    word: Any
    char: Any
    relevance: LinearHead
    sector: LinearHead
    risk: LinearHead
    candidate: LinearHead | None
    dense_weight: float
    relevance_threshold: float
    lemmas: dict[str, str]
    category: LinearHead | None = None  # problem categories (`sector/category`), if trained

    def features(self, lemma_texts: list[str]) -> sparse.csr_matrix:
        """Word and character n-gram TF-IDF of lemma strings."""
        return sparse.hstack(
            [self.word.transform(lemma_texts), self.char.transform(lemma_texts)], format="csr"
        )

    def features_of_words(self, lemmas: list[list[str]]) -> sparse.csr_matrix:
        """`features` of lemma strings given as their lemmas (lowercase, no spaces inside)."""
        return sparse.hstack(
            [self.word.transform_words(lemmas), self.char.transform_words(lemmas)], format="csr"
        )

    def with_dense(self, features: sparse.csr_matrix, dense: np.ndarray | None) -> Any:
        """Append weighted dense vectors to n-gram features, when the model uses them."""
        if dense is None:
            return features
        block = sparse.csr_matrix(np.asarray(dense, dtype=np.float32) * self.dense_weight)
        return sparse.hstack([features, block], format="csr")


def export(model: PostModel) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The json part and the arrays of a fitted `PostModel`."""
    vectorizers: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    for name, vectorizer in model.vectorizer_.transformer_list:
        settings, idf = vectorizer_state(vectorizer)
        vectorizers[name] = settings
        arrays[f"{name}.idf"] = idf
    heads = {"relevance": model.relevance_, "sector": model.sector_, "risk": model.risk_}
    if model.candidate_ is not None:
        heads["candidate"] = model.candidate_
    if getattr(model, "category_", None) is not None:
        heads["category"] = model.category_
    classes = {}
    for name, head in heads.items():
        linear = LinearHead.from_calibrated(head)
        arrays.update(linear.arrays(name))
        classes[name] = linear.classes
    vectorizers["classes"] = classes
    vectorizers["dense_weight"] = model.dense_weight
    vectorizers["dense_dim"] = model.dense_dim_
    return vectorizers, arrays


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(
    model: PostModel,
    folder: Path | str,
    meta: dict[str, Any],
    lemmas: dict[str, str] | None = None,
) -> Path:
    """Write a package; meta.json gets the format version and every file's sha256.

    `lemmas` (frequent training words and their lemmas) warms the lemma cache on load.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vectorizers, arrays = export(model)
    (folder / VECTORIZERS).write_text(
        json.dumps(vectorizers, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    np.savez_compressed(folder / ARRAYS, **arrays)
    (folder / LEMMAS).write_text(
        json.dumps(lemmas or {}, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    meta = dict(meta)
    meta["format_version"] = FORMAT_VERSION
    meta["relevance_threshold"] = model.relevance_threshold
    meta["files"] = {name: sha256_file(folder / name) for name in (VECTORIZERS, ARRAYS, LEMMAS)}
    (folder / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return folder


def _checked_bytes(folder: Path, name: str, meta: dict[str, Any]) -> bytes:
    expected = meta.get("files", {}).get(name)
    path = folder / name
    if not expected:
        raise ModelError(f"{folder / META}: нет контрольной суммы файла {name}")
    if not path.is_file():
        raise ModelError(f"В модели {folder} нет файла {name}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelError(f"Файл {path} изменён или повреждён: контрольная сумма не совпадает")
    return data


def load(folder: Path | str) -> tuple[TextModel, dict[str, Any]]:
    """Read a package after checking every file's sha256; returns the model and its meta."""
    folder = Path(folder)
    meta = read_meta(folder)
    vectorizers = json.loads(_checked_bytes(folder, VECTORIZERS, meta).decode("utf-8"))
    with np.load(io.BytesIO(_checked_bytes(folder, ARRAYS, meta)), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    classes = vectorizers["classes"]
    heads = {
        name: LinearHead.from_arrays(arrays, name, classes[name])
        for name in ("relevance", "sector", "risk", "candidate", "category")
        if name in classes
    }
    model = TextModel(
        word=FastWordVectorizer(rebuild_vectorizer(vectorizers["word"], arrays["word.idf"])),
        char=CachedCharVectorizer(rebuild_vectorizer(vectorizers["char"], arrays["char.idf"])),
        relevance=heads["relevance"],
        sector=heads["sector"],
        risk=heads["risk"],
        candidate=heads.get("candidate"),
        dense_weight=float(vectorizers["dense_weight"]),
        relevance_threshold=float(meta.get("relevance_threshold", 0.5)),
        lemmas=json.loads(_checked_bytes(folder, LEMMAS, meta).decode("utf-8")),
        category=heads.get("category"),
    )
    return model, meta
