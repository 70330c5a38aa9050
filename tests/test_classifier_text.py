"""Normalisation, tokens and lemmas of text as residents write it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier.text import Lemmatizer, normalise, tokens

CASES = Path(__file__).parent / "data" / "classifier_normalise.txt"


def _cases() -> list[tuple[str, str]]:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize(("raw", "expected"), _cases())
def test_normalise_golden(raw, expected):
    assert normalise(raw) == expected


def test_tokens_keep_words_marks_and_numbers():
    assert tokens(normalise("В доме №15 нет воды!!! Когда?")) == [
        "в",
        "доме",
        "0",
        "нет",
        "воды",
        "!",
        "когда",
        "?",
    ]


def test_lemmas_any_case_and_cache():
    lemmatizer = Lemmatizer()
    assert lemmatizer.lemmas("Трубы прорвало в домах") == ["труба", "прорвать", "в", "дом"]
    assert lemmatizer.cache["домах"] == "дом"
    assert lemmatizer.lemma("xuserx") == "xuserx"


def test_lemma_text_of_markup_only_post():
    assert Lemmatizer().lemma_text("[id1|Оля] 👍") == "xuserx xemojix"


@given(st.text(max_size=300))
def test_normalise_never_fails_and_is_idempotent_on_case(text):
    once = normalise(text)
    assert once == once.lower() or "xcapsx" in once
    assert "  " not in once
