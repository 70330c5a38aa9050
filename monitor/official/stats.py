"""Per official page over a period: posts, residents' comments, answered signals, conflicts.

A page's posts are the stored posts written by its community (VK `vk:-ID`, OK
`ok:group:ID`) without a parent; residents' comments are the comments under them by anyone
else. A signal is a resident's comment the classifier marked relevant or that asks a
question («?»). It is answered when the page wrote after it in its thread (VK: a reply to
it or in its thread; OK: any later comment of the page on the topic). Conflicts: an answer
whose resident wrote back and the reaction model reads as not satisfied, or an answer with
a rude or dismissive phrase of `official_pages.rude_words`.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from monitor.analytics.period import Period
from monitor.config import OfficialPage, Settings
from monitor.store.tables import classifications, posts

COMMENT_ID = re.compile(r"_c_(\d+)$")


@dataclass(frozen=True, slots=True)
class Signal:
    """A resident's question or complaint under the page's post."""

    post_id: int
    url: str | None
    text: str
    at: datetime
    answered_at: datetime | None = None
    answer_text: str | None = None


@dataclass(frozen=True, slots=True)
class Conflict:
    """An official answer residents dispute, or one in a rude tone."""

    page: str
    kind: str  # disputed or rude
    url: str | None
    answer: str
    resident: str | None


@dataclass
class PageStats:
    """One page's figures for a period."""

    page: OfficialPage
    posts: int = 0
    comments: int = 0
    signals: list[Signal] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    removed: int | None = None  # not measured: deleted comments are not stored

    @property
    def answered(self) -> int:
        """Signals the page answered in the thread."""
        return sum(1 for s in self.signals if s.answered_at is not None)

    @property
    def answered_share(self) -> float | None:
        """Answered ÷ signals."""
        return self.answered / len(self.signals) if self.signals else None

    @property
    def median_answer_hours(self) -> float | None:
        """Median time from a signal to the page's answer."""
        times = [
            (s.answered_at - s.at).total_seconds() / 3600 for s in self.signals if s.answered_at
        ]
        return statistics.median(times) if times else None

    @property
    def unanswered(self) -> list[Signal]:
        """Signals still without the page's answer, oldest first."""
        return sorted((s for s in self.signals if s.answered_at is None), key=lambda s: s.at)


def page_author(page: OfficialPage) -> str:
    """The author id the collectors give the page's community."""
    number = page.address.lstrip("-")
    return f"vk:-{number}" if page.network == "vk" else f"ok:group:{number}"


def _comment_number(external_id: str) -> int | None:
    found = COMMENT_ID.search(external_id)
    return int(found.group(1)) if found else None


def _in_thread(reply: Any, comment: Any, network: str) -> bool:
    if network != "vk":
        return True
    number = _comment_number(comment.external_id)
    raw = reply.raw if isinstance(reply.raw, dict) else {}
    stack = raw.get("parents_stack") if isinstance(raw.get("parents_stack"), list) else []
    return number is not None and (raw.get("reply_to_comment") == number or number in stack)


def _is_signal(row: Any, relevant: set[int]) -> bool:
    return row.id in relevant or "?" in (row.text or "")


def page_stats(
    connection: Connection,
    settings: Settings,
    page: OfficialPage,
    period: Period,
    *,
    reader: Any = None,
) -> PageStats:
    """The page's figures for posts it published in the period."""
    author = page_author(page)
    stats = PageStats(page)
    own = (
        connection.execute(
            select(posts.c.external_id).where(
                posts.c.author_id == author,
                posts.c.parent_external_id.is_(None),
                posts.c.published_at >= period.start,
                posts.c.published_at < period.end,
            )
        )
        .scalars()
        .all()
    )
    stats.posts = len(own)
    if not own:
        return stats
    rows = connection.execute(
        select(posts)
        .where(posts.c.parent_external_id.in_(own))
        .order_by(posts.c.published_at, posts.c.id)
    ).all()
    relevant = set(
        connection.execute(
            select(classifications.c.post_id).where(
                classifications.c.post_id.in_([r.id for r in rows]), classifications.c.relevant
            )
        ).scalars()
    )
    by_post: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_post[row.parent_external_id].append(row)
    rude = [word.lower() for word in settings.official_pages.rude_words]
    disputes: list[tuple[Any, Any, Any]] = []
    for thread in by_post.values():
        official = [r for r in thread if r.author_id == author]
        residents = [r for r in thread if r.author_id != author]
        stats.comments += len(residents)
        for answer in official:
            if any(word in (answer.text or "").lower() for word in rude):
                stats.conflicts.append(Conflict(page.name, "rude", answer.url, answer.text, None))
        for row in residents:
            if not _is_signal(row, relevant):
                continue
            reply = next(
                (
                    r
                    for r in official
                    if r.published_at > row.published_at and _in_thread(r, row, page.network)
                ),
                None,
            )
            stats.signals.append(
                Signal(
                    row.id,
                    row.url,
                    row.text,
                    row.published_at,
                    reply.published_at if reply else None,
                    reply.text if reply else None,
                )
            )
            if reply is not None:
                later = [
                    r
                    for r in residents
                    if r.author_id == row.author_id and r.published_at > reply.published_at
                ]
                disputes += [(reply, row, r) for r in later]
    if disputes and reader is not None:
        readings = reader([d[2].text for d in disputes])
        for (reply, _, back), verdict in zip(disputes, readings, strict=True):
            if verdict == "not_satisfied":
                stats.conflicts.append(
                    Conflict(page.name, "disputed", back.url, reply.text, back.text)
                )
    return stats


def all_pages(
    connection: Connection, settings: Settings, period: Period, *, reader: Any = None
) -> list[PageStats]:
    """Every configured page, best answered share first (pages without signals last)."""
    found = [
        page_stats(connection, settings, page, period, reader=reader)
        for page in settings.official_pages.pages
    ]
    return sorted(
        found,
        key=lambda s: (s.answered_share is None, -(s.answered_share or 0), s.page.name),
    )


def model_reader(settings: Settings):
    """A function from texts to verdicts, with the configured reaction model."""
    from monitor.satisfaction.reactions import reaction_model

    def read(texts: list[str]) -> list[str]:
        model = reaction_model(settings)
        return [r.verdict for r in model.read(texts, settings.satisfaction.min_probability)]

    return read
