"""Text as residents write it: normalisation, tokens (razdel) and lemmas (pymorphy3)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pymorphy3
from razdel.segmenters.punct import DASHES as _DASHES
from razdel.segmenters.punct import ENDINGS as _ENDINGS
from razdel.segmenters.tokenize import ATOM as _ATOM
from razdel.segmenters.tokenize import SMILE as _SMILE

# Markers stand in for things whose exact content does not matter to the model but whose
# presence does: a reply to a neighbour starts with a mention, an advert carries a link.
USER_MARK = "xuserx"
GROUP_MARK = "xgroupx"
URL_MARK = "xurlx"
EMOJI_MARK = "xemojix"
CAPS_MARK = "xcapsx"
NUMBER_MARK = "0"

# How a word missing from the dictionary is lemmatised (`Lemmatizer.unknown_words`).
AS_WRITTEN = "as_written"
GUESS = "guess"
UNKNOWN_WORDS = (AS_WRITTEN, GUESS)

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
_TRIPLE = re.compile(r"(.)\1\1", re.DOTALL)
_PUNCT_RUN = re.compile(r"([!?])[!?1]+")
_CAMEL = re.compile(r"(?<=[а-яёa-z])(?=[А-ЯЁA-Z])")
_WORD = re.compile(r"[а-яa-z]")
_CYRILLIC = re.compile(r"[а-я]")
_PLAIN = re.compile(r"[(«\"]*([а-яa-z]+(?:-[а-яa-z]+)?)([,.:;!?)»\"]*)")


def normalise(text: str) -> str:
    """Clean a post for the model: markup to markers, case folded, repeats squeezed."""
    return " ".join(normalised_words(text))


def normalised_words(text: str) -> list[str]:
    """`normalise(text).split()`, without joining the words only to split them again."""
    # Each pattern runs only where a cheap test shows it can match: same result, less work.
    if "[" in text:
        text = _VK_USER.sub(f" {USER_MARK} ", text)
        text = _VK_GROUP.sub(rf" {GROUP_MARK} \1 ", text)
    if "@" in text:
        text = _EMAIL.sub(f" {URL_MARK} ", text)
    if _DOMAIN_HINT.search(text):
        text = _URL.sub(f" {URL_MARK} ", text)
    text = _EMOJI.sub(f" {EMOJI_MARK} ", text)
    if "#" in text:
        text = _HASHTAG.sub(
            lambda m: " " + _CAMEL.sub(" ", m.group(1)).replace("_", " ") + " ", text
        )
    shouting = sum(1 for word in text.split() if len(word) >= 3 and word.isupper()) >= 2
    text = text.lower().replace("ё", "е")
    # Any character three times in a row is rare and cheap to look for; a word character
    # three times in a row (what _REPEATS squeezes) is rarer still.
    if _TRIPLE.search(text) and _REPEATS.search(text):
        text = _REPEATS.sub(r"\1", text)
    if "!" in text or "?" in text:
        text = _PUNCT_RUN.sub(r"\1", text)
    words = text.split()
    if shouting:
        words.append(CAPS_MARK)
    return words


def tokens(text: str) -> list[str]:
    """Words, numbers, markers and the ! and ? marks of a normalised text (razdel's rules).

    A space-separated chunk that is a plain word is a token as it is; the rest (punctuation,
    numbers, abbreviations) is split by `razdel_chunk`, which gives razdel's tokens.
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
        for value in razdel_chunk(chunk):
            if _WORD.search(value):
                result.append(value.strip("-."))
            elif value[0].isdigit():
                result.append(NUMBER_MARK)
            elif value in ("!", "?"):
                result.append(value)
    return result


_RU, _LAT, _INT, _PUNCT, _OTHER = "RU", "LAT", "INT", "PUNCT", "OTHER"
_TEXTUAL = (_OTHER, _RU, _LAT)


def razdel_chunk(chunk: str) -> list[str]:
    """The tokens `razdel.tokenize` finds in a text without spaces, several times faster.

    The same atoms (razdel's own pattern) and the same join rules, in razdel's order: dash,
    underscore, float, fraction, punct, other, yahoo; without razdel's objects per atom.
    """
    atoms = [(m.lastgroup, m.group()) for m in _ATOM.finditer(chunk)]
    if not atoms:
        return []
    result = []
    buffer = atoms[0][1]
    for i in range(1, len(atoms)):
        if _joins(atoms, i, buffer):
            buffer += atoms[i][1]
        else:
            result.append(buffer)
            buffer = atoms[i][1]
    result.append(buffer)
    return result


def _joins(atoms: list[tuple[str, str]], i: int, buffer: str) -> bool:
    """Whether razdel joins atom i to the token before it (`buffer`)."""
    left_type, left = atoms[i - 1]
    right_type, right = atoms[i]
    # The 2112 rules (dash, underscore, float, fraction) look one atom further out.
    for delimiters, needs_int in ((_DASHES, False), ("_", False), (".,", True), ("/\\", True)):
        exact = delimiters == "_"
        if (left == delimiters) if exact else (left in delimiters):
            outer_left = atoms[i - 2] if i >= 2 else None
            outer_right = atoms[i]
        elif (right == delimiters) if exact else (right in delimiters):
            outer_left = atoms[i - 1]
            outer_right = atoms[i + 1] if i + 1 < len(atoms) else None
        else:
            continue
        if outer_left is None or outer_right is None:
            continue
        if needs_int:
            if outer_left[0] == _INT and outer_right[0] == _INT:
                return True
        elif outer_left[0] != _PUNCT and outer_right[0] != _PUNCT:
            return True
    if left_type == _PUNCT and right_type == _PUNCT:
        if _SMILE.match(buffer + right):
            return True
        if left in _ENDINGS and right in _ENDINGS:
            return True
        if left + right in ("--", "**"):
            return True
    if left_type == _OTHER and right_type in _TEXTUAL:
        return True
    if left_type in _TEXTUAL and right_type == _OTHER:
        return True
    return left.lower() == "yahoo" and right == "!"


@dataclass
class Lemmatizer:
    """pymorphy3 lemmas with per-word and per-chunk caches; build one and pass it around."""

    morph: pymorphy3.MorphAnalyzer = field(default_factory=pymorphy3.MorphAnalyzer)
    cache: dict[str, str] = field(default_factory=dict)
    max_cache: int = 500_000
    # A word the dictionary does not know (a name, a typo, new slang) is kept as written
    # (AS_WRITTEN), or its lemma is guessed by pymorphy3's analysis of unknown words (GUESS):
    # a guess costs ten times a dictionary word, and for a typo it is seldom right.
    unknown_words: str = AS_WRITTEN
    # A chunk is a space-separated piece of a normalised text ("дома,", "т.е.", "15:30"):
    # its lemmas depend on it alone, so each distinct chunk is tokenised and lemmatised once.
    chunks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_chunks: int = 300_000
    # Lemmas of the latest posts found relevant, for the grouping step that follows.
    recent: dict[str, list[str]] = field(default_factory=dict)
    max_recent: int = 4096

    def __post_init__(self) -> None:
        if self.unknown_words not in UNKNOWN_WORDS:
            raise ValueError(
                f"unknown_words must be one of {UNKNOWN_WORDS}: {self.unknown_words!r}"
            )
        dictionary = self.morph.dictionary
        self._similar = dictionary.words.similar_items
        self._substitutes = self.morph.char_substitutes
        self._normal_form = dictionary.build_normal_form
        self._tag = dictionary.build_tag_info
        estimator = self.morph.prob_estimator
        self._prob = estimator.p_t_given_w.prob if estimator is not None else None
        # The shortcut below assumes pymorphy3's stock Russian setup: the dictionary unit
        # first, with only single-letter initials beside it.
        first = self.morph._units[0][0]  # noqa: SLF001
        self._fast = type(first).__name__ == "DictionaryAnalyzer" and self._prob is not None

    def lemma(self, word: str) -> str:
        """The normal form of one lowercase word (markers and Latin words pass through)."""
        found = self.cache.get(word)
        if found is not None:
            return found
        if word.startswith("x") and word.endswith("x") or not _is_cyrillic(word):
            lemma = word
        else:
            lemma = self._parse(word).replace("ё", "е")
        if len(self.cache) < self.max_cache:
            self.cache[word] = lemma
        return lemma

    def _parse(self, word: str) -> str:
        """`morph.parse(word)[0].normal_form`, without building Parse objects for known words.

        For a word in the dictionary pymorphy3 keeps the dictionary parses (single-letter
        initials aside) and orders them by P(tag | word), stably; the first one's normal form
        is computed here directly. Other words are kept as written, or take the full analysis.
        """
        lower = word.lower()
        found = self._similar(lower, self._substitutes) if len(word) > 1 else None
        if not found:
            if found is not None and self.unknown_words == AS_WRITTEN:
                return lower
            return self.morph.parse(word)[0].normal_form
        if not self._fast:
            return self.morph.parse(word)[0].normal_form
        candidates = [(fixed, para, idx) for fixed, pairs in found for para, idx in pairs]
        best = candidates[0]
        # Parses of one lexeme (same paradigm, same spelling) share the normal form; only
        # different lexemes need P(tag | word) to pick one.
        if len({(fixed, para) for fixed, para, _ in candidates}) > 1:
            probs = [self._prob(lower, self._tag(para, idx)) for _, para, idx in candidates]
            top = max(probs)
            if top > 0:
                best = candidates[probs.index(top)]
        fixed, para, idx = best
        return self._normal_form(para, idx, fixed)

    def chunk_lemmas(self, chunk: str) -> tuple[str, ...]:
        """Lemmas of the tokens of one space-free chunk of a normalised text (cached)."""
        found = self.chunks.get(chunk)
        if found is None:
            plain = _PLAIN.fullmatch(chunk)
            if plain:  # most chunks: a word, perhaps with punctuation around
                word, tail = plain.groups()
                found = (self.lemma(word),)
                if tail:
                    found += tuple(mark for mark in ("!", "?") if mark in tail)
            else:
                found = tuple(self.lemma(word) for word in tokens(chunk))
            if len(self.chunks) < self.max_chunks:
                self.chunks[chunk] = found
        return found

    def lemmas(self, text: str) -> list[str]:
        """Lemmas of a raw post, after normalisation and tokenisation."""
        result: list[str] = []
        get, extend = self.chunks.get, result.extend
        for chunk in normalised_words(text):
            found = get(chunk)
            extend(found if found is not None else self.chunk_lemmas(chunk))
        return result

    def remember(self, text: str, lemmas: list[str]) -> None:
        """Keep a post's lemmas for `recall` (the oldest are dropped beyond `max_recent`)."""
        self.recent[text] = lemmas
        if len(self.recent) > self.max_recent:
            del self.recent[next(iter(self.recent))]

    def recall(self, text: str) -> list[str]:
        """Lemmas of a post: remembered ones if the post was just classified, else computed."""
        found = self.recent.get(text)
        return list(found) if found is not None else self.lemmas(text)

    def lemma_text(self, text: str) -> str:
        """The lemmas of a raw post joined by spaces: what the vectorizers read."""
        return " ".join(self.lemmas(text))


def _is_cyrillic(word: str) -> bool:
    return _CYRILLIC.search(word) is not None
