"""The optional dense encoder: a sentence-transformers model from a local folder.

The test builds a tiny random BERT itself, so it proves the loading and cascade path
without any download (the hub is switched off while it runs). The test extra
installs sentence-transformers and a CPU torch, so this runs in CI; the encoder tests are
skipped only where sentence-transformers is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from classifier import Classifier, ModelError
from classifier.train import train
from tests import classifier_helpers
from tests.classifier_helpers import check_cascade_encodes_only_candidates
from tests.conftest import ROOT

# Shared fixtures, bound here so pytest finds them.
sample_file = classifier_helpers.sample_file

NO_TORCH_AT_STARTUP = """
import sys
from classifier import Classifier
classifier = Classifier.load(sys.argv[1])
assert classifier.encoder is None
classifier.predict([{"id": "a", "text": "Во дворе третий день не вывозят мусор"}])
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
assert not heavy, heavy
"""


def test_classifier_without_encoder_never_imports_torch():
    """Loading and running a model that has no encoder configured keeps torch out (startup)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", NO_TORCH_AT_STARTUP, str(classifier_helpers.DEFAULT_MODEL)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def st():
    """The sentence_transformers module, with the hub switched off; skips where it is missing.

    The hub library reads these variables when it is first imported, which is here.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("TRANSFORMERS_OFFLINE", "1")
        yield pytest.importorskip("sentence_transformers")


LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


@pytest.fixture(scope="module")
def encoder_folder(tmp_path_factory, st):
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("encoder")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *LETTERS, *(f"##{c}" for c in LETTERS)]
    (root / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(root / "vocab.txt"), do_lower_case=True)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )
    hf = root / "hf"
    BertModel(config).save_pretrained(hf)
    tokenizer.save_pretrained(hf)
    # A plain transformers folder loads with mean pooling; saving adds the sentence-transformers
    # module files, giving the layout a deployment's model folder has.
    folder = root / "tiny-st"
    st.SentenceTransformer(str(hf), device="cpu").save(str(folder))
    return folder


@pytest.fixture(scope="module")
def dense_model(tmp_path_factory, sample_file, encoder_folder):
    from classifier.encoder import make_encoder

    spec = {"kind": "sentence-transformers", "path": str(encoder_folder)}
    out = tmp_path_factory.mktemp("models") / "dense"
    train([sample_file], out, encoder=make_encoder(spec), encoder_spec=spec, cv_folds=0)
    return out


def test_meta_names_the_encoder_but_not_its_folder(dense_model):
    meta = json.loads((dense_model / "meta.json").read_text(encoding="utf-8"))
    assert meta["dense"] == {"kind": "sentence-transformers", "dim": 16}


def test_cascade_encodes_only_candidates(dense_model, encoder_folder):
    classifier = Classifier.load(
        dense_model, encoder={"kind": "sentence-transformers", "path": str(encoder_folder)}
    )
    predictions = check_cascade_encodes_only_candidates(classifier)
    assert len(predictions) == 2 and all(p.sector for p in predictions)


def test_dense_model_needs_its_encoder(dense_model):
    with pytest.raises(ModelError, match="classifier.encoder"):
        Classifier.load(dense_model)


def test_encoder_folder_must_hold_a_model(dense_model, tmp_path):
    with pytest.raises(FileNotFoundError):
        Classifier.load(
            dense_model, encoder={"kind": "sentence-transformers", "path": str(tmp_path)}
        )
