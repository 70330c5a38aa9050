"""Public Telegram channels through their web preview, paging back with `before`."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from urllib.parse import urlparse

from monitor.collectors.base import Batch, Collector, SourceState
from monitor.collectors.errors import CollectorError, SourceUnavailable
from monitor.collectors.parsers.telegram import parse_channel_page
from monitor.records import PostRecord

log = logging.getLogger(__name__)


def channel_name(address: str) -> str:
    """'@name', 'https://t.me/name', 't.me/s/name' → 'name' (lower case: links ignore case)."""
    name = re.sub(r"^(https?://)?(t\.me/)?(s/)?@?", "", address.strip()).strip("/")
    return name.lower()


class TelegramCollector(Collector):
    """A channel's preview pages, newest first, back to the last seen post and the window."""

    kind = "telegram"

    def batches(self, state: SourceState) -> Iterator[Batch]:
        """One batch per preview page (about 20 messages)."""
        cursor = state.cursor
        last_id = cursor.get("last_id")
        horizon = self.horizon(cursor)
        channel = channel_name(self.source.address)
        base = self.settings.telegram.base_url.rstrip("/")
        newest, before = last_id, None

        def seen_before(record: PostRecord) -> bool:
            old = record.published_at < horizon
            return old and (last_id is None or int(record.raw["id"]) <= last_id)

        for page_number in range(self.settings.telegram.max_pages):
            url = f"{base}/s/{channel}" + (f"?before={before}" if before else "")
            response = self.tools.http.get(url)
            if "/s/" not in urlparse(response.url).path:
                raise SourceUnavailable(f"у канала {channel} нет веб-превью")
            page = parse_channel_page(response.text, channel, territory=self.source.territory)
            for reason in page.skipped:
                self.skip(channel, reason)
            if page_number == 0 and not page.ids and page.title is None:
                raise CollectorError(f"страница канала {channel} не похожа на превью")
            records = [record for record in page.messages if not seen_before(record)]
            if page.ids:
                newest = max(newest or 0, *page.ids)
            older = page.before or min(page.ids, default=None)
            # pages go back in time: one message already known and out of the window ends it
            done = (
                older is None
                or older <= 1
                or any(map(seen_before, page.messages))
                or (before is not None and older >= before)  # the page did not move
            )
            before = older
            if not done and page_number == self.settings.telegram.max_pages - 1:
                log.warning("%s: stopped after %d pages", self.source.name, page_number + 1)
                done = True
            moved = {**cursor, "last_id": newest} if newest is not None else cursor
            yield self.batch(records, moved if done else cursor)
            if done:
                return
