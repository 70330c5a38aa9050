"""Incident histories written straight into the store: known answers for tests, volume for bench.

Rows are buffered and inserted in bulk on `flush()`; ids are handed out up front so that
incidents, their posts and their events can refer to each other before they are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select

from monitor.incidents.grouping import make_title
from monitor.incidents.lifecycle import RISK_RANK
from monitor.incidents.similarity import signature
from monitor.store.posts import ensure_source
from monitor.store.tables import (
    classifications,
    events,
    incident_posts,
    incident_sources,
    incidents,
    posts,
    recipients,
)


def _next_id(connection: Connection, table) -> int:
    return (connection.execute(select(func.max(table.c.id))).scalar_one() or 0) + 1


@dataclass
class HistoryWriter:
    """Buffers incidents, posts, links and events; `flush()` writes them in bulk."""

    connection: Connection
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._ids = {
            "incidents": _next_id(self.connection, incidents),
            "posts": _next_id(self.connection, posts),
        }
        self._sources: dict[str, int] = {}
        self._recipients: dict[str, int] = {}
        self._linked: set[tuple[int, int]] = set()

    def _take(self, table: str) -> int:
        value = self._ids[table]
        self._ids[table] += 1
        return value

    def source(self, name: str) -> int:
        """The id of a source, created on first use."""
        if name not in self._sources:
            self._sources[name] = ensure_source(self.connection, name, "file", address=name)
        return self._sources[name]

    def recipient(self, code: str, name: str | None = None) -> int:
        """The id of a recipient, created on first use."""
        if code not in self._recipients:
            found = self.connection.execute(
                select(recipients.c.id).where(recipients.c.code == code)
            ).scalar()
            self._recipients[code] = (
                found
                or self.connection.execute(
                    insert(recipients).values(code=code, name=name or code)
                ).inserted_primary_key[0]
            )
        return self._recipients[code]

    def incident(
        self,
        *,
        text: str,
        sector: str,
        created_at: datetime,
        territory: str | None = None,
        recipient: str | None = None,
        risk: str = "medium",
        status: str | None = None,
        first_response_due: datetime | None = None,
        final_answer_due: datetime | None = None,
        first_response_at: datetime | None = None,
        answered_at: datetime | None = None,
        closed_at: datetime | None = None,
        paused_at: datetime | None = None,
        lemmas: str | None = None,
    ) -> int:
        """Buffer one incident; status defaults from the answer times given."""
        if status is None:
            status = "answered" if answered_at else "in_progress" if first_response_at else "new"
        incident_id = self._take("incidents")
        self.rows.setdefault("incidents", []).append(
            {
                "id": incident_id,
                "title": make_title(text),
                "sector": sector,
                "risk": risk,
                "risk_rank": RISK_RANK[risk],
                "territory": territory,
                "status": status,
                "recipient_id": self.recipient(recipient) if recipient else None,
                "created_at": created_at,
                "updated_at": created_at,
                "last_post_at": created_at,
                "first_response_due": first_response_due or created_at + timedelta(hours=8),
                "final_answer_due": final_answer_due or created_at + timedelta(days=9),
                "first_response_at": first_response_at,
                "answered_at": answered_at,
                "closed_at": closed_at,
                "paused_at": paused_at,
                "posts_count": 1,
                "signature": lemmas if lemmas is not None else " ".join(sorted(signature(text))),
            }
        )
        return incident_id

    def post(
        self,
        incident_id: int,
        *,
        text: str,
        published_at: datetime,
        source: str = "vk-test",
        repost_of: str | None = None,
        external_id: str | None = None,
        role: str = "origin",
        places: list[str] | None = None,
        author: str | None = None,
    ) -> str:
        """Buffer one post of an incident (with the places its classification found)."""
        post_id = self._take("posts")
        external_id = external_id or f"p{post_id}"
        self.rows.setdefault("posts", []).append(
            {
                "id": post_id,
                "source_id": self.source(source),
                "external_id": external_id,
                "network": "vk",
                "published_at": published_at,
                "collected_at": published_at,
                "text": text,
                "repost_of_external_id": repost_of,
                "author_id": author,
            }
        )
        self.rows.setdefault("incident_posts", []).append(
            {"incident_id": incident_id, "post_id": post_id, "role": role, "added_at": published_at}
        )
        # What grouping.link_post writes next to each link (incident_sources).
        pair = (incident_id, self.source(source))
        if pair not in self._linked:
            self._linked.add(pair)
            self.rows.setdefault("incident_sources", []).append(
                {"incident_id": incident_id, "source_id": pair[1]}
            )
        if places:
            self.rows.setdefault("classifications", []).append(
                {
                    "post_id": post_id,
                    "model_version": "test",
                    "relevant": True,
                    "relevance_proba": 1.0,
                    "entities": [{"kind": "STREET", "text": p, "normal": p} for p in places],
                    "classified_at": published_at,
                }
            )
        return external_id

    def event(self, incident_id: int, kind: str, at: datetime, actor: str = "officer") -> None:
        """Buffer one audit event."""
        self.rows.setdefault("events", []).append(
            {"incident_id": incident_id, "kind": kind, "at": at, "actor": actor, "payload": {}}
        )

    def flush(self) -> None:
        """Insert everything buffered, parents first."""
        tables = {
            "incidents": incidents,
            "posts": posts,
            "incident_posts": incident_posts,
            "incident_sources": incident_sources,
            "classifications": classifications,
            "events": events,
        }
        for name, table in tables.items():
            batch = self.rows.pop(name, [])
            if batch:
                self.connection.execute(insert(table), batch)
