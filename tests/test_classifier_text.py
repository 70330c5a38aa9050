"""Normalisation, tokens and lemmas of text as residents write it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier.text import (
    GUESS,
    Lemmatizer,
    normalise,
    normalised_words,
    razdel_chunk,
    tokens,
)

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


# Chunks that exercise razdel's join rules: dashes, floats, fractions, smiles, endings, other.
RAZDEL_CHUNKS = [
    "10:10",
    "75%.",
    "$10,7",
    "3–4",
    "2025–2030",
    "17-летний",
    "(12-е",
    "кое-где",
    "а--б",
    "**жирный**",
    "[ссылка](",
    "т.е.",
    "1/2",
    "5\\6",
    ":-)",
    "=(((",
    "...?!",
    "yahoo!",
    "snake_case_слово",
    "×××слово",
    "δp",
    "15кв",
    "яндексgo",
    "«**метаболизм",
    "-",
    "",
]


@pytest.mark.parametrize("chunk", RAZDEL_CHUNKS)
def test_razdel_chunk_matches_razdel(chunk):
    from razdel import tokenize

    assert razdel_chunk(chunk) == [token.text for token in tokenize(chunk)]


@given(st.text(alphabet="аяёaz09.,:;!?-–—_/\\()[]«»\"'*=%$#@…≈×😀", max_size=12))
def test_razdel_chunk_matches_razdel_on_any_chunk(text):
    from razdel import tokenize

    for chunk in text.split():
        assert razdel_chunk(chunk) == [token.text for token in tokenize(chunk)]


@given(st.text(alphabet="ааАББ_1!.?#@[]|  \n", max_size=30))
def test_normalised_words_are_the_split_of_normalise(text):
    assert normalised_words(text) == normalise(text).split()


# Ambiguous forms (the order of pymorphy3's parses matters), ё, hyphens, short words.
KNOWN_WORDS = ["стекло", "мыла", "печь", "дома", "ели", "стали", "всё", "её", "берёт", "кое-где"]
KNOWN_WORDS += ["по-моему", "трубы", "прорвало", "вода", "управляющая", "жкх", "ул", "т", "я"]


@pytest.mark.parametrize("word", KNOWN_WORDS)
def test_lemma_shortcut_matches_pymorphy(word):
    lemmatizer = Lemmatizer(unknown_words=GUESS)
    expected = lemmatizer.morph.parse(word)[0].normal_form.replace("ё", "е")
    assert lemmatizer.lemma(word) == expected


def test_unknown_words_as_written_or_guessed():
    word = "хвиттерами"  # not in the dictionary
    assert not Lemmatizer().morph.word_is_known(word)
    assert Lemmatizer().lemma(word) == word
    guessed = Lemmatizer(unknown_words=GUESS)
    assert guessed.lemma(word) == guessed.morph.parse(word)[0].normal_form
    with pytest.raises(ValueError, match="unknown_words"):
        Lemmatizer(unknown_words="stem")


def test_chunk_cache_gives_the_same_lemmas():
    lemmatizer = Lemmatizer()
    text = "Трубы прорвало в домах, т.е. 15кв... воды нет!!! Когда?"
    first = lemmatizer.lemmas(text)
    assert lemmatizer.chunks  # the second call reads the chunk cache
    assert lemmatizer.lemmas(text) == first
    assert first == [lemmatizer.lemma(word) for word in tokens(normalise(text))]


def test_recall_prefers_remembered_lemmas():
    lemmatizer = Lemmatizer(max_recent=2)
    lemmatizer.remember("a", ["x"])
    assert lemmatizer.recall("a") == ["x"]
    lemmatizer.remember("b", ["y"])
    lemmatizer.remember("c", ["z"])
    assert "a" not in lemmatizer.recent  # the oldest is dropped
    assert lemmatizer.recall("Трубы") == ["труба"]
