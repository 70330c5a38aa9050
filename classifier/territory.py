"""The gazetteer: territory names from config matched in any grammatical case."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pymorphy3

_WORD = re.compile(r"[а-яёa-z0-9]+(?:-[а-яёa-z0-9]+)*", re.IGNORECASE)
# Endings a Russian place name takes in the oblique cases, for names pymorphy does not know.
_ENDINGS = {
    "а": ("а", "ы", "и", "е", "у", "ой", "ою"),
    "я": ("я", "и", "е", "ю", "ей", "ею"),
    "ь": ("ь", "и", "ью"),
    "й": ("й", "я", "ю", "е", "ем"),
    "ы": ("ы", "ов", "ам", "ами", "ах"),
    "и": ("и", "ов", "ей", "ям", "ам", "ями", "ами", "ях", "ах"),
    "ое": ("ое", "ого", "ому", "ом", "ым"),
    "ая": ("ая", "ой", "ую", "ою"),
    "ий": ("ий", "ого", "ому", "ом", "им"),
    "ый": ("ый", "ого", "ому", "ом", "ым"),
}
_CONSONANT_ENDINGS = ("", "а", "у", "ом", "е")


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


@dataclass
class Place:
    """One gazetteer entry as it comes from config."""

    name: str
    kind: str = "town"
    district: str | None = None
    aliases: list[str] = field(default_factory=list)


def word_forms(word: str, morph: pymorphy3.MorphAnalyzer) -> set[str]:
    """Every case form of one word of a place name, folded to lowercase without ё."""
    folded = _fold(word)
    forms = {folded}
    for parse in morph.parse(folded):
        # Names come in the nominative: inflect only readings that are nominative, and keep
        # the reading's gender and number ("Ракитное" must not match "ракитная").
        if parse.tag.POS not in ("NOUN", "ADJF") or parse.tag.case not in ("nomn", None):
            continue
        forms.update(
            _fold(form.word)
            for form in parse.lexeme
            if form.tag.number == parse.tag.number
            and (parse.tag.POS == "NOUN" or form.tag.gender == parse.tag.gender)
        )
    for ending, replacements in sorted(_ENDINGS.items(), key=lambda item: -len(item[0])):
        if folded.endswith(ending):
            stem = folded[: -len(ending)]
            forms.update(stem + other for other in replacements)
            break
    else:
        if folded[-1:] not in "аеиоуыэюяь":
            forms.update(folded + other for other in _CONSONANT_ENDINGS)
    return forms


def _covers(outer: tuple[str, int, int, int], inner: tuple[str, int, int, int]) -> bool:
    if not (outer[1] <= inner[1] and inner[2] <= outer[2]):
        return False
    return (outer[2] - outer[1]) > (inner[2] - inner[1]) or outer[3] > inner[3]


@dataclass(frozen=True)
class Pattern:
    """A place name compiled to the set of forms each of its words may take."""

    words: tuple[frozenset[str], ...]
    canonical: str
    priority: int
    capitalised: bool  # the name is also a common word: match it only when written with a capital


def is_common_word(word: str, morph: pymorphy3.MorphAnalyzer) -> bool:
    """Whether a one-word name is an ordinary noun too ("Строитель")."""
    folded = _fold(word)
    if not morph.word_is_known(folded):
        return False
    tag = morph.parse(folded)[0].tag
    return tag.POS == "NOUN" and not ({"Geox", "Name", "Surn", "Patr"} & tag.grammemes)


@dataclass
class Gazetteer:
    """Finds configured places (and their districts) in text, whatever the case."""

    places: list[Place]
    morph: pymorphy3.MorphAnalyzer
    # Each pattern is a tuple of per-word form sets, mapped to the canonical place name.
    patterns: list[Pattern] = field(default_factory=list)
    first_words: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, entries: Iterable[Mapping[str, object] | Place], morph: pymorphy3.MorphAnalyzer
    ) -> Gazetteer:
        """Compile config entries (dicts with name, kind, district, aliases) into patterns."""
        places = [e if isinstance(e, Place) else Place(**dict(e)) for e in entries]  # type: ignore[arg-type]
        gazetteer = cls(places=places, morph=morph)
        seen_districts: set[str] = set()
        for place in places:
            # A settlement named outright beats a district mentioned around it.
            for name in [place.name, *place.aliases]:
                gazetteer._add(name, place.name, priority=2)
            if place.district and place.district not in seen_districts:
                seen_districts.add(place.district)
                centre = next((p.name for p in places if p.district == place.district), place.name)
                gazetteer._add(place.district, centre, priority=1)
        return gazetteer

    def _add(self, phrase: str, canonical: str, priority: int) -> None:
        words = _WORD.findall(phrase)
        if not words:
            return
        pattern = Pattern(
            words=tuple(frozenset(word_forms(w, self.morph)) for w in words),
            canonical=canonical,
            priority=priority,
            capitalised=len(words) == 1 and is_common_word(words[0], self.morph),
        )
        index = len(self.patterns)
        self.patterns.append(pattern)
        for form in pattern.words[0]:
            self.first_words.setdefault(form, []).append(index)

    def find(self, text: str) -> list[tuple[str, int, int, int]]:
        """(canonical name, start, end, priority) of every match, in text order."""
        matches = list(_WORD.finditer(text))
        words = [_fold(m.group()) for m in matches]
        found = []
        for position, word in enumerate(words):
            for index in self.first_words.get(word, ()):
                pattern = self.patterns[index]
                end = position + len(pattern.words)
                if end > len(words) or not all(
                    words[position + k] in forms for k, forms in enumerate(pattern.words)
                ):
                    continue
                if pattern.capitalised and not matches[position].group()[0].isupper():
                    continue
                start_char, end_char = matches[position].start(), matches[end - 1].end()
                found.append((pattern.canonical, start_char, end_char, pattern.priority))
        # A match inside a longer one ("Оскол" in "Новый Оскол") is not a mention of its own,
        # and a town named like its district counts once, as the town.
        return [m for m in dict.fromkeys(found) if not any(_covers(o, m) for o in found)]

    def resolve(self, text: str, hint: str | None = None) -> str | None:
        """The canonical territory of a post: most specific, then most mentioned, then first.

        Without a match in the text, the source's default territory (hint) is used when
        it names a gazetteer place.
        """
        found = self.find(text)
        if found:
            counts: dict[str, list[int]] = {}
            for order, (name, _, _, priority) in enumerate(found):
                best = counts.setdefault(name, [0, 0, -order])
                best[0] = max(best[0], priority)
                best[1] += 1
            return max(counts, key=lambda name: tuple(counts[name]))
        if hint:
            hint_matches = self.find(hint)
            if hint_matches:
                return hint_matches[0][0]
        return None
