"""A VK API 5.199 server: wall.get, wall.getComments, newsfeed.search, execute,
wall.createComment (with `guid`, `reply_to_comment`, `from_group`), and errors.

Responses and error envelopes follow the documented shapes: `{"response": ...}` or, with
HTTP 200, `{"error": {"error_code", "error_msg", "request_params"}}`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from collect_servers.base import LocalServer, Reply, Request

TOKEN = "vk-test-token"
VERSION = "5.199"
SEARCH_CAP = 1000
MESSAGES = {
    5: "User authorization failed: invalid access_token (4).",
    7: "Permission to perform this action is denied",
    6: "Too many requests per second",
    9: "Flood control",
    10: "Internal server error",
    14: "Captcha needed",
    15: "Access denied: wall is disabled",
    17: "Validation required",
    18: "User was deleted or banned",
    29: "Rate limit reached",
    30: "This profile is private",
    100: "One of the parameters specified was missing or invalid",
    203: "Access to the group is denied",
    212: "Access to post comments denied",
    213: "Access denied: no access to comment this post",
    222: "Hyperlinks are forbidden",
    223: "Too many replies",
}


def post(
    owner_id: int,
    number: int,
    date: int,
    text: str,
    *,
    views: int | None = 100,
    likes: int = 1,
    reposts: int = 0,
    comments: int = 0,
    from_id: int | None = None,
    pinned: bool = False,
    copy_history: list[dict] | None = None,
    signer_id: int | None = None,
    ads: bool = False,
) -> dict[str, Any]:
    """A post object with the documented fields."""
    item: dict[str, Any] = {
        "id": number,
        "owner_id": owner_id,
        "from_id": from_id if from_id is not None else owner_id,
        "date": date,
        "post_type": "post",
        "text": text,
        "likes": {"count": likes},
        "reposts": {"count": reposts},
        "comments": {"count": comments},
        "marked_as_ads": 1 if ads else 0,
    }
    if signer_id is not None:
        item["signer_id"] = signer_id
    if views is not None:
        item["views"] = {"count": views}
    if pinned:
        item["is_pinned"] = 1
    if copy_history:
        item["copy_history"] = copy_history
    return item


def reposted_comment(
    owner_id: int, post_id: int, number: int, from_id: int, date: int, text: str
) -> dict[str, Any]:
    """A comment as VK shows it inside `copy_history` or a search result: `post_type` reply."""
    return {
        "id": number,
        "owner_id": owner_id,
        "from_id": from_id,
        "date": date,
        "post_type": "reply",
        "post_id": post_id,
        "text": text,
    }


def removed_original(owner_id: int, number: int) -> dict[str, Any]:
    """A reposted original that was deleted: VK keeps its ids, zeroes author and date."""
    return {
        "id": number,
        "owner_id": owner_id,
        "from_id": 0,
        "date": 0,
        "post_type": "post",
        "text": "",
    }


def comment(number: int, from_id: int, date: int, text: str, likes: int = 0) -> dict[str, Any]:
    """A comment object."""
    return {"id": number, "from_id": from_id, "date": date, "text": text, "likes": {"count": likes}}


@dataclass
class Thread:
    """A top-level comment and the replies in its thread."""

    comment: dict[str, Any]
    replies: list[dict[str, Any]] = field(default_factory=list)


class VkServer(LocalServer):
    """VK walls, comments and search in memory; `fail` queues error answers per method."""

    def __init__(self) -> None:
        super().__init__()
        self.walls: dict[int, list[dict]] = defaultdict(list)
        self.domains: dict[str, int] = {}
        self.groups: dict[int, dict] = {}
        self.profiles: dict[int, dict] = {}
        self.threads: dict[tuple[int, int], list[Thread]] = defaultdict(list)
        self.search_posts: list[dict] = []
        self.failures: dict[str, list[Any]] = defaultdict(list)
        self.comment_errors: dict[tuple[int, int], int] = {}
        self.tokens = {TOKEN}
        self.closed_comments: set[tuple[int, int]] = set()
        self.created: dict[str, dict[str, Any]] = {}  # wall.createComment by guid
        self.next_comment_id = 10_000

    def add_group(self, group_id: int, name: str, members: int, domain: str | None = None) -> None:
        """A community with its name and members."""
        self.groups[group_id] = {
            "id": group_id,
            "name": name,
            "screen_name": domain or f"club{group_id}",
            "members_count": members,
        }
        if domain:
            self.domains[domain] = -group_id

    def add_profile(self, user_id: int, first: str, last: str, followers: int = 0) -> None:
        """A person."""
        self.profiles[user_id] = {
            "id": user_id,
            "first_name": first,
            "last_name": last,
            "followers_count": followers,
        }

    def fail(self, method: str, code: int | str, times: int = 1, owner: int | None = None) -> None:
        """The next `times` calls of `method` (for `owner`) answer with this error code.

        'json' answers broken JSON, 'http500' an HTTP error."""
        self.failures[method] += [(code, owner)] * times

    def calls(self, method: str) -> list[dict[str, str]]:
        """Parameters of each call of a method (execute slots count as calls)."""
        found = []
        for request in self.requests:
            name = request.path.rsplit("/", 1)[-1]
            if name == method:
                found.append(request.params)
            elif name == "execute" and method in request.params.get("code", ""):
                found += [args for slot, args in _slots(request.params["code"]) if slot == method]
        return found

    def handle(self, request: Request) -> Reply:
        """Answer one method call."""
        method = request.path.rsplit("/", 1)[-1]
        params = request.params
        if params.get("access_token") not in self.tokens:
            return self._error(5, method, params)
        if params.get("v") != VERSION:
            return self._error(100, method, params)
        injected = next(
            (
                index
                for index, (_, owner) in enumerate(self.failures[method])
                if owner is None or params.get("owner_id") == str(owner)
            ),
            None,
        )
        if injected is not None:
            code = self.failures[method].pop(injected)[0]
            if code == "json":
                return Reply(200, b'{"response": {"items": [', {"Content-Type": "application/json"})
            if code == "http500":
                return Reply(500, b"Internal Server Error")
            return self._error(code, method, params)
        if method == "execute":
            return self._execute(params["code"])
        try:
            return Reply.json({"response": self._call(method, params)})
        except VkError as exc:
            return self._error(exc.code, method, params)

    def _error(self, code: int, method: str, params: dict[str, str]) -> Reply:
        error: dict[str, Any] = {
            "error_code": code,
            "error_msg": MESSAGES.get(code, "Unknown error"),
            "request_params": [{"key": "method", "value": method}]
            + [{"key": k, "value": v} for k, v in params.items() if k != "access_token"],
        }
        if code == 14:
            error.update(captcha_sid="123", captcha_img="https://api.vk.ru/captcha.php?sid=123")
        return Reply.json({"error": error})

    def _execute(self, code: str) -> Reply:
        results, errors = [], []
        for method, args in _slots(code):
            try:
                results.append(self._call(method, {k: str(v) for k, v in args.items()}))
            except VkError as exc:
                results.append(False)
                errors.append(
                    {"method": method, "error_code": exc.code, "error_msg": MESSAGES[exc.code]}
                )
        envelope: dict[str, Any] = {"response": results}
        if errors:
            envelope["execute_errors"] = errors
        return Reply.json(envelope)

    def _call(self, method: str, params: dict[str, str]) -> Any:
        if method == "wall.get":
            return self._wall(params)
        if method == "wall.getComments":
            return self._comments(params)
        if method == "newsfeed.search":
            return self._search(params)
        if method == "wall.createComment":
            return self._create_comment(params)
        raise VkError(100)

    def _create_comment(self, params: dict[str, str]) -> dict[str, Any]:
        """Documented: the same `guid` never posts twice; a reply goes into its thread."""
        try:
            key = (int(params["owner_id"]), int(params["post_id"]))
        except (KeyError, ValueError):
            raise VkError(100) from None
        if not params.get("message") and not params.get("attachments"):
            raise VkError(100)
        if not any(p["id"] == key[1] for p in self.walls.get(key[0], [])):
            raise VkError(100)  # the post was deleted
        if key in self.closed_comments:
            raise VkError(15)
        guid = params.get("guid")
        if guid and guid in self.created:
            return {"comment_id": self.created[guid]["id"], "parents_stack": []}
        self.next_comment_id += 1
        from_id = -int(params["from_group"]) if params.get("from_group") else 1
        item = comment(self.next_comment_id, from_id, 1_700_000_000, params.get("message", ""))
        item["from_group"] = params.get("from_group")
        stack: list[int] = []
        if params.get("reply_to_comment"):
            parent_id = int(params["reply_to_comment"])
            thread = next((t for t in self.threads[key] if t.comment["id"] == parent_id), None)
            if thread is None:
                thread = next(
                    (t for t in self.threads[key] if any(r["id"] == parent_id for r in t.replies)),
                    None,
                )
            if thread is None:
                raise VkError(100)
            item["reply_to_comment"] = parent_id
            thread.replies.append(item)
            stack = [thread.comment["id"]]
        else:
            self.threads[key].append(Thread(item))
        self.created[guid or str(self.next_comment_id)] = item
        return {"comment_id": item["id"], "parents_stack": stack}

    def _extended(self, items: list[dict], params: dict[str, str]) -> dict[str, Any]:
        if params.get("extended") != "1":
            return {}
        ids = {item.get("from_id") for item in items} | {item.get("owner_id") for item in items}
        ids |= {item.get("signer_id") for item in items}
        for item in items:
            for original in item.get("copy_history", []):
                ids |= {original.get(key) for key in ("owner_id", "from_id", "signer_id")}
        return {
            "profiles": [
                self.profiles[i] for i in ids if isinstance(i, int) and i in self.profiles
            ],
            "groups": [self.groups[-i] for i in ids if isinstance(i, int) and -i in self.groups],
        }

    def _wall(self, params: dict[str, str]) -> dict[str, Any]:
        count = int(params.get("count", 20))
        if count > 100:
            raise VkError(100)
        owner = (
            int(params["owner_id"]) if "owner_id" in params else self.domains.get(params["domain"])
        )
        if owner is None or owner not in self.walls:
            raise VkError(100)
        posts = self.walls[owner]
        ordered = [p for p in posts if p.get("is_pinned")] + sorted(
            (p for p in posts if not p.get("is_pinned")), key=lambda p: -p["id"]
        )
        offset = int(params.get("offset", 0))
        items = ordered[offset : offset + count]
        return {"count": len(posts), "items": items, **self._extended(items, params)}

    def _comments(self, params: dict[str, str]) -> dict[str, Any]:
        key = (int(params["owner_id"]), int(params["post_id"]))
        if key in self.comment_errors:
            raise VkError(self.comment_errors[key])
        count, offset = int(params.get("count", 10)), int(params.get("offset", 0))
        threads = self.threads[key]
        if "comment_id" in params:
            parent = next(t for t in threads if t.comment["id"] == int(params["comment_id"]))
            items = [self._as_comment(r, key) for r in parent.replies[offset : offset + count]]
            return {"count": len(parent.replies), "items": items, **self._extended(items, params)}
        shown = min(int(params.get("thread_items_count", 0)), 10)
        items = []
        for thread in threads[offset : offset + count]:
            item = self._as_comment(thread.comment, key)
            item["thread"] = {
                "count": len(thread.replies),
                "items": [self._as_comment(r, key) for r in thread.replies[:shown]],
            }
            items.append(item)
        total = len(threads) + sum(len(t.replies) for t in threads)
        return {
            "count": total,
            "current_level_count": len(threads),
            "items": items,
            **self._extended(items, params),
        }

    @staticmethod
    def _as_comment(item: dict, key: tuple[int, int]) -> dict:
        return {**item, "owner_id": key[0], "post_id": key[1]}

    def _search(self, params: dict[str, str]) -> dict[str, Any]:
        count = int(params.get("count", 30))
        if count > 200:
            raise VkError(100)
        query = params.get("q", "").lower()
        start = int(params.get("start_time", 0))
        end = int(params.get("end_time", 2**40))
        found = sorted(
            (
                p
                for p in self.search_posts
                if query in p["text"].lower() and start <= p["date"] <= end
            ),
            key=lambda p: (-p["date"], -p["id"]),
        )
        reachable = found[:SEARCH_CAP]
        offset = int(params.get("start_from") or 0)
        items = reachable[offset : offset + count]
        answer: dict[str, Any] = {
            "items": items,
            "count": len(items),
            "total_count": len(found),
            **self._extended(items, params),
        }
        if offset + count < len(reachable):
            answer["next_from"] = str(offset + count)
        return answer


class VkError(Exception):
    """A method fails with this VK error code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _slots(code: str) -> list[tuple[str, dict[str, Any]]]:
    """The calls of an execute body of the shape `return [API.m({...}),...];`."""
    return [
        (method, json.loads(args))
        for method, args in re.findall(r"API\.([\w.]+)\((\{.*?\})\)", code)
    ]
