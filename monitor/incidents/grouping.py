"""Grouping: reposts, comments and near-duplicates of one problem become one incident."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Integer, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from classifier.text import Lemmatizer
from monitor.config import Settings
from monitor.incidents import sla
from monitor.incidents.audit import record_event
from monitor.incidents.lifecycle import OPEN_STATUSES, RISK_RANK, risk_up
from monitor.incidents.routing import recipient_id, route
from monitor.incidents.similarity import overlap, signature
from monitor.store.tables import incident_posts, incident_sources, incidents, posts

MAX_SIGNATURE_LEMMAS = 300
TITLE_CHARS = 120


@dataclass(frozen=True, slots=True)
class ClassifiedPost:
    """A stored post with the decision the model made about it."""

    post_id: int
    external_id: str
    author_id: str | None
    text: str
    published_at: datetime
    collected_at: datetime
    parent_external_id: str | None
    repost_of_external_id: str | None
    relevant: bool
    sector: str
    risk: str
    risk_text: str
    territory: str | None


def make_title(text: str) -> str:
    """A one-line title from a post's text: markup and links dropped, cut at a word."""
    clean = re.sub(r"\[(?:id|club|public)\d+\|([^\]]*)\]", r"\1", text)
    clean = re.sub(r"https?://\S+|#\S+", " ", clean)
    clean = re.sub(r"\s+", " ", clean).strip(" .,!-—")
    if not clean:
        return "Без текста"
    if len(clean) <= TITLE_CHARS:
        return clean
    cut = clean[:TITLE_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def _incident_of(connection: Connection, external_id: str | None) -> int | None:
    if not external_id:
        return None
    return connection.execute(
        select(incident_posts.c.incident_id)
        .join(posts, posts.c.id == incident_posts.c.post_id)
        .where(posts.c.external_id == external_id)
        .limit(1)
    ).scalar()


def link_post(
    connection: Connection, incident_id: int, post_id: int, role: str, now: datetime
) -> None:
    """Make a post part of an incident, and its source one of the incident's sources.

    Every post joins its incident here, so that incident_sources (the queue's source filter)
    never misses one; both rows go in the caller's transaction. (Bulk loaders in bench/ write
    both tables themselves.)
    """
    connection.execute(
        insert(incident_posts).values(
            incident_id=incident_id, post_id=post_id, role=role, added_at=now
        )
    )
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(incident_sources)
        .from_select(
            ["incident_id", "source_id"],
            select(literal(incident_id, Integer), posts.c.source_id).where(posts.c.id == post_id),
        )
        .on_conflict_do_nothing()
    )


def _near_duplicate(
    connection: Connection, settings: Settings, post: ClassifiedPost, lemmas: frozenset[str]
) -> int | None:
    since = post.published_at - timedelta(hours=settings.grouping.window_hours)
    query = (
        select(incidents.c.id, incidents.c.signature)
        .where(incidents.c.sector == post.sector)
        .where(incidents.c.status.in_(OPEN_STATUSES))
        .where(incidents.c.last_post_at >= since)
    )
    if post.territory is None:
        query = query.where(incidents.c.territory.is_(None))
    else:
        query = query.where(incidents.c.territory == post.territory)
    best_id, best_score = None, settings.grouping.min_similarity
    for row in connection.execute(query):
        score = overlap(lemmas, frozenset(row.signature.split()))
        if score >= best_score:
            best_id, best_score = row.id, score
    return best_id


def group_post(
    connection: Connection,
    settings: Settings,
    post: ClassifiedPost,
    now: datetime,
    lemmatizer: Lemmatizer | None = None,
) -> tuple[int | None, bool]:
    """Put one classified post into an incident; returns (incident id or None, created)."""
    linked = _incident_of(connection, post.repost_of_external_id)
    if linked is not None:
        _attach(connection, settings, linked, post, "repost", now)
        return linked, False
    if not post.relevant:
        return None, False
    lemmas = signature(post.text, lemmatizer)
    parent = _incident_of(connection, post.parent_external_id)
    if parent is not None:
        _attach(connection, settings, parent, post, "comment", now, lemmas)
        return parent, False
    duplicate = _near_duplicate(connection, settings, post, lemmas)
    if duplicate is not None:
        _attach(connection, settings, duplicate, post, "duplicate", now, lemmas)
        return duplicate, False
    return _create(connection, settings, post, now, lemmas), True


def _create(
    connection: Connection,
    settings: Settings,
    post: ClassifiedPost,
    now: datetime,
    lemmas: frozenset[str],
) -> int:
    registered_at = min(post.collected_at, now)
    recipient_code = route(settings, post.sector, post.territory)
    first_due, final_due = sla.initial_deadlines(
        settings,
        risk=post.risk,
        sector=post.sector,
        recipient_code=recipient_code,
        registered_at=registered_at,
    )
    status = "new" if recipient_code == settings.routing.fallback else "assigned"
    incident_id = connection.execute(
        insert(incidents).values(
            title=make_title(post.text),
            sector=post.sector,
            risk=post.risk,
            risk_rank=RISK_RANK[post.risk],
            risk_text=post.risk_text,
            territory=post.territory,
            status=status,
            recipient_id=recipient_id(connection, recipient_code),
            created_at=registered_at,
            updated_at=now,
            last_post_at=post.published_at,
            first_response_due=first_due,
            final_answer_due=final_due,
            posts_count=1,
            authors_count=1 if post.author_id else 0,
            signature=" ".join(sorted(lemmas)[:MAX_SIGNATURE_LEMMAS]),
        )
    ).inserted_primary_key[0]
    link_post(connection, incident_id, post.post_id, "origin", now)
    record_event(
        connection,
        incident_id=incident_id,
        kind="created",
        at=registered_at,
        payload={
            "post_id": post.post_id,
            "sector": post.sector,
            "risk": post.risk,
            "territory": post.territory,
        },
    )
    record_event(
        connection,
        incident_id=incident_id,
        kind="routed",
        at=registered_at,
        payload={"recipient": recipient_code, "status": status},
    )
    return incident_id


def _attach(
    connection: Connection,
    settings: Settings,
    incident_id: int,
    post: ClassifiedPost,
    role: str,
    now: datetime,
    lemmas: frozenset[str] | None = None,
) -> None:
    link_post(connection, incident_id, post.post_id, role, now)
    incident = connection.execute(select(incidents).where(incidents.c.id == incident_id)).one()
    authors = connection.execute(
        select(func.count(func.distinct(posts.c.author_id)))
        .select_from(incident_posts.join(posts, posts.c.id == incident_posts.c.post_id))
        .where(incident_posts.c.incident_id == incident_id)
    ).scalar_one()
    values: dict = {
        "posts_count": incident.posts_count + 1,
        "authors_count": authors,
        "last_post_at": max(incident.last_post_at, post.published_at),
        "updated_at": now,
    }
    if lemmas:
        merged = set(incident.signature.split()) | lemmas
        values["signature"] = " ".join(sorted(merged)[:MAX_SIGNATURE_LEMMAS])
    risk, reasons = incident.risk, []
    if post.relevant and RISK_RANK[post.risk] > RISK_RANK[risk]:
        risk, reasons = post.risk, [f"публикация {post.post_id}"]
    rule = settings.grouping.confirmation
    if incident.authors_count < rule.authors <= authors:
        confirmed = risk_up(risk, rule.raise_by, rule.up_to)
        if confirmed != risk:
            risk = confirmed
            reasons.append(f"подтверждают авторов: {authors}")
    if risk != incident.risk:
        values.update(risk=risk, risk_rank=RISK_RANK[risk])
        if incident.first_response_at is None:
            values.update(
                sla.recomputed_deadlines(connection, settings, incident, now=now, risk=risk)
            )
        record_event(
            connection,
            incident_id=incident_id,
            kind="risk_raised",
            at=now,
            payload={"from": incident.risk, "to": risk, "reasons": reasons},
        )
    connection.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))
    record_event(
        connection,
        incident_id=incident_id,
        kind="post_added",
        at=now,
        payload={"post_id": post.post_id, "role": role},
    )


def create_incident(
    connection: Connection, settings: Settings, post: ClassifiedPost, now: datetime
) -> int:
    """Open a new incident from one post (routing, deadlines, events), as grouping does."""
    return _create(connection, settings, post, now, signature(post.text))
