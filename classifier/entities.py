"""Places, streets, organisations and people named in a post (natasha NER + rules)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pymorphy3

BATCH = 32

_STREET = re.compile(
    r"\b(?P<kind>(?i:ул(?:ица|ице|ицу|ицей|ицы|\.)|пр(?:оспект[а-я]*|-т|\.)|пер(?:еул[а-я]*|\.)|"
    r"бульвар[а-я]*|б-р|шоссе|площад[ьи]|пл\.|мкр-?н?\.?|микрорайон[а-я]*|проезд[а-я]*))"
    r"\s*(?P<name>(?:\d+-?(?:[йяго]{1,2})?\s+)?[А-ЯЁа-яё][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?)"
)
_STREET_KINDS = {
    "ул": ("улица", "femn"),
    "пр": ("проспект", "masc"),
    "пе": ("переулок", "masc"),
    "бу": ("бульвар", "masc"),
    "б-": ("бульвар", "masc"),
    "шо": ("шоссе", "neut"),
    "пл": ("площадь", "femn"),
    "мк": ("микрорайон", "masc"),
    "ми": ("микрорайон", "masc"),
}


@dataclass(frozen=True)
class Entity:
    """A named thing in a post: LOC, ORG, STREET or PER, as written and normalised."""

    kind: str
    text: str
    normal: str


@lru_cache(maxsize=1)
def _ner() -> Any:
    """natasha's news NER, loaded once per process (embeddings are ~50 MB)."""
    from natasha import NewsEmbedding, NewsNERTagger

    tagger = NewsNERTagger(NewsEmbedding())
    tagger.batch_size = BATCH
    return tagger


def _tag(texts: Sequence[str]) -> list[Any]:
    """NER markups of texts, in their order.

    The tagger pads every text of a batch to the longest one, so texts go in by length
    (each text's tags do not depend on its neighbours). Its convolutions are small matrix
    products, for which a second BLAS thread costs more CPU than it saves on a shared machine.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with _blas().limit(limits=1, user_api="blas"):
        markups = list(_ner().map([texts[i] for i in order]))
    result: list[Any] = [None] * len(texts)
    for position, i in enumerate(order):
        result[i] = markups[position]
    return result


@lru_cache(maxsize=1)
def _blas() -> Any:
    """The process's BLAS thread pools (threadpoolctl), looked up once."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _inflect_phrase(words: list[str], morph: pymorphy3.MorphAnalyzer) -> str:
    """Nominative of a place or person phrase, adjectives agreeing with the head noun."""
    parses = [morph.parse(w)[0] for w in words]
    head = next((p for p in reversed(parses) if p.tag.POS == "NOUN"), None)
    result = []
    for word, parse in zip(words, parses, strict=True):
        grammemes = {"nomn"}
        if parse.tag.POS in ("ADJF", "PRTF") and head is not None:
            grammemes |= {g for g in (head.tag.gender, head.tag.number) if g}
            if head.tag.number == "plur":
                grammemes.discard(head.tag.gender)
        inflected = parse.inflect(grammemes) if parse.tag.POS in ("NOUN", "ADJF", "PRTF") else None
        form = inflected.word if inflected else word.lower()
        result.append(form.capitalize() if word[:1].isupper() else form)
    return " ".join(result)


def _street_name(kind: str, name: str, morph: pymorphy3.MorphAnalyzer) -> str:
    """'улица Садовая' from 'ул. Садовой'; names in the genitive ('Ленина') stay as they are."""
    full, gender = _STREET_KINDS.get(kind.lower()[:2], ("улица", "femn"))
    words = name.split()
    normal = []
    for word in words:
        parse = morph.parse(word)[0]
        if parse.tag.POS == "ADJF":
            inflected = parse.inflect({"nomn", "sing", gender})
            normal.append((inflected.word if inflected else word).capitalize())
        else:
            normal.append(word[:1].upper() + word[1:])
    return f"{full} {' '.join(normal)}"


@dataclass
class EntityExtractor:
    """Runs NER on a batch of texts and adds streets found by rules."""

    morph: pymorphy3.MorphAnalyzer

    def extract(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of every text, in order of appearance, without repeats."""
        if not texts:
            return []
        results = []
        for text, markup in zip(texts, _tag(texts), strict=True):
            found: list[Entity] = []
            streets = [(m.start(), m.end()) for m in _STREET.finditer(text)]
            for m in _STREET.finditer(text):
                if not m.group("kind").lower().startswith("ул") and m.group("name")[0].islower():
                    continue  # "на площади перед ..." names no street
                normal = _street_name(m.group("kind"), m.group("name"), self.morph)
                found.append(Entity("STREET", m.group().strip(), normal))
            for span in markup.spans:
                if any(s <= span.start < e for s, e in streets):
                    continue
                fragment = text[span.start : span.stop]
                words = fragment.split()
                if span.type in ("LOC", "PER"):
                    normal = _inflect_phrase(words, self.morph)
                else:
                    normal = fragment.strip("«»\"' ")
                found.append(Entity(span.type, fragment, normal))
            results.append(list(dict.fromkeys(found)))
        return results
