"""Text as residents write it: normalisation, tokens (razdel) and lemmas (pymorphy3)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pymorphy3
from razdel import tokenize

# Markers stand in for things whose exact content does not matter to the model but whose
# presence does: a reply to a neighbour starts with a mention, an advert carries a link.
USER_MARK = "xuserx"
GROUP_MARK = "xgroupx"
URL_MARK = "xurlx"
EMOJI_MARK = "xemojix"
CAPS_MARK = "xcapsx"
NUMBER_MARK = "0"

_VK_USER = re.compile(r"\[id\d+\|([^\]]*)\]")
_VK_GROUP = re.compile(r"\[(?:club|public|event)\d+\|([^\]]*)\]")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:ru|рф|com|org|net|su|me|info)(?:/\S*)?")
_DOMAIN_HINT = re.compile(r"://|www\.|\.(?:ru|рф|com|org|net|su|me|info)\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
# Emoji and pictographs: the ranges residents actually use, plus variation selectors.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d\u20e3]+"
)
_HASHTAG = re.compile(r"#(\w+)")
_REPEATS = re.compile(r"(\w)\1{2,}")
_PUNCT_RUN = re.compile(r"([!?])[!?1]+")
_CAMEL = re.compile(r"(?<=[а-яёa-z])(?=[А-ЯЁA-Z])")
_WORD = re.compile(r"[а-яa-z]")
_PLAIN = re.compile(r"[(«\"]*([а-яa-z]+(?:-[а-яa-z]+)?)([,.:;!?)»\"]*)")


def normalise(text: str) -> str:
    """Clean a post for the model: markup to markers, case folded, repeats squeezed."""
    text = _VK_USER.sub(f" {USER_MARK} ", text)
    text = _VK_GROUP.sub(rf" {GROUP_MARK} \1 ", text)
    # The link patterns are slow to scan, so they run only where a cheap hint is found.
    if "@" in text:
        text = _EMAIL.sub(f" {URL_MARK} ", text)
    if _DOMAIN_HINT.search(text):
        text = _URL.sub(f" {URL_MARK} ", text)
    text = _EMOJI.sub(f" {EMOJI_MARK} ", text)
    text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)).replace("_", " ") + " ", text)
    shouting = sum(1 for word in text.split() if len(word) >= 3 and word.isupper()) >= 2
    text = text.lower().replace("ё", "е")
    text = _REPEATS.sub(r"\1", text)
    text = _PUNCT_RUN.sub(r"\1", text)
    text = " ".join(text.split())
    if shouting:
        text = f"{text} {CAPS_MARK}"
    return text


def tokens(text: str) -> list[str]:
    """Words, numbers, markers and the ! and ? marks of a normalised text (razdel).

    A space-separated chunk that is a plain word is a token as it is; razdel splits the
    rest (punctuation, numbers, abbreviations). This gives razdel's tokens several times
    faster, as most chunks of a post are plain words.
    """
    result = []
    for chunk in text.split():
        plain = _PLAIN.fullmatch(chunk)
        if plain:
            word, tail = plain.groups()
            result.append(word)
            if tail:
                result.extend(mark for mark in ("!", "?") if mark in tail)
            continue
        for token in tokenize(chunk):
            value = token.text
            if _WORD.search(value):
                result.append(value.strip("-."))
            elif value[0].isdigit():
                result.append(NUMBER_MARK)
            elif value in ("!", "?"):
                result.append(value)
    return result


@dataclass
class Lemmatizer:
    """pymorphy3 lemmas with a per-word cache; build one and pass it around."""

    morph: pymorphy3.MorphAnalyzer = field(default_factory=pymorphy3.MorphAnalyzer)
    cache: dict[str, str] = field(default_factory=dict)
    max_cache: int = 500_000

    def lemma(self, word: str) -> str:
        """The normal form of one lowercase word (markers and Latin words pass through)."""
        found = self.cache.get(word)
        if found is not None:
            return found
        if word.startswith("x") and word.endswith("x") or not _is_cyrillic(word):
            lemma = word
        else:
            lemma = self.morph.parse(word)[0].normal_form.replace("ё", "е")
        if len(self.cache) < self.max_cache:
            self.cache[word] = lemma
        return lemma

    def lemmas(self, text: str) -> list[str]:
        """Lemmas of a raw post, after normalisation and tokenisation."""
        return [self.lemma(word) for word in tokens(normalise(text))]

    def lemma_text(self, text: str) -> str:
        """The lemmas of a raw post joined by spaces: what the vectorizers read."""
        return " ".join(self.lemmas(text))


def _is_cyrillic(word: str) -> bool:
    return any("а" <= ch <= "я" for ch in word)
