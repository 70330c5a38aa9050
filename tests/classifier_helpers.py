"""Shared pieces of the classifier tests: a small labelled sample and a model trained on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.corpus import project_files, read_many
from tests.conftest import ROOT

DEFAULT_MODEL = ROOT / "models" / "default"
PER_FILE = 150  # rows taken from each corpus part: enough for every label, trains in seconds


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Write dicts as JSONL (UTF-8)."""
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    return path


def sample_rows() -> list[dict]:
    """A slice of the project corpus as plain dicts, spread over each file.

    Rows are taken at an even stride, so a file written sector by sector still gives
    every sector a share of the slice.
    """
    rows = []
    for path in project_files():
        posts = read_many([path])
        for post in posts[:: max(1, len(posts) // PER_FILE)][:PER_FILE]:
            rows.append(
                {
                    "id": post.id,
                    "text": post.text,
                    "relevant": post.relevant,
                    "sector": post.sector,
                    "risk": post.risk,
                }
            )
    return rows


@pytest.fixture(scope="session")
def sample_file(tmp_path_factory) -> Path:
    """The sample as a JSONL file."""
    return write_jsonl(tmp_path_factory.mktemp("corpus") / "sample.jsonl", sample_rows())


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, sample_file) -> Path:
    """A model package trained on the sample (no cross-validation)."""
    from classifier.train import train

    out = tmp_path_factory.mktemp("models") / "tiny"
    train([sample_file], out, cv_folds=0)
    return out


CASCADE_POSTS = [
    {"id": "s", "text": "Во дворе на Садовой третий день не вывозят мусор, контейнеры полные"},
    {"id": "n", "text": "[id1|Оля], 👍"},
]


def check_cascade_encodes_only_candidates(classifier) -> list:
    """Predict CASCADE_POSTS; assert the encoder saw exactly the first stage's candidates."""
    seen: list[str] = []
    encode = classifier.encoder.encode

    def counting(texts):
        seen.extend(texts)
        return encode(texts)

    classifier.encoder.encode = counting
    first_stage = classifier.relevance([p["text"] for p in CASCADE_POSTS])
    predictions = classifier.predict(CASCADE_POSTS)
    expected = [
        p["text"]
        for p, proba in zip(CASCADE_POSTS, first_stage, strict=True)
        if proba >= classifier.candidate_threshold
    ]
    assert seen == expected
    return predictions
