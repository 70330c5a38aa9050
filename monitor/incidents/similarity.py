"""Are two texts about the same problem? Overlap of their content lemmas."""

from __future__ import annotations

from functools import lru_cache

from classifier.text import Lemmatizer

# Function words and words every complaint shares: they say nothing about which problem.
_STOP = frozenset(
    """и в во не на с со что как а то все всё она он оно они мы вы я ты так его ее её их
    это этот тот там тут уже еще ещё же бы ли или но да нет ни по до из за от для при про
    под над без через у к о об обо весь свой мой наш ваш который такой быть мочь очень
    просто вообще опять снова сегодня вчера завтра день год раз когда где кто почему
    сколько можно нужно надо человек житель улица город поселок село дом""".split()
)


@lru_cache(maxsize=1)
def _lemmatizer() -> Lemmatizer:
    return Lemmatizer()


def signature(text: str, lemmatizer: Lemmatizer | None = None) -> frozenset[str]:
    """The set of content lemmas of a text (no stop words, markers or numbers).

    Pass the classifier's lemmatizer to share its caches (and the lemmas of the posts it
    has just classified).
    """
    return frozenset(
        lemma
        for lemma in (lemmatizer or _lemmatizer()).recall(text)
        if len(lemma) > 2 and lemma not in _STOP and not lemma.startswith("x")
    )


def overlap(first: frozenset[str], second: frozenset[str]) -> float:
    """Overlap coefficient: shared lemmas over the smaller set (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))
