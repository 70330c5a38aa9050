"""The centre's labels: the latest per post, recording one, importing and exporting files.

`labels` is append-only: officers' corrections and analysts' decisions are rows; the
latest row of a post (by time, then id) is its label. Importing a file twice stores
nothing twice: a line equal to the post's current label is skipped.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select

from classifier.corpus import json_lines
from monitor.config import RISKS, Settings
from monitor.errors import ConfigError, InputError, NotFound
from monitor.store.tables import labels, posts, sources

PSEUDONYM_KEY_ENV = "OTKLIK_PSEUDONYM_KEY"
LABEL_FIELDS = ("relevant", "sector", "risk", "territory")


@dataclass(frozen=True)
class Label:
    """What a person decided about one post."""

    relevant: bool
    sector: str | None = None
    risk: str | None = None
    territory: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The label's fields."""
        return {k: getattr(self, k) for k in LABEL_FIELDS}


def checked_label(settings: Settings, values: dict[str, Any], where: str = "") -> Label:
    """Validate a label against the taxonomy and the gazetteer; errors in Russian."""
    prefix = f"{where}: " if where else ""
    relevant = values.get("relevant")
    if not isinstance(relevant, bool):
        raise InputError(f"{prefix}relevant должен быть true или false")
    sector, risk, territory = (values.get(k) or None for k in ("sector", "risk", "territory"))
    sectors = {s.code for s in settings.sectors}
    if sector is not None and (not isinstance(sector, str) or (sectors and sector not in sectors)):
        raise InputError(f"{prefix}неизвестный сектор {sector!r}")
    if risk is not None and risk not in RISKS:
        raise InputError(f"{prefix}неизвестный уровень риска {risk!r}")
    places = {t.name for t in settings.territories}
    if territory is not None and (
        not isinstance(territory, str) or (places and territory not in places)
    ):
        raise InputError(f"{prefix}неизвестная территория {territory!r}")
    if not relevant and (sector or risk):
        raise InputError(f"{prefix}у нерелевантного поста sector и risk должны быть пустыми")
    return Label(relevant, sector, risk, territory)


def latest_labels_query(*, where=None):
    """One row per labelled post: its latest label (by time, then id)."""
    ranked = select(
        labels,
        func.row_number()
        .over(partition_by=labels.c.post_id, order_by=(labels.c.at.desc(), labels.c.id.desc()))
        .label("rank"),
    )
    if where is not None:
        ranked = ranked.where(where)
    inner = ranked.subquery()
    return select(inner).where(inner.c.rank == 1)


def latest_labels(connection: Connection, post_ids: Sequence[int] | None = None) -> dict[int, Any]:
    """The latest label row of each post (of the given posts, or of all)."""
    if post_ids is None:
        return {row.post_id: row for row in connection.execute(latest_labels_query())}
    found: dict[int, Any] = {}
    ids = list(post_ids)
    for start in range(0, len(ids), 5000):  # within every driver's limit of bound parameters
        where = labels.c.post_id.in_(ids[start : start + 5000])
        found.update(
            (row.post_id, row) for row in connection.execute(latest_labels_query(where=where))
        )
    return found


def record_label(
    connection: Connection, post_id: int, label: Label, *, actor: str, at: datetime
) -> int | None:
    """Store a label unless the post's latest label says the same; the new row's id."""
    current = latest_labels(connection, [post_id]).get(post_id)
    if current is not None and all(getattr(current, k) == getattr(label, k) for k in LABEL_FIELDS):
        return None
    result = connection.execute(
        insert(labels).values(post_id=post_id, actor=actor, at=at, **label.as_dict())
    )
    return int(result.inserted_primary_key[0])


def undo_label(connection: Connection, label_id: int, *, actor: str) -> int:
    """Remove a label this actor made (the page's undo); the post it was about."""
    row = connection.execute(
        select(labels.c.post_id).where(and_(labels.c.id == label_id, labels.c.actor == actor))
    ).first()
    if row is None:
        raise NotFound("Нечего отменять: решение не найдено")
    connection.execute(delete(labels).where(labels.c.id == label_id))
    return int(row.post_id)


def post_ids_by_external(connection: Connection, external_ids: Sequence[str]) -> dict[str, list]:
    """Stored post ids for each id as ingested (a list: two sources may share an id)."""
    found: dict[str, list[int]] = {}
    for start in range(0, len(external_ids), 500):
        chunk = list(external_ids[start : start + 500])
        query = select(posts.c.external_id, posts.c.id).where(posts.c.external_id.in_(chunk))
        for external_id, post_id in connection.execute(query):
            found.setdefault(external_id, []).append(post_id)
    return found


@dataclass
class ImportReport:
    """What `labels import` did."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0


def read_label_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a JSONL labels file; a malformed line is an error."""
    for number, row in json_lines(path, InputError):
        if not isinstance(row, dict) or not isinstance(row.get("id"), str | int):
            raise InputError(f"{path}:{number}: нужен объект с полем id")
        yield number, row


def import_labels(
    connection: Connection, settings: Settings, path: Path, *, actor: str, at: datetime
) -> ImportReport:
    """Check every line first (ids known, labels valid), then store, in one transaction."""
    rows = list(read_label_lines(path))
    found = post_ids_by_external(connection, [str(row["id"]) for _, row in rows])
    checked: list[tuple[int, Label]] = []
    for number, row in rows:
        where = f"{path}:{number}"
        matches = found.get(str(row["id"]), [])
        if not matches:
            raise InputError(f"{where}: пост {row['id']!r} не найден в базе")
        if len(matches) > 1:
            raise InputError(f"{where}: id {row['id']!r} есть у постов нескольких источников")
        checked.append((matches[0], checked_label(settings, row, where)))
    report = ImportReport(read=len(checked))
    for post_id, label in checked:
        if record_label(connection, post_id, label, actor=actor, at=at) is None:
            report.unchanged += 1
        else:
            report.stored += 1
    return report


def pseudonym(key: bytes, value: str | None) -> str | None:
    """A stable pseudonym: the HMAC-SHA256 of a value under the centre's key (16 hex digits)."""
    if value is None:
        return None
    return "p:" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def pseudonym_key() -> bytes:
    """The key of pseudonyms from the environment; without it pseudonyms are refused."""
    key = os.environ.get(PSEUDONYM_KEY_ENV, "")
    if len(key) < 16:
        raise ConfigError(
            f"Для --pseudonymise задайте ключ псевдонимов в {PSEUDONYM_KEY_ENV} "
            "(не короче 16 символов; один и тот же ключ даёт те же псевдонимы)"
        )
    return key.encode("utf-8")


def export_rows(connection: Connection, *, pseudonymise: bool) -> Iterator[dict[str, Any]]:
    """Each labelled post with its latest label, ready for `labels import` and `train --data`."""
    key = pseudonym_key() if pseudonymise else b""
    latest = latest_labels_query().subquery()
    query = (
        select(latest, posts, sources.c.name.label("source_name"))
        .join(posts, posts.c.id == latest.c.post_id)
        .join(sources, sources.c.id == posts.c.source_id)
        .where(latest.c.relevant.is_not(None))
        .order_by(posts.c.id)
    )
    for row in connection.execute(query):
        yield {
            "id": row.external_id,
            "text": row.text,
            **{k: row._mapping[k] for k in LABEL_FIELDS},
            "source": row.source_name,
            "published_at": row.published_at.isoformat(),
            "author": pseudonym(key, row.author_id) if pseudonymise else row.author_id,
            "author_name": None if pseudonymise else row.author_name,
            "url": None if pseudonymise else row.url,
            "labelled_by": pseudonym(key, row.actor) if pseudonymise else row.actor,
            "labelled_at": row.at.isoformat(),
        }
