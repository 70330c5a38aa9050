"""VK community walls (`wall.get`) with the comments of recent posts (`wall.getComments`)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from monitor.collectors.base import (
    Batch,
    Collector,
    SourceState,
    Toolkit,
    keep_stored_comment_counts,
)
from monitor.collectors.errors import CollectorError, MalformedItem, SourceUnavailable
from monitor.collectors.parsers.vk import (
    Authors,
    is_ad,
    parse_comment,
    parse_post,
    post_external_id,
)
from monitor.collectors.vk_client import EXECUTE_LIMIT, VkClient
from monitor.config import CollectorsSettings, SourceSettings
from monitor.records import PostRecord

log = logging.getLogger(__name__)

PAGE = 100
THREAD_ITEMS = 10
AUTHOR_FIELDS = "members_count,followers_count"


def owner_parameters(address: str) -> dict[str, Any]:
    """wall.get's owner: '-123', '123', 'club123', 'public123' are a community id, else a domain."""
    address = address.strip().removeprefix("https://vk.com/").strip("/")
    found = re.fullmatch(r"(?:-|club|public)?(\d+)", address)
    return {"owner_id": -int(found.group(1))} if found else {"domain": address}


class VkCollector(Collector):
    """The base of the VK collectors: one API client per source, closed with it."""

    kind = "vk"

    def __init__(
        self, source: SourceSettings, settings: CollectorsSettings, tools: Toolkit, **client: Any
    ) -> None:
        super().__init__(source, settings, tools)
        self.client = VkClient(
            settings, tools.retrier, now=tools.now, timezone=tools.timezone, **client
        )

    def close(self) -> None:
        """Close the VK session."""
        self.client.session.close()


class VkWallCollector(VkCollector):
    """A community's wall, newest first, back to the last seen post and the refresh window."""

    def batches(self, state: SourceState) -> Iterator[Batch]:
        """One batch per page of the wall: its posts, reposted originals and new comments."""
        cursor = state.cursor
        last_id = cursor.get("last_id")
        horizon = self.horizon(cursor)
        newest = last_id
        offset, count = 0, None
        for page in range(self.settings.vk.max_pages):
            response = self.client.call(
                "wall.get",
                **owner_parameters(self.source.address),
                offset=offset,
                count=PAGE,
                extended=1,
                fields=AUTHOR_FIELDS,
            )
            items = response.get("items")
            if not isinstance(items, list):
                raise CollectorError("VK wall.get: в ответе нет списка items")
            authors = Authors.from_response(response)
            records: list[PostRecord] = []
            fresh: list[tuple[dict[str, Any], PostRecord]] = []
            done = not items
            for item in items:
                try:
                    parsed = parse_post(item, authors, territory=self.source.territory)
                except MalformedItem as exc:
                    self.skip(f"пост {_describe(item)}", str(exc))
                    continue
                post, number = parsed[-1], item["id"]
                if post.published_at < horizon and (last_id is None or number <= last_id):
                    # a pinned post comes first whatever its age: it does not end the wall
                    done = done or not item.get("is_pinned")
                    continue
                newest = max(newest or 0, number)
                if is_ad(item):
                    self.skip(f"пост {_describe(item)}", "реклама (marked_as_ads)")
                    continue
                records += parsed
                fresh.append((item, post))
            records = self._with_comments(fresh, records, state)
            new_count = response.get("count") if isinstance(response.get("count"), int) else None
            # posts published while we page push older ones down: skip what we have seen
            offset += len(items) + max(0, (new_count or 0) - (count or new_count or 0))
            count = new_count
            if count is not None and offset >= count:
                done = True
            if not done and page == self.settings.vk.max_pages - 1:
                log.warning("%s: stopped after %d pages", self.source.name, page + 1)
                done = True
            moved = {**cursor, "last_id": newest} if newest is not None else cursor
            yield self.batch(records, moved if done else cursor)
            if done:
                return

    def _with_comments(
        self,
        fresh: list[tuple[dict[str, Any], PostRecord]],
        records: list[PostRecord],
        state: SourceState,
    ) -> list[PostRecord]:
        """Add comments of posts whose comment count grew, batched through `execute`."""
        items = {post.external_id: item for item, post in fresh}
        wanted = self.needs_comments([post for _, post in fresh], state)
        failed: set[str] = set()
        for start in range(0, len(wanted), EXECUTE_LIMIT):
            chunk = wanted[start : start + EXECUTE_LIMIT]
            calls = [("wall.getComments", _comment_query(items[p.external_id])) for p in chunk]
            for post, result in zip(chunk, self.client.execute(calls), strict=True):
                try:
                    records += self._comments(items[post.external_id], result)
                except SourceUnavailable as exc:
                    self.skip(f"комментарии {post.external_id}", str(exc))
                    failed.add(post.external_id)
                except CollectorError as exc:
                    if not exc.retryable:
                        raise
                    log.info("%s: comments of %s later: %s", self.source.name, post.url, exc)
                    failed.add(post.external_id)
        return keep_stored_comment_counts(records, failed)

    def _comments(self, item: dict[str, Any], first: Any) -> list[PostRecord]:
        """All comments of one post from the first page, more pages and long threads."""
        if isinstance(first, CollectorError):
            raise first
        owner_id, post_id = item["owner_id"], item["id"]
        cap = self.settings.comments_per_post
        records: list[PostRecord] = []
        response, offset = first, 0
        while True:
            if not isinstance(response, dict) or not isinstance(response.get("items"), list):
                raise CollectorError(f"VK wall.getComments {post_id}: неверный ответ")
            authors = Authors.from_response(response)
            for comment in response["items"]:
                records += self._comment_and_thread(comment, owner_id, post_id, authors)
            offset += len(response["items"])
            total = response.get("current_level_count", response.get("count"))
            if not response["items"] or not isinstance(total, int) or offset >= total:
                break
            if len(records) >= cap:
                break
            response = self.client.call("wall.getComments", **_comment_query(item, offset))
        return records[:cap]

    def _comment_and_thread(
        self, comment: Any, owner_id: int, post_id: int, authors: Authors
    ) -> list[PostRecord]:
        territory = self.source.territory
        try:
            record = parse_comment(comment, owner_id, post_id, authors, territory=territory)
        except MalformedItem as exc:
            self.skip(f"комментарий к {post_external_id(owner_id, post_id)}", str(exc))
            return []
        found = [record] if record else []
        thread = comment.get("thread") if isinstance(comment, dict) else None
        if not isinstance(thread, dict):
            return found
        shown = thread.get("items")
        replies: list[Any] = shown if isinstance(shown, list) else []
        if isinstance(thread.get("count"), int) and thread["count"] > len(replies):
            more = self.client.call(
                "wall.getComments",
                owner_id=owner_id,
                post_id=post_id,
                comment_id=comment["id"],
                count=PAGE,
                extended=1,
                need_likes=1,
                fields=AUTHOR_FIELDS,
            )
            if isinstance(more.get("items"), list):
                replies = more["items"]
            authors = Authors({**authors.known, **Authors.from_response(more).known})
        for reply in replies:
            try:
                parsed = parse_comment(reply, owner_id, post_id, authors, territory=territory)
            except MalformedItem as exc:
                self.skip(f"ответ в ветке {comment.get('id')}", str(exc))
                continue
            if parsed:
                found.append(parsed)
        return found


def _comment_query(item: dict[str, Any], offset: int = 0) -> dict[str, Any]:
    query = {
        "owner_id": item["owner_id"],
        "post_id": item["id"],
        "count": PAGE,
        "sort": "asc",
        "preview_length": 0,
        "thread_items_count": THREAD_ITEMS,
        "need_likes": 1,
        "extended": 1,
        "fields": AUTHOR_FIELDS,
    }
    if offset:
        query["offset"] = offset
    return query


def _describe(item: Any) -> str:
    if isinstance(item, dict):
        return f"{item.get('owner_id')}_{item.get('id')}"
    return repr(item)[:40]
