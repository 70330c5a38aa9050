"""Copies across sources: one story (reposts of one original, the same link, near-duplicate
text) that appears in many sources within a short time.

Posts are joined into stories by three ties: a repost and its original; the same link
(normalised: no scheme, `www.`/`m.`, tracking parameters or fragment; a bare domain is a
signature, not a story); and near-duplicate text, the overlap of content lemmas that
grouping uses (monitor/incidents/similarity.py) at `copies.min_similarity` or more, between
texts of comparable length (a short reply inside a long text is no copy of it).
Candidate pairs come from an inverted index probed with each text's rarest lemmas (prefix
filtering: two texts overlapping that much must share one of them), so a day of a region is
not compared pair by pair. A story is a risk when some `window_hours` hold it in at least
`min_sources` different sources.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from monitor.config import CopiesSettings
from monitor.incidents.similarity import overlap

URL = re.compile(r"https?://[^\s<>\"'»«)\]]+", re.IGNORECASE)
TRACKING = re.compile(r"^(utm_|fbclid|yclid|gclid|from$|ref$|share)", re.IGNORECASE)
MAX_POSTING = 200  # a lemma shared by more texts than this is not a clue to a story
MIN_SIZE_RATIO = 0.5  # a copy has at least half the content lemmas of the text it copies


@dataclass(frozen=True, slots=True)
class CopyCandidate:
    """What the copies detector reads of a post."""

    post_id: int
    source_id: int
    external_id: str
    published_at: datetime
    text: str
    lemmas: frozenset[str]
    repost_of: str | None = None


@dataclass
class Story:
    """Posts of one story in many sources: the busiest window of it."""

    post_ids: list[int]
    sources: int
    first_at: datetime
    last_at: datetime
    ties: Counter = field(default_factory=Counter)

    @property
    def hours(self) -> float:
        """How long the busiest window lasted, in hours."""
        return (self.last_at - self.first_at).total_seconds() / 3600


def normalise_link(url: str) -> str | None:
    """A link as a story key, or None for a bare domain (a group's signature)."""
    try:
        parts = urlsplit(url.rstrip(".,;:!?"))
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    path = parts.path.rstrip("/")
    if not host or not path:
        return None
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)))
    return f"{host}{path}" + (f"?{query}" if query else "")


def links(text: str) -> set[str]:
    """The story keys of the links in a text."""
    return {key for key in (normalise_link(m.group(0)) for m in URL.finditer(text)) if key}


class _Union:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, first: int, second: int) -> bool:
        a, b = self.find(first), self.find(second)
        if a == b:
            return False
        self.parent[max(a, b)] = min(a, b)
        return True


def find_stories(posts: Sequence[CopyCandidate], settings: CopiesSettings) -> list[Story]:
    """Stories that reach `min_sources` sources within `window_hours`, biggest first."""
    union = _Union(len(posts))
    ties: dict[int, Counter] = defaultdict(Counter)

    def tie(first: int, second: int, kind: str) -> None:
        union.join(first, second)
        ties[first][kind] += 1

    by_external = {post.external_id: index for index, post in enumerate(posts)}
    for index, post in enumerate(posts):
        original = by_external.get(post.repost_of) if post.repost_of else None
        if original is not None:
            tie(index, original, "repost")
    by_link: dict[str, list[int]] = defaultdict(list)
    for index, post in enumerate(posts):
        for key in links(post.text):
            by_link[key].append(index)
    for members in by_link.values():
        for other in members[1:]:
            tie(other, members[0], "link")
    for first, second in _similar_pairs(posts, settings):
        tie(first, second, "text")
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(posts)):
        groups[union.find(index)].append(index)
    stories = []
    window = timedelta(hours=settings.window_hours)
    for members in groups.values():
        if len({posts[i].source_id for i in members}) < settings.min_sources:
            continue
        story = _busiest(posts, members, window)
        if story.sources >= settings.min_sources:
            for index in members:
                story.ties.update(ties.get(index, {}))
            stories.append(story)
    stories.sort(key=lambda s: (-s.sources, s.first_at))
    return stories


def _similar_pairs(
    posts: Sequence[CopyCandidate], settings: CopiesSettings
) -> list[tuple[int, int]]:
    """Pairs of texts whose lemma overlap reaches `min_similarity`, found by prefix filtering."""
    frequency = Counter(lemma for post in posts for lemma in post.lemmas)
    postings: dict[str, list[int]] = defaultdict(list)
    ordered: list[list[str]] = []
    for index, post in enumerate(posts):
        lemmas = sorted(post.lemmas, key=lambda lemma: (frequency[lemma], lemma))
        ordered.append(lemmas)
        if len(lemmas) >= settings.min_lemmas:
            for lemma in lemmas:
                postings[lemma].append(index)
    pairs = []
    for index, lemmas in enumerate(ordered):
        if len(lemmas) < settings.min_lemmas:
            continue
        # Sharing at least min_similarity·|A| lemmas means sharing one of A's first
        # |A| − ⌈t·|A|⌉ + 1 rarest; probing from the smaller text of a pair finds it.
        prefix = len(lemmas) - math.ceil(settings.min_similarity * len(lemmas)) + 1
        seen: set[int] = set()
        for lemma in lemmas[:prefix]:
            members = postings[lemma]
            if len(members) > MAX_POSTING:
                continue
            for other in members:
                if other == index or other in seen:
                    continue
                seen.add(other)
                if len(ordered[other]) < len(lemmas) or (
                    len(ordered[other]) == len(lemmas) and other < index
                ):
                    continue  # the pair is probed from its smaller (or earlier) text
                if len(lemmas) < MIN_SIZE_RATIO * len(ordered[other]):
                    continue  # a short reply inside a long text is not a copy of it
                if overlap(posts[index].lemmas, posts[other].lemmas) >= settings.min_similarity:
                    pairs.append((index, other))
    return pairs


def _busiest(posts: Sequence[CopyCandidate], members: list[int], window: timedelta) -> Story:
    """The window of `window` length holding the story in the most sources."""
    ordered = sorted(members, key=lambda i: posts[i].published_at)
    best = (0, 0, 0)  # sources, first, last (positions in `ordered`)
    start = 0
    counts: Counter = Counter()
    for end, index in enumerate(ordered):
        counts[posts[index].source_id] += 1
        while posts[index].published_at - posts[ordered[start]].published_at > window:
            gone = posts[ordered[start]].source_id
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            start += 1
        if len(counts) > best[0]:
            best = (len(counts), start, end)
    sources, first, last = best
    chosen = ordered[first : last + 1]
    return Story(
        post_ids=[posts[i].post_id for i in chosen],
        sources=sources,
        first_at=posts[chosen[0]].published_at,
        last_at=posts[chosen[-1]].published_at,
    )
