"""A t.me server: `/s/CHANNEL` preview pages (about 20 posts, older with `?before=ID`)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime

from collect_servers.base import LocalServer, Reply, Request

PAGE = 20


def views_text(views: int) -> str:
    """Views as the preview prints them: 987, 1.2K, 3.4M."""
    if views >= 1_000_000:
        return f"{views / 1_000_000:.1f}M".replace(".0M", "M")
    if views >= 1_000:
        return f"{views / 1_000:.1f}K".replace(".0K", "K")
    return str(views)


@dataclass
class Message:
    """One channel post."""

    number: int
    date: int
    text: str | None
    views: int | None = 100
    forwarded_from: str | None = None
    reply_to: int | None = None
    service: bool = False
    broken: bool = False  # no time element, as if the markup changed
    reply_text: str | None = None  # the quoted parent's text, shown before the own text
    poll: tuple[str, list[str]] | None = None  # question and options
    preview: tuple[str, str, str] | None = None  # link preview: site, title, description
    signature: str | None = None  # the author's signature in a signed channel
    edited: bool = False
    photo: bool = False


@dataclass
class Channel:
    """A channel with its title and subscribers."""

    name: str
    title: str
    subscribers: str = "12.3K"
    messages: list[Message] = field(default_factory=list)
    preview: bool = True


def render_message(channel: str, message: Message) -> str:
    """One message block in the preview's markup."""
    classes = "tgme_widget_message text_not_supported_wrap js-widget_message"
    if message.service:
        classes += " service_message"
    parts = [
        f'<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="{classes}" data-post="{channel}/{message.number}">'
        '<div class="tgme_widget_message_bubble">'
    ]
    if message.forwarded_from:
        parts.append(
            '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
            f'<a class="tgme_widget_message_forwarded_from_name" '
            f'href="https://t.me/{message.forwarded_from}">{message.forwarded_from}</a></div>'
        )
    if message.reply_to:
        quoted = html.escape(message.reply_text or "")
        parts.append(
            f'<a class="tgme_widget_message_reply" href="https://t.me/{channel}/'
            f'{message.reply_to}"><div class="tgme_widget_message_author accent_color">'
            '<span class="tgme_widget_message_author_name" dir="auto">Канал</span></div>'
            f'<div class="tgme_widget_message_text js-message_reply_text" dir="auto">{quoted}'
            "</div></a>"
        )
    if message.photo:
        parts.append(
            f'<a class="tgme_widget_message_photo_wrap" href="https://t.me/{channel}/'
            f'{message.number}" style="width:800px;background-image:url(\'https://cdn4.telesco.pe'
            '/file/photo.jpg\')"><div class="tgme_widget_message_photo"></div></a>'
        )
    if message.text is not None:
        body = "<br/>".join(html.escape(line) for line in message.text.split("\n"))
        parts.append(
            f'<div class="tgme_widget_message_text js-message_text" dir="auto">{body}</div>'
        )
    if message.poll:
        question, options = message.poll
        parts.append(
            '<div class="tgme_widget_message_poll js-poll"><div class="tgme_widget_message_poll_'
            f'question">{html.escape(question)}</div><div class="tgme_widget_message_poll_type">'
            'Anonymous poll</div><div class="tgme_widget_message_poll_options">'
            + "".join(
                '<div class="tgme_widget_message_poll_option"><div class="tgme_widget_message_poll'
                '_option_percent">50%</div><div class="tgme_widget_message_poll_option_value">'
                f'<div class="tgme_widget_message_poll_option_text">{html.escape(option)}</div>'
                "</div></div>"
                for option in options
            )
            + "</div></div>"
        )
    if message.preview:
        site, title, description = (html.escape(part) for part in message.preview)
        parts.append(
            '<a class="tgme_widget_message_link_preview" href="https://example.ru/news">'
            f'<div class="link_preview_site_name accent_color" dir="auto">{site}</div>'
            f'<div class="link_preview_title" dir="auto">{title}</div>'
            f'<div class="link_preview_description" dir="auto">{description}</div></a>'
        )
    parts.append(
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        '<div class="tgme_widget_message_info short js-message_info">'
    )
    if message.views is not None and not message.service:
        parts.append(f'<span class="tgme_widget_message_views">{views_text(message.views)}</span>')
    if message.signature:
        parts.append(
            '<span class="tgme_widget_message_from_author" dir="auto">'
            f"{html.escape(message.signature)}</span>"
        )
    moment = datetime.fromtimestamp(message.date, UTC).isoformat()
    if not message.broken:
        edited = "edited &nbsp;" if message.edited else ""
        parts.append(
            f'<span class="tgme_widget_message_meta">{edited}<a class="tgme_widget_message_date" '
            f'href="https://t.me/{channel}/{message.number}"><time datetime="{moment}" '
            'class="time">12:00</time></a></span>'
        )
    parts.append("</div></div></div></div></div>")
    return "".join(parts)


class TelegramServer(LocalServer):
    """Channels by name; a channel without preview redirects to its plain page."""

    def __init__(self) -> None:
        super().__init__()
        self.channels: dict[str, Channel] = {}

    def pages_served(self, channel: str) -> list[str]:
        """The `before` of each preview request of a channel ('' for the first page)."""
        return [r.query.get("before", "") for r in self.requests if r.path == f"/s/{channel}"]

    def handle(self, request: Request) -> Reply:
        """Serve a preview page, a redirect, or the plain channel page."""
        name = request.path.strip("/").removeprefix("s/")
        channel = self.channels.get(name)
        if channel is None:
            return Reply(404, b"not found")
        if not request.path.startswith("/s/"):
            return Reply(
                200,
                b"<html><body>Channel page</body></html>",
                {"Content-Type": "text/html; charset=utf-8"},
            )
        if not channel.preview:
            return Reply(302, b"", {"Location": f"/{name}"})
        before = int(request.query.get("before") or 2**31)
        older = sorted((m for m in channel.messages if m.number < before), key=lambda m: m.number)
        page = older[-PAGE:]
        more = ""
        if len(older) > len(page) and page:
            first = page[0].number
            more = (
                f'<a class="tme_messages_more js-messages_more" data-before="{first}" '
                f'href="/s/{name}?before={first}"></a>'
            )
        messages = "".join(render_message(name, m) for m in page)
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
            '<div class="tgme_channel_info"><div class="tgme_channel_info_header">'
            '<div class="tgme_channel_info_header_title"><span dir="auto">'
            f"{html.escape(channel.title)}"
            '</span></div></div><div class="tgme_channel_info_counters">'
            '<div class="tgme_channel_info_counter"><span class="counter_value">'
            f"{channel.subscribers}"
            '</span> <span class="counter_type">subscribers</span></div></div></div>'
            f'<section class="tgme_channel_history js-message_history">{more}{messages}</section>'
            "</body></html>"
        )
        return Reply(200, body.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})
