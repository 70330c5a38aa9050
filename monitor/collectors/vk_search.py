"""VK keyword and geo search (`newsfeed.search`) over time windows, so its cap loses nothing.

Only the first `search_cap` (1,000) results of a query are reachable. Results come newest
first, so when a window holds more, everything newer than the oldest result seen is
already read: the window's end moves down to that moment and the search goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from monitor.collectors.base import Batch, SourceState
from monitor.collectors.errors import CollectorError, MalformedItem
from monitor.collectors.parsers.vk import Authors, is_ad, parse_post
from monitor.collectors.vk import VkCollector
from monitor.records import PostRecord

log = logging.getLogger(__name__)

PAGE = 200


class VkSearchCollector(VkCollector):
    """Posts found by keywords or around a point since the last search (and the refresh window)."""

    def batches(self, state: SourceState) -> Iterator[Batch]:
        """One batch per result page; the last, empty one moves the cursor to now."""
        cursor = state.cursor
        end = int(self.tools.now().timestamp())
        start = int(self.horizon(cursor).timestamp())
        if isinstance(cursor.get("until"), int):
            start = min(start, cursor["until"])
        step = int(timedelta(hours=self.settings.vk.search_window_hours).total_seconds())
        for query in self.source.keywords or [""]:
            for window_start in range(start, end, step):
                window_end = min(window_start + step, end)
                for records in self._window(query, window_start, window_end):
                    yield self.batch(records, cursor)
        yield self.batch([], {**cursor, "until": end})

    def _window(self, query: str, start: int, end: int) -> Iterator[list[PostRecord]]:
        cap = self.settings.vk.search_cap
        while True:
            fetched, oldest, total = 0, None, None
            start_from: str | None = None
            while True:
                response = self.client.call(
                    "newsfeed.search", **self._parameters(query, start, end, start_from)
                )
                items = response.get("items")
                if not isinstance(items, list):
                    raise CollectorError("VK newsfeed.search: в ответе нет списка items")
                records, page_oldest = self._records(items, Authors.from_response(response))
                if page_oldest is not None:
                    oldest = page_oldest if oldest is None else min(oldest, page_oldest)
                fetched += len(items)
                if isinstance(response.get("total_count"), int):
                    total = response["total_count"]
                yield records
                start_from = response.get("next_from") or None
                if not items or not start_from or fetched >= cap:
                    break
            # total_count is approximate: only the cap itself says that results were cut
            more = fetched >= cap and (total is None or total > fetched)
            if not more or oldest is None:
                return
            # one second of overlap: VK's end_time may be exclusive; repeats are stored once
            new_end = oldest + 1
            if new_end >= end:
                log.warning(
                    "%s: more than %d results within one second at %d for %r; some are lost",
                    self.source.name,
                    cap,
                    oldest,
                    query,
                )
                new_end = end - 1
            if new_end <= start:
                return
            end = new_end

    def _parameters(
        self, query: str, start: int, end: int, start_from: str | None
    ) -> dict[str, Any]:
        parameters: dict[str, Any] = {
            "q": query,
            "count": PAGE,
            "start_time": start,
            "end_time": end,
            "extended": 1,
            "fields": "members_count,followers_count",
        }
        if self.source.geo:
            parameters["latitude"] = self.source.geo.latitude
            parameters["longitude"] = self.source.geo.longitude
        if start_from:
            parameters["start_from"] = start_from
        return parameters

    def _records(self, items: list[Any], authors: Authors) -> tuple[list[PostRecord], int | None]:
        records: list[PostRecord] = []
        oldest = None
        for item in items:
            try:
                parsed = parse_post(item, authors, territory=self.source.territory)
            except MalformedItem as exc:
                self.skip("результат поиска", str(exc))
                continue
            seconds = int(parsed[-1].published_at.timestamp())
            oldest = seconds if oldest is None else min(oldest, seconds)
            if is_ad(item):
                self.skip("результат поиска", "реклама (marked_as_ads)")
                continue
            records += parsed
        return records, oldest
