"""Streams: what kind of text a source carries, and the relevance threshold each one reads at.

Signals are a few in a hundred in community groups and one in five or more in comments
under official pages and in residents' appeals, so one threshold cannot serve both
(README, "The classifier", operating point). A configured source's stream comes from the
settings (its `stream`, else a default by kind); a source only the store knows (an
appeals system, an ingested file) keeps the stream it was stored with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitor.config import Settings, SourceSettings
from monitor.config.base import STREAMS

COMMUNITY, OFFICIAL, NEWS, SEARCH, APPEALS = STREAMS
STREAM_NAMES = {
    COMMUNITY: "сообщества",
    OFFICIAL: "госпаблики",
    NEWS: "новости",
    SEARCH: "поиск",
    APPEALS: "обращения",
}
_BY_KIND = {"telegram": NEWS, "rss": NEWS}


def official_sources(settings: Settings) -> set[str]:
    """Names of the configured sources that read an official page (госпаблик)."""
    return {page.source for page in settings.official_pages.pages if page.source}


def source_stream(settings: Settings, source: SourceSettings) -> str:
    """A configured source's stream: its own `stream`, else the default for its kind."""
    if source.stream:
        return source.stream
    if source.name in official_sources(settings):
        return OFFICIAL
    if source.kind == "vk" and (source.keywords or source.geo):
        return SEARCH
    return _BY_KIND.get(source.kind, COMMUNITY)


def stream_of(settings: Settings, name: str, kind: str, stored: str | None) -> str:
    """The stream of a stored source: the settings' for a configured one, else as stored."""
    for source in settings.sources:
        if source.name == name:
            return source_stream(settings, source)
    return stored or _BY_KIND.get(kind, COMMUNITY)


@dataclass(frozen=True)
class Threshold:
    """The relevance threshold of one stream and where it comes from."""

    value: float
    # registry (`otklik models threshold --stream`), config (classifier.relevance_thresholds)
    # or model: the single threshold the classifier loaded with (registry, config or package).
    origin: str


def stream_thresholds(
    settings: Settings, registered: Mapping[str, float] | None, single: float
) -> dict[str, Threshold]:
    """Each stream's threshold: the model's registry entry for the stream, then
    `classifier.relevance_thresholds`, then the single threshold the model loaded with."""
    configured = settings.classifier.relevance_thresholds
    chosen: dict[str, Threshold] = {}
    for stream in STREAMS:
        if registered and stream in registered:
            chosen[stream] = Threshold(float(registered[stream]), "registry")
        elif stream in configured:
            chosen[stream] = Threshold(float(configured[stream]), "config")
        else:
            chosen[stream] = Threshold(float(single), "model")
    return chosen
