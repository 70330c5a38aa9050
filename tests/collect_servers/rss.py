"""A news site serving an RSS 2.0 feed with ETag and Last-Modified."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from collect_servers.base import LocalServer, Reply, Request


@dataclass
class Item:
    """One feed entry."""

    guid: str | None
    title: str
    description: str
    date: int | None
    link: str | None = None


@dataclass
class Feed:
    """A feed at a path."""

    title: str
    items: list[Item] = field(default_factory=list)
    encoding: str = "utf-8"
    modified: int = 1_700_000_000


def render(feed: Feed) -> bytes:
    """The feed as RSS 2.0 in its encoding."""
    entries = []
    for item in feed.items:
        parts = [
            f"<title>{escape(item.title)}</title>",
            f"<description>{escape(item.description)}</description>",
        ]
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.link:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.date is not None:
            parts.append(
                f"<pubDate>{format_datetime(datetime.fromtimestamp(item.date, UTC))}</pubDate>"
            )
        entries.append("<item>" + "".join(parts) + "</item>")
    text = (
        f'<?xml version="1.0" encoding="{feed.encoding}"?><rss version="2.0"><channel>'
        f"<title>{escape(feed.title)}</title><link>http://news.example/</link>"
        f"<description>news</description>{''.join(entries)}</channel></rss>"
    )
    return text.encode(feed.encoding)


class RssServer(LocalServer):
    """Feeds by path; answers 304 to a matching If-None-Match or If-Modified-Since."""

    def __init__(self) -> None:
        super().__init__()
        self.feeds: dict[str, Feed] = {}
        self.raw: dict[str, bytes] = {}  # bodies served as they are (broken feeds)
        self.not_modified = 0

    def handle(self, request: Request) -> Reply:
        """Serve a feed, or 304 when the client's copy is current."""
        if request.path in self.raw:
            return Reply(200, self.raw[request.path], {"Content-Type": "application/rss+xml"})
        feed = self.feeds.get(request.path)
        if feed is None:
            return Reply(404, b"no such feed")
        body = render(feed)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = format_datetime(datetime.fromtimestamp(feed.modified, UTC), usegmt=True)
        if request.headers.get("if-none-match") == etag or (
            "if-none-match" not in request.headers
            and request.headers.get("if-modified-since") == modified
        ):
            self.not_modified += 1
            return Reply(304, b"", {"ETag": etag, "Last-Modified": modified})
        content_type = f"application/rss+xml; charset={feed.encoding}"
        return Reply(
            200, body, {"Content-Type": content_type, "ETag": etag, "Last-Modified": modified}
        )
