"""Territories are the configured ones: a name or alias from config, never free text.

A post's territory hint (from its source or its record) and an officer's correction both
name a place of `territories:`; an alias or another case gives the canonical name. An
unknown hint is kept on the post but leaves the incident's territory unknown (it is routed
to the centre); an unknown correction is refused.
"""

from __future__ import annotations

from functools import lru_cache

from monitor.config import Settings
from monitor.errors import InputError


def _key(value: str) -> str:
    return " ".join(value.replace("ё", "е").replace("Ё", "Е").split()).casefold()


@lru_cache(maxsize=16)
def _names(places: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for name, aliases in places:
        for spelling in (name, *aliases):
            names.setdefault(_key(spelling), name)
    return names


def territory_names(settings: Settings) -> dict[str, str]:
    """Every spelling of a configured territory (folded) → its canonical name."""
    return _names(tuple((t.name, tuple(t.aliases)) for t in settings.territories))


def known_territory(settings: Settings, value: str | None) -> str | None:
    """The canonical name of a configured territory, or None for anything else.

    Without a gazetteer in config, any non-empty name is taken as it is.
    """
    if not value or not value.strip():
        return None
    names = territory_names(settings)
    if not names:
        return value.strip()
    return names.get(_key(value))


def require_territory(settings: Settings, value: str) -> str:
    """The canonical name of a configured territory; an unknown one is an InputError."""
    found = known_territory(settings, value)
    if found is None:
        known = sorted(set(territory_names(settings).values()))
        shown = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
        raise InputError(f"Неизвестная территория: {value!r:.60} (есть: {shown})")
    return found
