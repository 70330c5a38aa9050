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
        return ""
    for line_break in node.css("br"):
        line_break.replace_with("\n")
    return node.text().strip()


def _own_text_node(node: LexborNode) -> LexborNode | None:
    """The message's own text: `js-message_text`, never the quoted parent of a reply."""
    for candidate in node.css("div.tgme_widget_message_text.js-message_text"):
        if not _inside(candidate, "tgme_widget_message_reply", node):
            return candidate
    return None


def _inside(candidate: LexborNode, css_class: str, root: LexborNode) -> bool:
    parent = candidate.parent
    while parent is not None and parent.mem_id != root.mem_id:
        if css_class in (parent.attributes.get("class") or "").split():
            return True
        parent = parent.parent
    return False


def _poll(node: LexborNode) -> dict[str, Any] | None:
    poll = node.css_first("div.tgme_widget_message_poll")
    if poll is None:
        return None
    return {
        "question": _text(poll.css_first("div.tgme_widget_message_poll_question")) or "",
        "options": [
            option.text(strip=True)
            for option in poll.css("div.tgme_widget_message_poll_option_text")
        ],
    }


def _link_preview(node: LexborNode) -> dict[str, Any] | None:
    preview = node.css_first("a.tgme_widget_message_link_preview")
    if preview is None:
        return None
    found = {
        "url": preview.attributes.get("href"),
        "site": _text(preview.css_first("div.link_preview_site_name")),
        "title": _text(preview.css_first("div.link_preview_title")),
        "description": _message_text(preview.css_first("div.link_preview_description")) or None,
    }
    return {key: value for key, value in found.items() if value}


def _media(node: LexborNode) -> list[str]:
    kinds = {
        "photo": "a.tgme_widget_message_photo_wrap",
        "video": ".tgme_widget_message_video_player",
        "document": ".tgme_widget_message_document",
        "voice": ".tgme_widget_message_voice",
        "sticker": ".tgme_widget_message_sticker_wrap",
        "location": ".tgme_widget_message_location_wrap",
    }
    return [kind for kind, selector in kinds.items() if node.css_first(selector) is not None]


def _full_text(own: str, poll: dict[str, Any] | None, preview: dict[str, Any] | None) -> str:
    """What a reader sees: the own text, a poll's question and options, a link's preview."""
    parts = [own] if own else []
    if poll:
        parts.append("\n".join([poll["question"], *(f"— {o}" for o in poll["options"])]))
    if preview:
        shown = "\n".join(preview[key] for key in ("title", "description") if key in preview)
        if shown:
            parts.append(shown)
    return "\n\n".join(part for part in parts if part.strip())


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
        quoted = _message_text(reply.css_first("div.js-message_reply_text"))
        raw["reply"] = {"id": parent, "text": quoted[:500]}
    poll, preview, media = _poll(node), _link_preview(node), _media(node)
    text = _full_text(_message_text(_own_text_node(node)), poll, preview)
    signature = _text(node.css_first(".tgme_widget_message_from_author"))
    meta = node.css_first("span.tgme_widget_message_meta")
    edited = meta is not None and "edited" in (meta.text(deep=False) or "").lower()
    extras = {"poll": poll, "link_preview": preview, "media": media, "signature": signature}
    raw.update({key: value for key, value in extras.items() if value})
    if edited:
        raw["edited"] = True
    if not text:
        kinds = ", ".join(media) or "без содержимого"
        raise MalformedItem(f"сообщение без текста ({kinds}): классифицировать нечего")
    return PostRecord(
        external_id=f"tg:{channel}/{number}",
        network="telegram",
        text=text,
        published_at=published,
        url=f"https://t.me/{channel}/{number}",
        author=author,
        reach=Reach(views=parse_count(_text(node.css_first("span.tgme_widget_message_views")))),
        parent_id=parent,
        territory=territory,
        raw=raw,
    )
