"""The public preview of a Telegram channel (`t.me/s/CHANNEL`) into input records."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.collectors.errors import MalformedItem
from monitor.records import Author, PostRecord, Reach

SUFFIXES = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


def parse_count(text: str | None) -> int | None:
    """'987' → 987, '1.2K' → 1200, '3.4M' → 3400000; None for anything else."""
    if not text:
        return None
    found = re.fullmatch(r"([\d\s]+(?:[.,]\d+)?)\s*([KMB]?)", text.strip().upper())
    if not found:
        return None
    number = float(re.sub(r"\s", "", found.group(1)).replace(",", "."))
    return round(number * SUFFIXES[found.group(2)])


@dataclass
class ChannelPage:
    """One preview page: the channel's header, its messages, and where older ones start."""

    title: str | None = None
    subscribers: int | None = None
    messages: list[PostRecord] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    before: int | None = None
    skipped: list[str] = field(default_factory=list)


def _text(node: LexborNode | None) -> str | None:
    return node.text(strip=True) if node is not None else None


def _message_text(node: LexborNode | None) -> str:
    if node is None:
        return ""  # a media-only post
    for line_break in node.css("br"):
        line_break.replace_with("\n")
    return node.text().strip()


def _subscribers(tree: LexborHTMLParser) -> int | None:
    for counter in tree.css("div.tgme_channel_info_counter"):
        kind = (_text(counter.css_first("span.counter_type")) or "").lower()
        if kind.startswith(("subscriber", "подписчик", "member")):
            return parse_count(_text(counter.css_first("span.counter_value")))
    return None


def parse_channel_page(html: str, channel: str, *, territory: str | None = None) -> ChannelPage:
    """Messages of a preview page, oldest first; broken messages are skipped with a reason."""
    tree = LexborHTMLParser(html)
    page = ChannelPage(
        title=_text(tree.css_first("div.tgme_channel_info_header_title")),
        subscribers=_subscribers(tree),
    )
    more = tree.css_first("a.tme_messages_more[data-before]")
    if more is not None and (more.attributes.get("data-before") or "").isdigit():
        page.before = int(more.attributes["data-before"] or 0)
    author = Author(id=f"tg:{channel}", name=page.title, audience=page.subscribers)
    for node in tree.css("div.tgme_widget_message[data-post]"):
        post = node.attributes.get("data-post") or ""
        try:
            number = _post_number(post)
            page.ids.append(number)
            record = parse_message(node, channel, number, author, territory)
        except MalformedItem as exc:
            page.skipped.append(f"сообщение {post}: {exc}")
            continue
        if record is not None:
            page.messages.append(record)
    return page


def _post_number(post: str) -> int:
    found = re.fullmatch(r"\w+/(\d+)", post)
    if not found:
        raise MalformedItem(f"неверный data-post {post!r}")
    return int(found.group(1))


def parse_message(
    node: LexborNode, channel: str, number: int, author: Author, territory: str | None
) -> PostRecord | None:
    """One message; None for service messages (channel created, pinned, and the like)."""
    if "service_message" in (node.attributes.get("class") or ""):
        return None
    stamp = node.css_first("a.tgme_widget_message_date time[datetime]")
    if stamp is None:
        raise MalformedItem("нет времени публикации")
    try:
        published = datetime.fromisoformat(stamp.attributes.get("datetime") or "")
    except ValueError:
        raise MalformedItem(f"неверное время {stamp.attributes.get('datetime')!r}") from None
    if published.tzinfo is None:
        raise MalformedItem("время без часового пояса")
    raw: dict[str, Any] = {"channel": channel, "id": number}
    forwarded = node.css_first(".tgme_widget_message_forwarded_from_name")
    if forwarded is not None:
        raw["forwarded_from"] = {
            "name": forwarded.text(strip=True),
            "url": forwarded.attributes.get("href"),
        }
    reply = node.css_first("a.tgme_widget_message_reply")
    parent = None
    if reply is not None:
        target = re.search(r"/(\d+)(?:\?.*)?$", reply.attributes.get("href") or "")
        parent = f"tg:{channel}/{target.group(1)}" if target else None
    return PostRecord(
        external_id=f"tg:{channel}/{number}",
        network="telegram",
        text=_message_text(node.css_first("div.tgme_widget_message_text")),
        published_at=published,
        url=f"https://t.me/{channel}/{number}",
        author=author,
        reach=Reach(views=parse_count(_text(node.css_first("span.tgme_widget_message_views")))),
        parent_id=parent,
        territory=territory,
        raw=raw,
    )
