"""VK post and comment objects (API 5.199) into input records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from monitor.collectors.errors import MalformedItem
from monitor.records import Author, PostRecord, Reach


def post_external_id(owner_id: int, post_id: int) -> str:
    """'vk:-GROUP_POST' for a community's wall, 'vk:USER_POST' for a person's."""
    return f"vk:{owner_id}_{post_id}"


def comment_external_id(owner_id: int, post_id: int, comment_id: int) -> str:
    """'vk:-GROUP_POST_c_COMMENT'."""
    return f"{post_external_id(owner_id, post_id)}_c_{comment_id}"


def post_url(owner_id: int, post_id: int) -> str:
    """The post's page on vk.com."""
    return f"https://vk.com/wall{owner_id}_{post_id}"


def _int(item: dict[str, Any], key: str) -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedItem(f"поле {key} не число: {value!r}")
    return value


def _count(item: dict[str, Any], key: str) -> int | None:
    counter = item.get(key)
    value = counter.get("count") if isinstance(counter, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _text(item: dict[str, Any]) -> str:
    text = item.get("text", "")
    if not isinstance(text, str):
        raise MalformedItem(f"поле text не строка: {type(text).__name__}")
    return text


def _moment(item: dict[str, Any]) -> datetime:
    seconds = _int(item, "date")
    if seconds <= 0:
        raise MalformedItem(f"неверная дата {seconds}")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedItem(f"неверная дата {seconds}") from None


@dataclass
class Authors:
    """Names and audiences of the people and communities a response mentions."""

    known: dict[int, tuple[str, int | None]] = field(default_factory=dict)

    @classmethod
    def from_response(cls, response: dict[str, Any]) -> Authors:
        """Read `profiles` and `groups` of an extended response; bad entries are ignored."""
        known: dict[int, tuple[str, int | None]] = {}
        for profile in response.get("profiles") or []:
            if isinstance(profile, dict) and isinstance(profile.get("id"), int):
                name = f"{profile.get('first_name', '')} {profile.get('last_name', '')}".strip()
                followers = profile.get("followers_count")
                known[profile["id"]] = (name, followers if isinstance(followers, int) else None)
        for group in response.get("groups") or []:
            if isinstance(group, dict) and isinstance(group.get("id"), int):
                members = group.get("members_count")
                known[-abs(group["id"])] = (
                    str(group.get("name") or ""),
                    members if isinstance(members, int) else None,
                )
        return cls(known)

    def author(self, from_id: int | None) -> Author:
        """The author of an object written by `from_id`."""
        if from_id is None:
            return Author()
        name, audience = self.known.get(from_id, (None, None))
        return Author(id=f"vk:{from_id}", name=name or None, audience=audience)


def is_ad(item: Any) -> bool:
    """Whether VK marks the post as advertising (`marked_as_ads`): not a resident's signal."""
    return isinstance(item, dict) and bool(item.get("marked_as_ads"))


def is_removed(item: Any) -> bool:
    """A reposted original that was deleted: VK leaves `from_id` 0 and `date` 0."""
    return isinstance(item, dict) and (item.get("from_id") == 0 or item.get("date") == 0)


def is_reply(item: Any) -> bool:
    """A comment shown where posts are (a reposted comment, a search hit): `post_type` reply."""
    return isinstance(item, dict) and item.get("post_type") == "reply"


def parse_post(item: Any, authors: Authors, *, territory: str | None = None) -> list[PostRecord]:
    """A wall post or search hit as records: the reposted originals first (deepest first).

    A reposted comment (`post_type` reply) is stored as the comment it is, under the id
    `wall.getComments` gives it; an original VK reports as removed is not stored, and the
    repost then points at nothing (the raw item keeps the removed reference).
    """
    if not isinstance(item, dict):
        raise MalformedItem(f"пост не объект: {type(item).__name__}")
    if is_reply(item):
        return [_reply(item, authors, territory)]
    originals: list[PostRecord] = []
    linked: PostRecord | None = None
    history = item.get("copy_history") or []
    if isinstance(history, list):
        for original in reversed(history):  # the deepest original first
            try:
                if is_removed(original):
                    raise MalformedItem("оригинал удалён")
                if is_reply(original):
                    record = _reply(original, authors, territory)
                else:
                    record = _post(original, authors, territory, linked)
            except MalformedItem:
                linked = None  # a broken or removed original costs us nothing else
                continue
            originals.append(record)
            linked = record
    raw = {key: value for key, value in item.items() if key != "copy_history"}
    if isinstance(history, list) and history and linked is None:
        raw["repost_of_unavailable"] = [_reference(original) for original in history]
    own = _post(item, authors, territory, linked, raw=raw)
    return [*originals, own]


def _reference(item: Any) -> dict[str, Any]:
    keys = ("owner_id", "id", "post_id", "post_type", "from_id", "date")
    return {key: item.get(key) for key in keys} if isinstance(item, dict) else {}


def _reply(item: dict[str, Any], authors: Authors, territory: str | None) -> PostRecord:
    """A comment met as a post: its own comment id under its post, when VK names the post."""
    owner_id = _int(item, "owner_id")
    post_id = item.get("post_id")
    if isinstance(post_id, bool) or not isinstance(post_id, int):
        raise MalformedItem("комментарий без номера поста (post_id)")
    record = parse_comment(item, owner_id, post_id, authors, territory=territory)
    if record is None:
        raise MalformedItem("комментарий удалён")
    return record


def _author_id(item: dict[str, Any], owner_id: int) -> int:
    """Who wrote it: a resident's `signer_id` in a signed community post, else `from_id`."""
    from_id = item.get("from_id") if isinstance(item.get("from_id"), int) else owner_id
    signer = item.get("signer_id")
    if from_id < 0 and isinstance(signer, int) and not isinstance(signer, bool) and signer > 0:
        return signer
    return from_id


def _post(
    item: Any,
    authors: Authors,
    territory: str | None,
    reposted: PostRecord | None,
    raw: dict[str, Any] | None = None,
) -> PostRecord:
    if not isinstance(item, dict):
        raise MalformedItem("пост не объект")
    owner_id, number = _int(item, "owner_id"), _int(item, "id")
    return PostRecord(
        external_id=post_external_id(owner_id, number),
        network="vk",
        text=_text(item),
        published_at=_moment(item),
        url=post_url(owner_id, number),
        author=authors.author(_author_id(item, owner_id)),
        reach=Reach(
            views=_count(item, "views"),
            likes=_count(item, "likes"),
            reposts=_count(item, "reposts"),
            comments=_count(item, "comments"),
        ),
        repost_of=reposted.external_id if reposted else None,
        territory=territory,
        raw=raw if raw is not None else item,
    )


def parse_comment(
    item: Any, owner_id: int, post_id: int, authors: Authors, *, territory: str | None = None
) -> PostRecord | None:
    """A comment or a reply in a thread; None for a deleted comment."""
    if not isinstance(item, dict):
        raise MalformedItem(f"комментарий не объект: {type(item).__name__}")
    number = _int(item, "id")
    if item.get("deleted") or is_removed(item):
        return None
    thread = item.get("thread")
    replies = thread.get("count") if isinstance(thread, dict) else None
    replies = replies if isinstance(replies, int) else None
    from_id = item.get("from_id") if isinstance(item.get("from_id"), int) else None
    raw = {key: value for key, value in item.items() if key != "thread"}
    return PostRecord(
        external_id=comment_external_id(owner_id, post_id, number),
        network="vk",
        text=_text(item),
        published_at=_moment(item),
        url=f"{post_url(owner_id, post_id)}?reply={number}",
        author=authors.author(from_id),
        reach=Reach(likes=_count(item, "likes"), comments=replies),
        parent_id=post_external_id(owner_id, post_id),
        territory=territory,
        raw=raw,
    )
