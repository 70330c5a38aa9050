"""Where an incident's answer can go: the resident's VK post or comment, or only a link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from monitor.store.tables import incident_posts, posts

VK_ID = re.compile(r"^vk:(-?\d+)_(\d+)(?:_c_(\d+))?$")

# Why an answer cannot be published on a network (shown on the page with the post's link).
CANNOT = {
    "ok": "Одноклассники: документированный REST API не даёт группе отвечать в комментариях "
    "к темам; ответьте жителю вручную по ссылке.",
    "telegram": "Telegram-каналы не принимают ответы от сторонних страниц; ответьте по ссылке "
    "(в комментариях канала или лично).",
    "rss": "Новостная лента не принимает ответов; ответьте на сайте по ссылке.",
    "file": "Запись из файла: ответить на месте нельзя; используйте ссылку, если она есть.",
}


@dataclass(frozen=True)
class Target:
    """One post of the incident and whether an answer can be published under it."""

    post_id: int
    external_id: str
    network: str
    url: str | None
    author_id: str | None
    text: str
    owner_id: int | None = None
    vk_post_id: int | None = None
    reply_to: int | None = None
    thread_root: int | None = None
    reason: str | None = None  # why not, when it cannot be published

    @property
    def publishable(self) -> bool:
        """True when Otklik can post the answer under it."""
        return self.reason is None


def vk_target(row: Any) -> Target:
    """A VK post or comment as a target; a malformed id cannot be answered."""
    base = dict(
        post_id=row.id,
        external_id=row.external_id,
        network=row.network,
        url=row.url,
        author_id=row.author_id,
        text=row.text,
    )
    found = VK_ID.match(row.external_id)
    if not found:
        return Target(**base, reason="Неизвестный вид записи VK: ответьте вручную по ссылке.")
    owner, post, comment = found.groups()
    root = None
    if comment is not None:
        stack = (row.raw or {}).get("parents_stack") if isinstance(row.raw, dict) else None
        root = stack[0] if isinstance(stack, list) and stack else int(comment)
    return Target(
        **base,
        owner_id=int(owner),
        vk_post_id=int(post),
        reply_to=int(comment) if comment is not None else None,
        thread_root=root,
    )


def targets(connection: Connection, incident_id: int) -> list[Target]:
    """The incident's posts, oldest first, each with where an answer could go."""
    rows = connection.execute(
        select(posts)
        .join(incident_posts, incident_posts.c.post_id == posts.c.id)
        .where(incident_posts.c.incident_id == incident_id)
        .order_by(posts.c.published_at, posts.c.id)
    ).all()
    found = []
    for row in rows:
        if row.network == "vk":
            found.append(vk_target(row))
        else:
            found.append(
                Target(
                    post_id=row.id,
                    external_id=row.external_id,
                    network=row.network,
                    url=row.url,
                    author_id=row.author_id,
                    text=row.text,
                    reason=CANNOT.get(row.network, CANNOT["file"]),
                )
            )
    return found


def comment_url(owner_id: int, post_id: int, comment_id: int, thread: int | None) -> str:
    """The link of a published VK comment (with its thread when it is a reply)."""
    url = f"https://vk.com/wall{owner_id}_{post_id}?reply={comment_id}"
    return f"{url}&thread={thread}" if thread else url
