"""Model packages: saved as json + npz, checked by sha256 before loading, same predictions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier import Classifier, ModelError
from classifier.corpus import read_jsonl
from classifier.model import PostModel
from classifier.package import ARRAYS, META, load, save
from classifier.text import Lemmatizer
from tests import classifier_helpers

# Shared fixtures, bound here so pytest finds them.
sample_file = classifier_helpers.sample_file
tiny_model = classifier_helpers.tiny_model


def test_meta_records_what_the_issue_asks(tiny_model):
    meta = json.loads((tiny_model / META).read_text(encoding="utf-8"))
    assert meta["format_version"] == 1
    assert len(meta["labels"]["sector"]) == 15 and meta["labels"]["risk"][-1] == "critical"
    assert len(meta["data"]["hash"]) == 64
    assert {"scikit-learn", "pymorphy3", "razdel"} <= set(meta["libraries"])
    assert set(meta["files"]) == {"vectorizers.json", ARRAYS, "lemmas.json"}
    test = meta["metrics"]["test"]
    assert {"relevance", "sector", "risk"} <= set(test)
    assert "per_class" in test["sector"]


def test_exported_heads_match_sklearn(tmp_path, sample_file):
    posts = read_jsonl(sample_file)
    lemmatizer = Lemmatizer()
    texts = [lemmatizer.lemma_text(p.text) for p in posts]
    model = PostModel(calibration_cv=2).fit(texts, [p.labels for p in posts])
    save(model, tmp_path / "m", {"model_version": "t"})
    runtime, _ = load(tmp_path / "m")
    features = runtime.features(texts[:40])
    expected = model.sector_.predict_proba(model.transform(texts[:40]))
    got = runtime.sector.proba(features)
    # Coefficients are stored as float16: probabilities agree closely, decisions exactly.
    assert np.abs(got - expected).max() < 0.02
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).mean() > 0.97
    relevance = runtime.relevance.proba(features)[:, 1]
    assert np.abs(relevance - model.predict_proba(texts[:40])[:, 1]).max() < 0.02


def _copy(source, target):
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def test_tampered_file_is_refused(tmp_path, tiny_model):
    folder = _copy(tiny_model, tmp_path / "m")
    data = bytearray((folder / ARRAYS).read_bytes())
    data[-10] ^= 0xFF
    (folder / ARRAYS).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="контрольная сумма"):
        Classifier.load(folder)


def test_other_format_version_is_refused(tmp_path, tiny_model):
    folder = _copy(tiny_model, tmp_path / "m")
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    meta["format_version"] = 99
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="формат модели 99"):
        Classifier.load(folder)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="не найдена"):
        Classifier.load(tmp_path / "nothing")


def test_npz_holds_no_objects(tiny_model):
    with np.load(tiny_model / ARRAYS, allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)


def test_cached_char_ngrams_equal_sklearn(tiny_model):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from classifier.features import CachedCharVectorizer

    texts = ["нет вода в дом xuserx !", "", "яма яма на дорога", "новое слово ёжик"]
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    reference.fit(["нет вода дом дорога яма", "слово ещё одно"])
    cached = CachedCharVectorizer(reference)
    expected = reference.transform(texts)
    assert abs(cached.transform(texts) - expected).max() < 1e-6
    assert abs(cached.transform(texts) - expected).max() < 1e-6  # second pass from the cache


def test_fast_word_ngrams_equal_sklearn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from classifier.features import FastWordVectorizer

    texts = ["нет вода в дом xuserx !", "", "яма яма на дорога", "новый\tслово  ежик", "Дом"]
    reference = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True)
    reference.fit(["нет вода дом дорога яма", "вода в дом", "слово еще одно яма на"])
    fast = FastWordVectorizer(reference)
    assert abs(fast.transform(texts) - reference.transform(texts)).max() < 1e-6
    with pytest.raises(ValueError, match="word vectorizer"):
        FastWordVectorizer(TfidfVectorizer(token_pattern=r"\w+").fit(["a b"]))


def test_unknown_lemmatisation_setting_is_checked(tmp_path, tiny_model):
    folder = _copy(tiny_model, tmp_path / "m")
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    assert meta["text"] == {"unknown_words": "as_written"}
    assert Classifier.load(folder).lemmatizer.unknown_words == "as_written"
    meta["text"] = {"unknown_words": "stem"}
    (folder / META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="лемматизации"):
        Classifier.load(folder)


def test_packages_without_the_setting_guess_unknown_lemmas():
    from tests.classifier_helpers import DEFAULT_MODEL

    meta = json.loads((DEFAULT_MODEL / META).read_text(encoding="utf-8"))
    expected = (meta.get("text") or {}).get("unknown_words", "guess")
    assert Classifier.load(DEFAULT_MODEL).lemmatizer.unknown_words == expected
