"""RSS and Atom feeds (through feedparser) into input records."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
from selectolax.lexbor import LexborHTMLParser

from monitor.collectors.errors import CollectorError, MalformedItem
from monitor.records import Author, PostRecord

BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)>", re.IGNORECASE)


@dataclass
class Feed:
    """A parsed feed: its title, entries as records, and reasons for skipped entries."""

    title: str | None = None
    records: list[PostRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def plain_text(html: str) -> str:
    """Text of an HTML fragment: one line per paragraph, spaces collapsed."""
    if "<" not in html and "&" not in html:
        return html.strip()
    html = BLOCK_END.sub("\n", html)
    body = LexborHTMLParser(f"<div>{html}</div>").body
    text = body.text() if body is not None else ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _moment(entry: Mapping[str, Any], fallback: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return fallback  # undated entries count as published when first seen


def entry_id(entry: Mapping[str, Any]) -> str:
    """The entry's own id, else its link, else a hash of its title and text."""
    for key in ("id", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    title, summary = str(entry.get("title") or ""), str(entry.get("summary") or "")
    if not title and not summary:
        raise MalformedItem("запись без id, ссылки и текста")
    return "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode()).hexdigest()


def parse_entry(
    entry: Mapping[str, Any], feed_title: str | None, *, now: datetime, territory: str | None
) -> PostRecord:
    """One feed entry: the title and the summary as the text."""
    identifier = entry_id(entry)
    title = plain_text(str(entry.get("title") or ""))
    summary = plain_text(str(entry.get("summary") or ""))
    text = "\n\n".join(part for part in (title, summary) if part)
    link = entry.get("link") if isinstance(entry.get("link"), str) else None
    author = entry.get("author") if isinstance(entry.get("author"), str) else None
    return PostRecord(
        external_id=f"rss:{identifier}",
        network="rss",
        text=text,
        published_at=_moment(entry, now),
        url=link,
        author=Author(id=f"rss:{feed_title}" if feed_title else None, name=author or feed_title),
        territory=territory,
        raw={"id": identifier, "title": title, "link": link, "feed": feed_title},
    )


def parse_feed(
    content: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime,
    territory: str | None = None,
) -> Feed:
    """Every readable entry; a body that is no feed at all is an error."""
    parsed = feedparser.parse(
        content, response_headers={"content-type": headers.get("content-type", "")}
    )
    if parsed.bozo and not parsed.entries and not parsed.feed:
        raise CollectorError(f"лента не читается: {parsed.get('bozo_exception')}")
    title = parsed.feed.get("title") if isinstance(parsed.feed.get("title"), str) else None
    feed = Feed(title=title)
    for entry in parsed.entries:
        try:
            feed.records.append(parse_entry(entry, title, now=now, territory=territory))
        except (MalformedItem, ValueError, OverflowError) as exc:
            feed.skipped.append(f"запись {entry.get('id') or entry.get('link')}: {exc}")
    return feed
