"""The small base every collector stands on: a source's state in, batches of posts out."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from monitor.collectors.http import HttpClient, Retrier
from monitor.config import CollectorsSettings, SourceSettings
from monitor.errors import InputError
from monitor.records import PostRecord
from monitor.storable import storable

log = logging.getLogger(__name__)

Cursor = dict[str, Any]


@dataclass
class SourceState:
    """What the store knows about a source when a poll starts."""

    cursor: Cursor
    known_comments: Callable[[Sequence[str]], dict[str, int]] = lambda ids: {}


@dataclass
class Batch:
    """Posts to commit together with the cursor that is true once they are stored."""

    records: list[PostRecord]
    cursor: Cursor
    skipped: list[str] = field(default_factory=list)


@dataclass
class Toolkit:
    """What collectors share in a run: HTTP, retries, the clock, config folder, time zone."""

    http: HttpClient
    retrier: Retrier
    now: Callable[[], datetime]
    base_dir: Path = field(default_factory=Path.cwd)
    timezone: str = "Europe/Moscow"


class Collector(ABC):
    """One source kind. `batches` yields pages; only the last carries the moved cursor.

    Intermediate batches keep the old cursor, so a crash after committing some pages
    re-reads them next time (stored once, thanks to the unique external id) and never
    skips what lies between the old cursor and the newest post.
    """

    kind: ClassVar[str]

    def __init__(
        self, source: SourceSettings, settings: CollectorsSettings, tools: Toolkit
    ) -> None:
        self.source = source
        self.settings = settings
        self.tools = tools
        self.skipped: list[str] = []

    @abstractmethod
    def batches(self, state: SourceState) -> Iterator[Batch]:
        """Read the source from its cursor, newest state last."""

    def horizon(self, cursor: Cursor) -> datetime:
        """Posts newer than this are read (again): the refresh window, or the backfill."""
        hours = self.settings.refresh_hours if cursor else self.settings.backfill_hours
        return self.tools.now() - timedelta(hours=hours)

    def skip(self, what: str, reason: str) -> None:
        """Skip one malformed item with a logged reason."""
        message = f"{what}: {reason}"
        log.warning("%s: skipped %s", self.source.name, message)
        self.skipped.append(message)

    def take_skipped(self) -> list[str]:
        """Reasons collected since the last batch."""
        reasons, self.skipped = self.skipped, []
        return reasons

    def batch(self, records: list[PostRecord], cursor: Cursor) -> Batch:
        """A batch of the records the store can take, with the reasons of those skipped."""
        kept = []
        for record in records:
            try:
                kept.append(storable(record))
            except InputError as exc:
                self.skip(f"запись {record.external_id[:100]}", str(exc))
        return Batch(kept, cursor, self.take_skipped())

    def needs_comments(self, posts: list[PostRecord], state: SourceState) -> list[PostRecord]:
        """Posts whose comment count grew since they were stored (all, for new posts)."""
        if not self.source.comments or not self.settings.comments_per_post:
            return []
        commented = [post for post in posts if post.reach.comments]
        if not commented:
            return []  # most posts have no comments: spare the store a query
        known = state.known_comments([post.external_id for post in commented])
        return [p for p in commented if (p.reach.comments or 0) > known.get(p.external_id, 0)]

    def close(self) -> None:  # noqa: B027  (most collectors hold nothing of their own)
        """Release what the collector holds (sessions); the shared HTTP client stays open."""


def keep_stored_comment_counts(records: list[PostRecord], failed: set[str]) -> list[PostRecord]:
    """Posts whose comments failed to load keep their stored count, so the next poll retries."""
    if not failed:
        return records
    return [
        replace(r, reach=replace(r.reach, comments=None)) if r.external_id in failed else r
        for r in records
    ]
