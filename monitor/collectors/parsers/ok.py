"""Odnoklassniki media topics and discussion comments into input records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.collectors.errors import MalformedItem
from monitor.records import Author, PostRecord, Reach


def topic_external_id(group_id: str, topic_id: str) -> str:
    """'ok:GID/TOPICID'."""
    return f"ok:{group_id}/{topic_id}"


def _count(block: Any, key: str) -> int | None:
    value = block.get(key) if isinstance(block, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _id(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
        raise MalformedItem(f"нет {what}")
    return str(value)


@dataclass
class Entities:
    """Groups and users a response refers to as 'group:ID' and 'user:ID'."""

    known: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> Entities:
        """Read `entities` (groups, users); bad entries are ignored."""
        entities = response.get("entities")
        known: dict[str, tuple[str, int | None]] = {}
        if isinstance(entities, dict):
            for kind, prefix in (("groups", "group"), ("users", "user")):
                for entity in entities.get(kind) or []:
                    if isinstance(entity, dict) and entity.get("uid") is not None:
                        members = entity.get("members_count")
                        known[f"{prefix}:{entity['uid']}"] = (
                            str(entity.get("name") or ""),
                            members if isinstance(members, int) else None,
                        )
        return cls(known)

    def author(self, reference: Any) -> Author:
        """The author behind a reference like 'group:123'."""
        if not isinstance(reference, str) or not reference:
            return Author()
        name, audience = self.known.get(reference, (None, None))
        return Author(id=f"ok:{reference}", name=name or None, audience=audience)


def topic_text(topic: dict[str, Any]) -> str:
    """The text blocks of a topic's media, one paragraph each."""
    media = topic.get("media") or []
    if not isinstance(media, list):
        raise MalformedItem("поле media не список")
    parts = [
        block["text"]
        for block in media
        if isinstance(block, dict)
        and block.get("type") == "text"
        and isinstance(block.get("text"), str)
    ]
    return "\n\n".join(parts)


def parse_topic(
    topic: Any, group_id: str, entities: Entities, *, territory: str | None = None
) -> PostRecord:
    """One media topic of a group's feed."""
    if not isinstance(topic, dict):
        raise MalformedItem(f"топик не объект: {type(topic).__name__}")
    topic_id = _id(topic.get("id"), "id топика")
    created = topic.get("created_ms")
    if isinstance(created, bool) or not isinstance(created, int):
        raise MalformedItem(f"топик {topic_id}: нет created_ms")
    author_ref = topic.get("author_ref") or topic.get("owner_ref")
    return PostRecord(
        external_id=topic_external_id(group_id, topic_id),
        network="ok",
        text=topic_text(topic),
        published_at=datetime.fromtimestamp(created / 1000, UTC),
        url=f"https://ok.ru/group/{group_id}/topic/{topic_id}",
        author=entities.author(author_ref),
        reach=Reach(
            views=_count(topic, "views_count"),
            likes=_count(topic.get("like_summary"), "count"),
            reposts=_count(topic.get("reshare_summary"), "count"),
            comments=_count(topic.get("discussion_summary"), "comments_count"),
        ),
        territory=territory,
        raw=topic,
    )


def parse_local_date(value: Any, timezone: str) -> datetime:
    """OK's 'YYYY-MM-DD HH:MM:SS' local-time dates as aware moments."""
    if not isinstance(value, str):
        raise MalformedItem(f"дата не строка: {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedItem(f"неверная дата {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def parse_comment(
    comment: Any,
    group_id: str,
    topic_id: str,
    *,
    timezone: str,
    territory: str | None = None,
) -> PostRecord:
    """One comment of a group topic's discussion."""
    if not isinstance(comment, dict):
        raise MalformedItem(f"комментарий не объект: {type(comment).__name__}")
    comment_id = _id(comment.get("id"), "id комментария")
    text = comment.get("text", "")
    if not isinstance(text, str):
        raise MalformedItem(f"комментарий {comment_id}: text не строка")
    parent = topic_external_id(group_id, topic_id)
    author_id = comment.get("author_id")
    author_name = comment.get("author_name")
    return PostRecord(
        external_id=f"{parent}_c_{comment_id}",
        network="ok",
        text=text,
        published_at=parse_local_date(comment.get("date"), timezone),
        url=f"https://ok.ru/group/{group_id}/topic/{topic_id}",
        author=Author(
            id=f"ok:user:{author_id}" if author_id is not None else None,
            name=author_name if isinstance(author_name, str) else None,
        ),
        reach=Reach(likes=_count(comment, "like_count")),
        parent_id=parent,
        territory=territory,
        raw=comment,
    )
