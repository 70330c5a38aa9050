"""News and official sites through RSS and Atom, with conditional requests."""

from __future__ import annotations

from collections.abc import Iterator

from monitor.collectors.base import Batch, Collector, SourceState
from monitor.collectors.parsers.rss import parse_feed


class RssCollector(Collector):
    """A whole feed each poll; ETag and Last-Modified spare an unchanged one."""

    kind = "rss"

    def batches(self, state: SourceState) -> Iterator[Batch]:
        """One batch: the feed's entries and its validators, committed together."""
        cursor = state.cursor
        headers = {}
        if cursor.get("etag"):
            headers["If-None-Match"] = cursor["etag"]
        if cursor.get("modified"):
            headers["If-Modified-Since"] = cursor["modified"]
        response = self.tools.http.get(self.source.address, headers=headers)
        if response.status == 304:
            yield self.batch([], cursor)
            return
        feed = parse_feed(
            response.content,
            response.headers,
            now=self.tools.now(),
            territory=self.source.territory,
        )
        for reason in feed.skipped:
            self.skip(self.source.address, reason)
        moved = {
            "etag": response.headers.get("etag"),
            "modified": response.headers.get("last-modified"),
        }
        yield self.batch(feed.records, {key: value for key, value in moved.items() if value})
