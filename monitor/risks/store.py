"""Information risks in the store: found again under one key, listed, acted upon.

A detector's finding becomes a `Finding`; `save_findings` inserts it under its key or
updates the stored risk (score, reason, posts), never touching what a person decided
(status, note). Actions: handled with a note, dismissed (kept as a label: this was no
risk), linked to an incident, or turned into a new incident; each is one transaction and
an event in the audit log.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.errors import InputError, NotFound, TransitionError
from monitor.incidents.audit import record_event
from monitor.store.tables import (
    incident_posts,
    incidents,
    info_risk_posts,
    info_risks,
    posts,
    sources,
)

KINDS = {
    "spread": "быстрое распространение",
    "copies": "копии в источниках",
    "negativity": "негатив к власти",
}
STATUSES = {"open": "открыт", "handled": "отработан", "dismissed": "отклонён"}
MAX_POSTS = 200  # posts stored with one risk (a story copied into more keeps the first)


@dataclass
class Finding:
    """A risk as a detector found it."""

    kind: str
    key: str
    strength: float  # 1.0 is the detection threshold; 2.0 twice as strong
    reason: str
    post_id: int
    post_ids: list[int]
    sources_count: int = 1
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """0..100: 50 at the detection threshold, each doubling of the strength adds 25."""
        return round(min(100.0, max(0.0, 50 + 25 * math.log2(max(self.strength, 1e-9)))), 1)


@dataclass
class SaveReport:
    """What saving a scan's findings did."""

    new: list[int] = field(default_factory=list)
    updated: int = 0


def save_findings(connection: Connection, findings: Sequence[Finding], now: datetime) -> SaveReport:
    """Insert new risks, refresh known ones; decisions people made stay as they were."""
    report = SaveReport()
    keys = [finding.key for finding in findings]
    known: dict[str, Any] = {}
    for start in range(0, len(keys), 500):
        rows = connection.execute(
            select(
                info_risks.c.id, info_risks.c.key, info_risks.c.score, info_risks.c.incident_id
            ).where(info_risks.c.key.in_(keys[start : start + 500]))
        )
        known.update({row.key: row for row in rows})
    for finding in findings:
        post_ids = list(dict.fromkeys([finding.post_id, *finding.post_ids]))[:MAX_POSTS]
        incident_id = _incident_of(connection, post_ids)
        values = {
            "score": finding.score,
            "reason": finding.reason,
            "sources_count": finding.sources_count,
            "posts_count": len(post_ids),
            "details": {**finding.details, "strength": round(finding.strength, 3)},
            "updated_at": now,
        }
        row = known.get(finding.key)
        if row is None:
            risk_id = connection.execute(
                insert(info_risks).values(
                    key=finding.key,
                    kind=finding.kind,
                    status="open",
                    post_id=finding.post_id,
                    incident_id=incident_id,
                    detected_at=now,
                    **values,
                )
            ).inserted_primary_key[0]
            report.new.append(risk_id)
        else:
            risk_id = row.id
            if row.incident_id is None and incident_id is not None:
                values["incident_id"] = incident_id
            connection.execute(update(info_risks).where(info_risks.c.id == risk_id).values(values))
            report.updated += 1
        _add_posts(connection, risk_id, post_ids)
    return report


def _add_posts(connection: Connection, risk_id: int, post_ids: Sequence[int]) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(info_risk_posts).on_conflict_do_nothing(),
        [{"risk_id": risk_id, "post_id": post_id} for post_id in post_ids],
    )


def _incident_of(connection: Connection, post_ids: Sequence[int]) -> int | None:
    return connection.execute(
        select(incident_posts.c.incident_id)
        .where(incident_posts.c.post_id.in_(list(post_ids)))
        .order_by(incident_posts.c.incident_id)
        .limit(1)
    ).scalar()


def list_risks(
    connection: Connection,
    *,
    status: str | None = "open",
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Risks by score (highest first), filtered by status (None: all), kind and detection time."""
    if status is not None and status not in STATUSES:
        raise InputError(f"Неизвестный статус риска: {status} (есть: {', '.join(STATUSES)})")
    if kind is not None and kind not in KINDS:
        raise InputError(f"Неизвестный вид риска: {kind} (есть: {', '.join(KINDS)})")
    query = select(info_risks)
    if status is not None:
        query = query.where(info_risks.c.status == status)
    if kind is not None:
        query = query.where(info_risks.c.kind == kind)
    if since is not None:
        query = query.where(info_risks.c.detected_at >= since)
    if until is not None:
        query = query.where(info_risks.c.detected_at < until)
    query = query.order_by(info_risks.c.score.desc(), info_risks.c.id.desc())
    rows = connection.execute(query.limit(limit).offset(offset))
    return [dict(row._mapping) for row in rows]


def count_risks(connection: Connection) -> dict[str, int]:
    """How many risks there are in each status."""
    rows = connection.execute(
        select(info_risks.c.status, func.count()).group_by(info_risks.c.status)
    )
    return {status: count for status, count in rows}


def get_risk(connection: Connection, risk_id: int) -> dict[str, Any]:
    """One risk with its posts (source, link, text, reach), the main post first."""
    row = connection.execute(select(info_risks).where(info_risks.c.id == risk_id)).first()
    if row is None:
        raise NotFound(f"Риск №{risk_id} не найден")
    risk = dict(row._mapping)
    members = connection.execute(
        select(
            posts.c.id,
            posts.c.external_id,
            posts.c.url,
            posts.c.text,
            posts.c.published_at,
            posts.c.author_name,
            posts.c.views,
            posts.c.likes,
            posts.c.reposts,
            posts.c.comments,
            sources.c.name.label("source"),
        )
        .join(info_risk_posts, info_risk_posts.c.post_id == posts.c.id)
        .join(sources, sources.c.id == posts.c.source_id)
        .where(info_risk_posts.c.risk_id == risk_id)
        .order_by(posts.c.published_at, posts.c.id)
    )
    found = [dict(member._mapping) for member in members]
    found.sort(key=lambda post: post["id"] != risk["post_id"])
    risk["posts"] = found
    return risk


def _open_risk(connection: Connection, risk_id: int) -> Any:
    row = connection.execute(select(info_risks).where(info_risks.c.id == risk_id)).first()
    if row is None:
        raise NotFound(f"Риск №{risk_id} не найден")
    return row


def resolve(
    connection: Connection,
    risk_id: int,
    status: str,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Mark a risk handled (with a note) or dismissed (a label: it was no risk)."""
    if status not in ("handled", "dismissed"):
        raise InputError(f"Риск можно только отработать или отклонить, не «{status}»")
    row = _open_risk(connection, risk_id)
    if row.status != "open":
        raise TransitionError(f"Риск №{risk_id} уже {STATUSES[row.status]}")
    note = (note or "").strip() or None
    if status == "handled" and not note:
        raise InputError("Опишите, что сделано: заметка обязательна")
    connection.execute(
        update(info_risks)
        .where(info_risks.c.id == risk_id)
        .values(status=status, note=note, resolved_at=now, resolved_by=actor, updated_at=now)
    )
    record_event(
        connection,
        incident_id=row.incident_id,
        kind=f"risk_{status}",
        at=now,
        actor=actor,
        payload={"risk_id": risk_id, "risk_kind": row.kind, "note": note},
    )


def link_incident(
    connection: Connection, risk_id: int, incident_id: int, *, actor: str, now: datetime
) -> None:
    """Tie a risk to an incident (the one it is about)."""
    row = _open_risk(connection, risk_id)
    found = connection.execute(select(incidents.c.id).where(incidents.c.id == incident_id))
    if found.scalar() is None:
        raise NotFound(f"Инцидент №{incident_id} не найден")
    connection.execute(
        update(info_risks)
        .where(info_risks.c.id == risk_id)
        .values(incident_id=incident_id, updated_at=now)
    )
    record_event(
        connection,
        incident_id=incident_id,
        kind="risk_linked",
        at=now,
        actor=actor,
        payload={"risk_id": risk_id, "risk_kind": row.kind, "previous": row.incident_id},
    )


def dismissal_labels(connection: Connection) -> list[dict[str, Any]]:
    """Dismissed risks as labels: each of their posts' text, the kind, and that it was no risk.

    For the negativity model these are `neither` rows (`otklik risks labels`, then
    `python -m classifier.negativity_train --extra FILE`).
    """
    rows = connection.execute(
        select(
            info_risks.c.id.label("risk_id"),
            info_risks.c.kind,
            info_risks.c.resolved_by,
            posts.c.id,
            posts.c.external_id,
            posts.c.text,
        )
        .join(info_risk_posts, info_risk_posts.c.risk_id == info_risks.c.id)
        .join(posts, posts.c.id == info_risk_posts.c.post_id)
        .where(info_risks.c.status == "dismissed")
        .order_by(info_risks.c.id, posts.c.id)
    )
    return [
        {
            "post_id": r.id,
            "id": r.external_id,
            "text": r.text,
            "kind": r.kind,
            "risk_id": r.risk_id,
            "risk": False,
            "label": "neither",
            "actor": r.resolved_by,
        }
        for r in rows
    ]
