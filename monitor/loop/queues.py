"""The review queues (uncertain, audit, corrections) and the audit sample of a period.

The audit sample is drawn by a hash of each post's id as ingested: in each stratum (the
posts the model accepted, those it rejected) posts are ordered by the key, which is a
uniform random order that needs no storage and stays the same for every analyst. The
queue serves them in that order, and the estimates use the labelled prefix of each
stratum: the posts up to the first one nobody has labelled. A prefix of a random order is
a uniform random sample, whoever labelled its posts and for whatever reason.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from sqlalchemy import Connection, func, select

from monitor.analytics.period import Period, centre_zone, resolve_period
from monitor.config import Settings
from monitor.errors import InputError
from monitor.loop.labels import latest_labels
from monitor.store.tables import classifications, labels, posts, sources

QUEUES = ("uncertain", "audit", "corrections")
ACCEPTED, REJECTED = "accepted", "rejected"


def review_period(
    settings: Settings,
    now: Any,
    *,
    week: str | None = None,
    first: str | None = None,
    last: str | None = None,
) -> Period:
    """The period a queue or an estimate covers: as asked, else the last `default_days`."""
    return resolve_period(
        zone=centre_zone(settings),
        now=now,
        week=week,
        first=first or None,
        last=last or None,
        default_days=settings.review.default_days,
    )


def hash_share(salt: str, external_id: str) -> float:
    """A uniform number in [0, 1) fixed by a post's id as ingested."""
    digest = hashlib.sha256(f"{salt}:{external_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def audit_key(external_id: str) -> float:
    """The post's place in the audit order of its stratum."""
    return hash_share("otklik-audit", external_id)


def in_check(external_id: str, share: float) -> bool:
    """Whether a post belongs to the fair check (never trained on by `train --from-database`)."""
    return hash_share("otklik-check", external_id) < share


@dataclass
class StreamPost:
    """A classified post of the stream, with the model's decision."""

    post_id: int
    external_id: str
    source: str
    text: str
    published_at: Any
    relevant: bool
    relevance_proba: float
    sector: str | None
    sector_proba: float | None
    sector_top: list
    risk: str | None
    territory: str | None
    stream: str | None = None  # the stream and threshold that decided (None before 0010)
    threshold: float | None = None

    @property
    def stratum(self) -> str:
        """The audit stratum: the model's decision."""
        return ACCEPTED if self.relevant else REJECTED

    def as_item(self, queue: str) -> dict[str, Any]:
        """The post as `review suggest` and the page show it."""
        return {
            "id": self.external_id,
            "post_id": self.post_id,
            "queue": queue,
            "source": self.source,
            "published_at": self.published_at.isoformat(),
            "text": self.text,
            "model": {
                "relevant": self.relevant,
                "relevance_proba": round(self.relevance_proba, 4),
                "sector": self.sector,
                "sector_top": self.sector_top or [],
                "risk": self.risk,
                "territory": self.territory,
            },
        }


def stream(connection: Connection, period: Period | None) -> list[StreamPost]:
    """The period's classified posts (all of them without a period), latest classification."""
    latest = (
        select(func.max(classifications.c.id).label("id"))
        .group_by(classifications.c.post_id)
        .subquery()
    )
    query = (
        select(
            posts.c.id,
            posts.c.external_id,
            sources.c.name,
            posts.c.text,
            posts.c.published_at,
            classifications.c.relevant,
            classifications.c.relevance_proba,
            classifications.c.sector,
            classifications.c.sector_proba,
            classifications.c.sector_top,
            classifications.c.risk,
            classifications.c.territory,
            classifications.c.stream,
            classifications.c.relevance_threshold,
        )
        .join(latest, latest.c.id == classifications.c.id)
        .join(posts, posts.c.id == classifications.c.post_id)
        .join(sources, sources.c.id == posts.c.source_id)
    )
    if period is not None:
        query = query.where(posts.c.published_at >= period.start, posts.c.published_at < period.end)
    return [StreamPost(*row) for row in connection.execute(query.order_by(posts.c.id))]


@dataclass
class Audit:
    """The audit of a period: each stratum in audit order, and its labelled prefix."""

    order: dict[str, list[StreamPost]]
    labels: dict[int, Any]
    prefix: dict[str, list[StreamPost]] = field(default_factory=dict)

    @classmethod
    def of(cls, connection: Connection, items: Sequence[StreamPost]) -> Audit:
        """Order the strata and find the labelled prefixes."""
        order: dict[str, list[StreamPost]] = {ACCEPTED: [], REJECTED: []}
        for post in sorted(items, key=lambda p: audit_key(p.external_id)):
            order[post.stratum].append(post)
        known = {
            post_id: row
            for post_id, row in latest_labels(connection, [p.post_id for p in items]).items()
            if row.relevant is not None
        }
        audit = cls(order, known)
        for name, ordered in order.items():
            end = next((i for i, p in enumerate(ordered) if p.post_id not in known), len(ordered))
            audit.prefix[name] = ordered[:end]
        return audit

    def unlabelled(self, stratum: str) -> list[StreamPost]:
        """The stratum's posts still to label, in audit order."""
        return [p for p in self.order[stratum] if p.post_id not in self.labels]


def audit_queue(audit: Audit, rejected_share: float, n: int) -> list[StreamPost]:
    """The next `n` posts of the audit: both strata in audit order, mixed by the share."""
    rejected, accepted = audit.unlabelled(REJECTED), audit.unlabelled(ACCEPTED)
    chosen: list[StreamPost] = []
    taken_rejected = 0
    while len(chosen) < n and (rejected or accepted):
        want_rejected = taken_rejected < rejected_share * (len(chosen) + 1)
        if (want_rejected and rejected) or not accepted:
            chosen.append(rejected.pop(0))
            taken_rejected += 1
        else:
            chosen.append(accepted.pop(0))
    return chosen


def uncertain_queue(
    items: Sequence[StreamPost],
    known: dict[int, Any],
    settings: Settings,
    threshold: float,
    n: int,
) -> list[StreamPost]:
    """Unlabelled posts near the threshold and signals of an unsure sector, spread out.

    Posts are grouped by (source, sector) and taken round-robin, most uncertain first in
    each group, so one busy group does not fill the queue.
    """
    margin = settings.review.uncertain_margin
    below = settings.review.uncertain_sector_below
    groups: dict[tuple, list[tuple[float, StreamPost]]] = defaultdict(list)
    for post in items:
        if post.post_id in known:
            continue
        cut = threshold if post.threshold is None else post.threshold  # its stream's
        distance = abs(post.relevance_proba - cut)
        sector_unsure = post.relevant and (post.sector_proba or 0.0) < below
        if distance <= margin or sector_unsure:
            score = min(distance / margin, (post.sector_proba or 0.0) if sector_unsure else 1.0)
            groups[(post.source, post.sector if post.relevant else None)].append((score, post))
    ordered = [[post for _, post in sorted(group, key=lambda x: x[0])] for group in groups.values()]
    ordered.sort(key=lambda group: len(group), reverse=True)
    spread = [post for layer in zip_longest(*ordered) for post in layer if post is not None]
    return spread[:n]


def corrections_queue(
    connection: Connection, items: Sequence[StreamPost], n: int
) -> list[StreamPost]:
    """Posts whose latest label is an officer's correction (rejected or reclassified)."""
    by_id = {p.post_id: p for p in items}
    latest = latest_labels(connection, list(by_id))
    chosen = [
        by_id[post_id]
        for post_id, row in sorted(latest.items(), key=lambda kv: kv[1].at, reverse=True)
        if row.incident_id is not None
    ]
    return chosen[:n]


def suggest(
    connection: Connection,
    settings: Settings,
    *,
    queue: str,
    period: Period | None,
    threshold: float,
    n: int,
) -> list[dict[str, Any]]:
    """The next posts to label from a queue, with the model's decision."""
    if queue not in QUEUES:
        raise InputError(f"Неизвестная очередь {queue!r}; есть: {', '.join(QUEUES)}")
    items = stream(connection, period)
    if queue == "audit":
        audit = Audit.of(connection, items)
        chosen = audit_queue(audit, settings.review.audit_rejected_share, n)
        strata = {p.post_id: p.stratum for p in chosen}
        return [{**p.as_item(queue), "stratum": strata[p.post_id]} for p in chosen]
    if queue == "corrections":
        return [p.as_item(queue) for p in corrections_queue(connection, items, n)]
    known = {
        post_id
        for post_id, row in latest_labels(connection, [p.post_id for p in items]).items()
        if row.relevant is not None
    }
    chosen = uncertain_queue(items, dict.fromkeys(known), settings, threshold, n)
    return [p.as_item(queue) for p in chosen]


def labelled_counts(connection: Connection) -> dict[str, int]:
    """How many label rows people made: by officers (incident actions) and by analysts."""
    rows = connection.execute(
        select(labels.c.incident_id.is_(None).label("review"), func.count()).group_by(
            labels.c.incident_id.is_(None)
        )
    ).all()
    counts = {"officers": 0, "analysts": 0}
    for review, count in rows:
        counts["analysts" if review else "officers"] += count
    return counts
