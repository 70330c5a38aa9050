"""Reading residents' reactions after an answer and acting on them.

A reaction is a post by one of the incident's authors, published after the answer within
`satisfaction.window_days`: a reply in the thread of one of the incident's posts (where the
answer was published), or a new post of theirs that became an incident of the same sector
and territory. The model reads it; not satisfied reopens the incident (audited, with its
own deadline), satisfied is recorded on it. Each post is read once per incident.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import aliased

from classifier.satisfaction import ReactionModel, ReactionModelError, load
from monitor.config import Settings, resolve_path
from monitor.context import Context
from monitor.errors import ConfigError
from monitor.incidents.audit import SYSTEM, record_event
from monitor.incidents.reopening import reopen_row
from monitor.store.tables import incident_posts, incidents, posts, reactions

VERDICT_NAMES = {
    "satisfied": "житель доволен",
    "not_satisfied": "житель не доволен",
    "unclear": "нет ясной реакции",
}
REOPENABLE = ("answered", "closed")


@functools.cache
def _model(path: str) -> ReactionModel:
    try:
        return load(path)[0]
    except ReactionModelError as exc:
        raise ConfigError(str(exc)) from None


def reaction_model(settings: Settings) -> ReactionModel:
    """The configured reaction model, loaded once per process."""
    return _model(str(resolve_path(settings, settings.satisfaction.model)))


@dataclass
class ReactionReport:
    """What one pass read and did."""

    read: int = 0
    satisfied: int = 0
    not_satisfied: int = 0
    unclear: int = 0
    reopened: list[int] = field(default_factory=list)


def _answered(connection: Connection, now: datetime, window: timedelta) -> list[Any]:
    return connection.execute(
        select(incidents).where(
            incidents.c.status.in_(REOPENABLE),
            incidents.c.answered_at.is_not(None),
            incidents.c.answered_at >= now - window,
        )
    ).all()


def candidates(connection: Connection, incident: Any, window: timedelta) -> list[tuple[Any, str]]:
    """Posts that may be the residents' reaction to the incident's answer, oldest first."""
    own = connection.execute(
        select(posts.c.external_id, posts.c.author_id)
        .join(incident_posts, incident_posts.c.post_id == posts.c.id)
        .where(incident_posts.c.incident_id == incident.id)
    ).all()
    authors = {row.author_id for row in own if row.author_id}
    if not authors:
        return []
    start, end = incident.answered_at, incident.answered_at + window
    already = select(reactions.c.post_id).where(reactions.c.incident_id == incident.id)
    replies = connection.execute(
        select(posts)
        .where(
            posts.c.parent_external_id.in_([row.external_id for row in own]),
            posts.c.author_id.in_(authors),
            posts.c.published_at > start,
            posts.c.published_at <= end,
            posts.c.id.not_in(already),
        )
        .order_by(posts.c.published_at, posts.c.id)
    ).all()
    other = aliased(incidents)
    again = connection.execute(
        select(posts)
        .join(incident_posts, incident_posts.c.post_id == posts.c.id)
        .join(other, other.c.id == incident_posts.c.incident_id)
        .where(
            other.c.id != incident.id,
            other.c.sector == incident.sector,
            other.c.territory == incident.territory
            if incident.territory
            else other.c.territory.is_(None),
            posts.c.author_id.in_(authors),
            posts.c.published_at > start,
            posts.c.published_at <= end,
            posts.c.id.not_in(already),
        )
        .order_by(posts.c.published_at, posts.c.id)
    ).all()
    return [(row, "reply") for row in replies] + [(row, "new_post") for row in again]


def scan(ctx: Context, now: datetime | None = None) -> ReactionReport:
    """Read the reactions to recent answers once; reopen where the resident is not satisfied."""
    now = now or ctx.now()
    settings = ctx.settings
    window = timedelta(days=settings.satisfaction.window_days)
    report = ReactionReport()
    with ctx.db.connect() as connection:
        answered = _answered(connection, now, window)
    model: ReactionModel | None = None
    for incident in answered:
        with ctx.db.begin() as connection:
            found = candidates(connection, incident, window)
            found = [(row, how) for row, how in found if row.published_at <= now]
            if not found:
                continue
            model = model or reaction_model(settings)
            readings = model.read(
                [row.text for row, _ in found], settings.satisfaction.min_probability
            )
            status = incident.status
            for (row, how), reading in zip(found, readings, strict=True):
                report.read += 1
                setattr(report, reading.verdict, getattr(report, reading.verdict) + 1)
                reaction_id = record_reaction(
                    connection,
                    incident.id,
                    key=f"post:{row.id}:incident:{incident.id}",
                    text=row.text,
                    verdict=reading.verdict,
                    probability=reading.probability,
                    origin="model",
                    at=row.published_at,
                    post_id=row.id,
                    payload={"how": how, "url": row.url},
                )
                if (
                    reading.verdict == "not_satisfied"
                    and settings.satisfaction.auto_reopen
                    and status in REOPENABLE
                ):
                    current = connection.execute(
                        select(incidents).where(incidents.c.id == incident.id)
                    ).one()
                    reopen_row(
                        connection,
                        settings,
                        current,
                        reason=f"Житель не доволен ответом: «{row.text[:300]}»",
                        actor=SYSTEM,
                        now=now,
                        by="resident",
                        reaction_id=reaction_id,
                    )
                    status = "reopened"
                    report.reopened.append(incident.id)
    return report


def record_reaction(
    connection: Connection,
    incident_id: int,
    *,
    key: str,
    text: str,
    verdict: str,
    probability: float | None,
    origin: str,
    at: datetime,
    post_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Store one reaction and its audit event (`satisfied`, `not_satisfied`, `unclear`)."""
    reaction_id = connection.execute(
        insert(reactions).values(
            incident_id=incident_id,
            post_id=post_id,
            key=key,
            text=text,
            verdict=verdict,
            probability=probability,
            origin=origin,
            at=at,
        )
    ).inserted_primary_key[0]
    record_event(
        connection,
        incident_id=incident_id,
        kind=f"reaction_{verdict}",
        at=at,
        payload={"reaction_id": reaction_id, "probability": probability, **(payload or {})},
    )
    return reaction_id


def incident_reactions(connection: Connection, incident_id: int) -> list[dict[str, Any]]:
    """An incident's reactions, oldest first, with the verdict in Russian."""
    rows = connection.execute(
        select(reactions)
        .where(reactions.c.incident_id == incident_id)
        .order_by(reactions.c.at, reactions.c.id)
    )
    return [{**row._mapping, "verdict_name": VERDICT_NAMES[row.verdict]} for row in rows]
