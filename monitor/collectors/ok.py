"""Odnoklassniki group feeds and the comments of recent topics."""

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
from monitor.collectors.ok_client import OkClient, OkCredentials
from monitor.collectors.parsers.ok import Entities, parse_comment, parse_topic
from monitor.config import CollectorsSettings, SourceSettings
from monitor.records import PostRecord

log = logging.getLogger(__name__)


def group_id(address: str) -> str:
    """The group id from '123' or 'https://ok.ru/group/123'."""
    found = re.search(r"(\d+)/?$", address.strip())
    return found.group(1) if found else address.strip()


class OkCollector(Collector):
    """A group's topics, newest first, back to the last seen one and the refresh window."""

    kind = "ok"

    def __init__(
        self,
        source: SourceSettings,
        settings: CollectorsSettings,
        tools: Toolkit,
        credentials: OkCredentials | None = None,
    ) -> None:
        super().__init__(source, settings, tools)
        credentials = credentials or OkCredentials.from_environment()
        self.client = OkClient(tools.http, settings.ok, credentials)
        self.group = group_id(source.address)

    def batches(self, state: SourceState) -> Iterator[Batch]:
        """One batch per page of topics with the new comments of its recent topics."""
        cursor = state.cursor
        last_ms = cursor.get("last_ms")
        horizon_ms = int(self.horizon(cursor).timestamp() * 1000)
        newest = last_ms
        group = self._group_entities()
        anchor = None
        for page in range(self.settings.ok.max_pages):
            parameters: dict[str, Any] = {"gid": self.group, "count": self.settings.ok.page_size}
            if anchor:
                parameters.update(anchor=anchor, direction="FORWARD")
            response = self.client.call(self.settings.ok.topics_method, **parameters)
            topics = response.get("media_topics") if isinstance(response, dict) else None
            if not isinstance(topics, list):
                raise CollectorError(f"OK {self.settings.ok.topics_method}: нет media_topics")
            entities = Entities({**group.known, **Entities.from_response(response).known})
            fresh: list[PostRecord] = []
            done = not topics
            for topic in topics:
                try:
                    record = parse_topic(
                        topic, self.group, entities, territory=self.source.territory
                    )
                except MalformedItem as exc:
                    self.skip("топик", str(exc))
                    continue
                created = topic["created_ms"]
                if created < horizon_ms and (last_ms is None or created <= last_ms):
                    done = True  # no pinned flag is documented: finish this page, then stop
                    continue
                newest = max(newest or 0, created)
                fresh.append(record)
            records = self._with_comments(fresh, state)
            anchor = response.get("anchor")
            if not response.get("has_more") or not anchor:
                done = True
            if not done and page == self.settings.ok.max_pages - 1:
                log.warning("%s: stopped after %d pages", self.source.name, page + 1)
                done = True
            moved = {**cursor, "last_ms": newest} if newest is not None else cursor
            yield self.batch(records, moved if done else cursor)
            if done:
                return

    def _group_entities(self) -> Entities:
        """The group's own name and members (group.getInfo answers a list or {groups})."""
        answer = self.client.call("group.getInfo", uids=self.group, fields="uid,name,members_count")
        groups = answer.get("groups") if isinstance(answer, dict) else answer
        if not isinstance(groups, list) or not groups:
            raise SourceUnavailable(f"группа OK {self.group} не найдена")
        return Entities.from_response({"entities": {"groups": groups}})

    def _with_comments(self, fresh: list[PostRecord], state: SourceState) -> list[PostRecord]:
        records = list(fresh)
        failed: set[str] = set()
        for post in self.needs_comments(fresh, state):
            try:
                records += self._comments(post)
            except CollectorError as exc:
                if not exc.retryable and not isinstance(exc, SourceUnavailable):
                    raise
                log.info("%s: comments of %s later: %s", self.source.name, post.url, exc)
                failed.add(post.external_id)
        return keep_stored_comment_counts(records, failed)

    def _comments(self, post: PostRecord) -> list[PostRecord]:
        topic_id = post.external_id.rsplit("/", 1)[1]
        cap = self.settings.comments_per_post
        found: list[PostRecord] = []
        anchor = None
        while len(found) < cap:
            parameters: dict[str, Any] = {
                "discussionId": topic_id,
                "discussionType": "GROUP_TOPIC",
                "count": self.settings.ok.page_size,
            }
            if anchor:
                parameters["anchor"] = anchor
            response = self.client.call("discussions.getComments", **parameters)
            comments = response.get("comments") if isinstance(response, dict) else None
            if not isinstance(comments, list):
                raise CollectorError(f"OK discussions.getComments {topic_id}: нет comments")
            for comment in comments:
                try:
                    found.append(
                        parse_comment(
                            comment,
                            self.group,
                            topic_id,
                            timezone=self.settings.ok.timezone,
                            territory=self.source.territory,
                        )
                    )
                except MalformedItem as exc:
                    self.skip(f"комментарий к {post.external_id}", str(exc))
            anchor = response.get("anchor")
            if not comments or not response.get("has_more") or not anchor:
                break
        return found[:cap]
