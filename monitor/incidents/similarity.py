"""Are two texts about the same problem? Overlap of their content lemmas."""

from __future__ import annotations

import re
from functools import lru_cache

from razdel import tokenize

_WORD = re.compile(r"^[а-яёa-z][а-яёa-z\-]+$")
_STOP_POS = {"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED"}
_STOP_WORDS = {
    "быть",
    "весь",
    "это",
    "этот",
    "который",
    "мочь",
    "свой",
    "такой",
    "очень",
    "уже",
    "ещё",
    "вообще",
    "просто",
    "сегодня",
    "день",
    "год",
    "раз",
    "человек",
}


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str | None:
    parse = _morph().parse(word)[0]
    if parse.tag.POS in _STOP_POS:
        return None
    lemma = parse.normal_form
    return None if lemma in _STOP_WORDS else lemma


def signature(text: str) -> frozenset[str]:
    """The set of content lemmas of a text (no stop words, no markup)."""
    text = re.sub(r"\[(?:id|club|public)\d+\|([^\]]*)\]", r"\1", text.lower())
    text = re.sub(r"https?://\S+", " ", text)
    lemmas = set()
    for token in tokenize(text):
        word = token.text
        if len(word) > 2 and _WORD.match(word):
            lemma = _lemma(word)
            if lemma:
                lemmas.add(lemma)
    return frozenset(lemmas)


def overlap(first: frozenset[str], second: frozenset[str]) -> float:
    """Overlap coefficient: shared lemmas over the smaller set (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))
