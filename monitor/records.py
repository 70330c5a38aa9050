"""The input record: one post as a collector or a JSONL file gives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitor.errors import InputError
from monitor.storable import ID_CHARS, count, source_name, storable, text_field, unix_moment
from monitor.storable import moment as checked_moment

NETWORKS = ("vk", "ok", "telegram", "rss", "file")
REACH_KEYS = ("views", "likes", "reposts", "comments")
KNOWN_KEYS = {
    "id",
    "source",
    "text",
    "published_at",
    "url",
    "author",
    "reach",
    "parent_id",
    "repost_of",
    "territory",
}
MAX_TEXT_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class Reach:
    """Reach counters of a post; None where the network does not give one."""

    views: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None


@dataclass(frozen=True, slots=True)
class Author:
    """Who published a post: id, display name and audience (followers, members)."""

    id: str | None = None
    name: str | None = None
    audience: int | None = None


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One post in the project's input shape (shared/spec/taxonomy.md plus reach and links)."""

    external_id: str
    network: str
    text: str
    published_at: datetime
    url: str | None = None
    author: Author = field(default_factory=Author)
    reach: Reach = field(default_factory=Reach)
    parent_id: str | None = None
    repost_of: str | None = None
    territory: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def parse_moment(value: Any, what: str = "published_at") -> datetime:
    """Parse ISO 8601 text or Unix seconds into an aware datetime (naive means UTC)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return unix_moment(value, what)
    if not isinstance(value, str) or not value:
        raise InputError(f"{what}: нужна дата ISO 8601, получено {value!r:.60}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what}: неверная дата {value!r:.60}") from None
    return checked_moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC), what)


def _optional_str(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"{what}: ожидалась строка, получено {value!r:.60}")


def record_from_dict(
    data: Any, *, default_network: str = "file", now: datetime | None = None
) -> PostRecord:
    """Validate one JSON object into a storable PostRecord; unknown fields are kept in `raw`.

    Anything the store could not take is an InputError with the reason (monitor/storable.py).
    """
    if not isinstance(data, dict):
        raise InputError("запись должна быть объектом JSON")
    external_id = _optional_str(data.get("id"), "id")
    if not external_id:
        raise InputError("нет поля id")
    external_id = text_field(external_id, "id", ID_CHARS)
    text = data.get("text")
    if not isinstance(text, str):
        raise InputError(f"{external_id}: нет текста (поле text)")
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    network = str(data.get("source") or default_network)
    if network not in NETWORKS:
        network = default_network
    published = data.get("published_at")
    published_at = parse_moment(published) if published is not None else (now or datetime.now(UTC))
    author = data.get("author") or {}
    if isinstance(author, str):
        author = {"name": author}
    if not isinstance(author, dict):
        raise InputError(f"{external_id}: author должен быть объектом или строкой")
    reach = data.get("reach") or {}
    if not isinstance(reach, dict):
        raise InputError(f"{external_id}: reach должен быть объектом")
    source_name(data.get("source_name"))
    record = PostRecord(
        external_id=external_id,
        network=network,
        text=text,
        published_at=published_at,
        url=_optional_str(data.get("url"), "url"),
        author=Author(
            id=_optional_str(author.get("id"), "author.id"),
            name=_optional_str(author.get("name"), "author.name"),
            audience=count(author.get("audience"), "author.audience"),
        ),
        reach=Reach(**{key: count(reach.get(key), f"reach.{key}") for key in REACH_KEYS}),
        parent_id=_optional_str(data.get("parent_id"), "parent_id"),
        repost_of=_optional_str(data.get("repost_of"), "repost_of"),
        territory=_optional_str(data.get("territory"), "territory"),
        raw=data,
    )
    return storable(record)
