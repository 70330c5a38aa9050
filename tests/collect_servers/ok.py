"""An Odnoklassniki `fb.do` server that checks every signature, as the real one does."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from collect_servers.base import LocalServer, Reply, Request

APPLICATION_KEY = "CBAOKTESTKEY"
APPLICATION_SECRET = "0123456789ABCDEF0123456789"
ACCESS_TOKEN = "tkn-ok-test-token"


def md5(text: str) -> str:
    """Lower-case hex MD5."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def expected_signature(params: dict[str, str]) -> str:
    """The server's side of the signature rule (written apart from the client's)."""
    secret = (
        md5(params["access_token"] + APPLICATION_SECRET)
        if params.get("access_token")
        else APPLICATION_SECRET
    )
    pairs = sorted(
        (k, v) for k, v in params.items() if k not in ("sig", "access_token", "session_key")
    )
    return md5("".join(f"{k}={v}" for k, v in pairs) + secret)


def topic(
    topic_id: str,
    created_ms: int,
    text: str,
    *,
    group_id: str,
    likes: int = 1,
    comments: int = 0,
    reshares: int = 0,
    views: int = 50,
) -> dict[str, Any]:
    """A media topic with the documented fields."""
    return {
        "id": topic_id,
        "created_ms": created_ms,
        "author_ref": f"group:{group_id}",
        "owner_ref": f"group:{group_id}",
        "media": [{"type": "text", "text": text}],
        "like_summary": {"count": likes},
        "discussion_summary": {"comments_count": comments},
        "reshare_summary": {"count": reshares},
        "views_count": views,
    }


class OkServer(LocalServer):
    """Groups, their topics (newest first, paged by anchor) and topic comments."""

    def __init__(self, *, info_as_object: bool = False) -> None:
        super().__init__()
        self.info_as_object = info_as_object
        self.groups: dict[str, dict] = {}
        self.topics: dict[str, list[dict]] = defaultdict(list)
        self.comments: dict[str, list[dict]] = defaultdict(list)
        self.failures: dict[str, list[int]] = defaultdict(list)
        self.bad_signatures = 0

    def add_group(self, group_id: str, name: str, members: int) -> None:
        """A group."""
        self.groups[group_id] = {"uid": group_id, "name": name, "members_count": members}

    def fail(self, method: str, code: int, times: int = 1) -> None:
        """The next `times` calls of `method` answer with this error code."""
        self.failures[method] += [code] * times

    def calls(self, method: str) -> list[dict[str, str]]:
        """Parameters of each call of a method."""
        return [r.params for r in self.requests if r.params.get("method") == method]

    def handle(self, request: Request) -> Reply:
        """Check the key and signature, then answer the method."""
        params = request.params
        method = params.get("method", "")
        if params.get("application_key") != APPLICATION_KEY:
            return self._error(101, "PARAM_API_KEY : Application key is invalid")
        if params.get("sig") != expected_signature(params):
            self.bad_signatures += 1
            return self._error(104, "PARAM_SIGNATURE : Invalid signature")
        if self.failures[method]:
            return self._error(self.failures[method].pop(0), "injected")
        if method == "group.getInfo":
            found = [self.groups[g] for g in params.get("uids", "").split(",") if g in self.groups]
            return Reply.json({"groups": found} if self.info_as_object else found)
        if method == "mediatopic.getTopics":
            return self._page(self.topics.get(params.get("gid", "")), params, "media_topics")
        if method == "discussions.getComments":
            if params.get("discussionType") != "GROUP_TOPIC":
                return self._error(100, "PARAM : discussionType")
            return self._page(self.comments.get(params.get("discussionId", "")), params, "comments")
        return self._error(3, "METHOD : Method not found")

    def _page(self, entries: list[dict] | None, params: dict[str, str], key: str) -> Reply:
        if entries is None:
            return self._error(300, "NOT_FOUND")
        if key == "media_topics":
            entries = sorted(entries, key=lambda t: -t["created_ms"])
        offset = int(params.get("anchor") or 0)
        count = int(params.get("count", 20))
        page = entries[offset : offset + count]
        more = offset + count < len(entries)
        answer: dict[str, Any] = {key: page, "has_more": more, "anchor": str(offset + count)}
        if key == "media_topics":
            answer["entities"] = {"groups": list(self.groups.values())}
        return Reply.json(answer)

    @staticmethod
    def _error(code: int, message: str) -> Reply:
        return Reply.json({"error_code": code, "error_msg": message, "error_data": None})
