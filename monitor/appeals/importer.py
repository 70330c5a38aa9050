"""`otklik import appeals FILE`: appeals with their history into incidents, in batches.

Idempotent on the appeal id: a record imported before with the same content is left alone;
one whose content changed (a new answer, a follow-up, another outcome) rebuilds its
incident's imported timeline. Answering bodies become recipients (kind `imported`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update

from monitor.appeals.records import Appeal, parse_appeal
from monitor.appeals.timeline import Plan, plan
from monitor.context import Context
from monitor.errors import InputError
from monitor.incidents.calendar import calendar_for
from monitor.incidents.routing import sync_recipients
from monitor.store.posts import ensure_source
from monitor.store.tables import (
    appeals,
    events,
    incident_posts,
    incident_sources,
    incidents,
    posts,
    reactions,
    recipients,
)
from monitor.streams import APPEALS

log = logging.getLogger(__name__)
IMPORTED_KIND = "imported"
_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f h ts ch sh sch  y  e yu ya".split(" "),
        strict=True,
    )
)


@dataclass
class ImportReport:
    """What one import did."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    recipients_created: list[str] = field(default_factory=list)
    seconds: float = 0.0


def read_appeals(
    path: Path, settings: Any, *, skip_bad: bool, report: ImportReport
) -> list[Appeal]:
    """Every record of the file, validated; a bad line stops the import unless `skip_bad`."""
    zone = ZoneInfo(settings.appeals.timezone)
    sectors = {sector.code for sector in settings.sectors} or {"other"}
    found: dict[str, Appeal] = {}
    try:
        lines = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Файл не читается: {path} ({exc})") from None
    with lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            report.read += 1
            try:
                appeal = parse_appeal(line, zone=zone, sectors=sectors)
            except (InputError, UnicodeDecodeError) as exc:
                if not skip_bad:
                    raise InputError(f"{path}, строка {number}: {exc}") from None
                log.warning("%s, line %d skipped: %s", path, number, exc)
                report.skipped += 1
                continue
            found[appeal.external_id] = appeal  # a later line of the same id wins
    return list(found.values())


def recipient_code_for(name: str, taken: set[str]) -> str:
    """A readable, unique code for an answering body: 'imp-' and its name in Latin letters."""
    latin = "".join(_LATIN.get(ch, ch) for ch in name.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:80] or "body"
    code, number = f"imp-{slug}", 2
    while code in taken:
        code, number = f"imp-{slug}-{number}", number + 1
    return code


def _recipients(
    connection: Connection, bodies: set[str], fallback: str, report: ImportReport
) -> dict[str, tuple[int, str]]:
    rows = connection.execute(select(recipients.c.id, recipients.c.code, recipients.c.name)).all()
    by_name = {row.name: (row.id, row.code) for row in rows}
    taken = {row.code for row in rows}
    for body in sorted(bodies - by_name.keys()):
        code = recipient_code_for(body, taken)
        taken.add(code)
        new_id = connection.execute(
            insert(recipients).values(
                code=code, name=body, kind=IMPORTED_KIND, parent_code=fallback
            )
        ).inserted_primary_key[0]
        by_name[body] = (new_id, code)
        report.recipients_created.append(code)
    return by_name


def _batches(items: list[Appeal], size: int) -> Iterator[list[Appeal]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_appeals(
    ctx: Context, path: Path, *, now: datetime, skip_bad: bool = False
) -> ImportReport:
    """Import a file of appeals (the spb_portal.jsonl shape; see README)."""
    started = time.perf_counter()
    settings = ctx.settings
    report = ImportReport()
    items = read_appeals(path, settings, skip_bad=skip_bad, report=report)
    calendar = calendar_for(settings)
    fallback = settings.routing.fallback
    with ctx.db.begin() as connection:
        sync_recipients(connection, settings)
        bodies = {a.answers[-1].by for a in items if a.answers}
        directory = _recipients(connection, bodies, fallback, report)
        fallback_row = connection.execute(
            select(recipients.c.id).where(recipients.c.code == fallback)
        ).scalar()
        source_ids = {
            system: ensure_source(connection, system, "file", address=str(path), stream=APPEALS)
            for system in {a.system for a in items}
        }
    for batch in _batches(items, settings.appeals.batch_size):
        with ctx.db.begin() as connection:
            known = {
                row.external_id: row
                for row in connection.execute(
                    select(appeals).where(appeals.c.external_id.in_([a.external_id for a in batch]))
                )
            }
            fresh, changed = [], []
            for appeal in batch:
                row = known.get(appeal.external_id)
                if row is None:
                    fresh.append(appeal)
                elif row.content_hash != appeal.content_hash:
                    changed.append((appeal, row.incident_id))
                else:
                    report.unchanged += 1

            def plan_of(appeal: Appeal) -> Plan:
                recipient = (
                    directory[appeal.answers[-1].by] if appeal.answers else (fallback_row, fallback)
                )
                return plan(
                    appeal,
                    settings,
                    calendar,
                    recipient_id=recipient[0],
                    recipient_code=recipient[1],
                    actor=f"import:{appeal.system}",
                    now=now,
                )

            if fresh:
                _insert_new(connection, fresh, [plan_of(a) for a in fresh], source_ids, now)
                report.new += len(fresh)
            if changed:
                _update_changed(connection, changed, [plan_of(a) for a, _ in changed], source_ids)
                report.updated += len(changed)
    report.seconds = time.perf_counter() - started
    return report


def _post_values(appeal: Appeal, source_id: int, now: datetime) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "external_id": appeal.external_id,
        "network": "file",
        "published_at": appeal.published_at,
        "collected_at": now,
        "text": appeal.text,
        "territory_hint": appeal.district,
        "raw": appeal.extra,
    }


def _timeline_rows(
    incident_ids: list[int], plans: list[Plan]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    event_rows = [
        {**item, "incident_id": incident_id}
        for incident_id, planned in zip(incident_ids, plans, strict=True)
        for item in planned.events
    ]
    reaction_rows = [
        {**item, "incident_id": incident_id}
        for incident_id, planned in zip(incident_ids, plans, strict=True)
        for item in planned.reactions
    ]
    return event_rows, reaction_rows


def reserve_incident_ids(connection: Connection, count: int) -> list[int]:
    """`count` fresh incident ids: from the sequence (PostgreSQL) or after the largest id.

    On SQLite the caller has already written in this transaction, so it holds the write
    lock and nobody else can take the ids meanwhile.
    """
    if connection.dialect.name == "postgresql":
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence('incidents', 'id')")
        ).scalar_one()
        return list(
            connection.execute(
                text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
                {"sequence": sequence, "count": count},
            ).scalars()
        )
    last = connection.execute(select(func.max(incidents.c.id))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


def _insert_new(
    connection: Connection,
    fresh: list[Appeal],
    plans: list[Plan],
    source_ids: dict[str, int],
    now: datetime,
) -> None:
    # Multi-row inserts without RETURNING (which SQLite would run row by row): post ids are
    # read back by their unique key, incident ids are reserved first.
    connection.execute(insert(posts), [_post_values(a, source_ids[a.system], now) for a in fresh])
    post_of: dict[tuple[int, str], int] = {}
    for system, source_id in source_ids.items():
        names = [a.external_id for a in fresh if a.system == system]
        if names:
            post_of.update(
                ((source_id, row.external_id), row.id)
                for row in connection.execute(
                    select(posts.c.id, posts.c.external_id).where(
                        posts.c.source_id == source_id, posts.c.external_id.in_(names)
                    )
                )
            )
    post_ids = [post_of[(source_ids[a.system], a.external_id)] for a in fresh]
    incident_ids = reserve_incident_ids(connection, len(fresh))
    connection.execute(
        insert(incidents),
        [{"id": i, **planned.incident} for i, planned in zip(incident_ids, plans, strict=True)],
    )
    connection.execute(
        insert(incident_posts),
        [
            {"incident_id": i, "post_id": p, "role": "origin", "added_at": now}
            for i, p in zip(incident_ids, post_ids, strict=True)
        ],
    )
    connection.execute(
        insert(incident_sources),
        [
            {"incident_id": i, "source_id": source_ids[a.system]}
            for i, a in zip(incident_ids, fresh, strict=True)
        ],
    )
    event_rows, reaction_rows = _timeline_rows(incident_ids, plans)
    connection.execute(insert(events), event_rows)
    if reaction_rows:
        connection.execute(insert(reactions), reaction_rows)
    connection.execute(
        insert(appeals),
        [
            {
                "external_id": a.external_id,
                "system": a.system,
                "incident_id": i,
                "content_hash": a.content_hash,
                "imported_at": now,
            }
            for i, a in zip(incident_ids, fresh, strict=True)
        ],
    )


def _update_changed(
    connection: Connection,
    changed: list[tuple[Appeal, int]],
    plans: list[Plan],
    source_ids: dict[str, int],
) -> None:
    incident_ids = [incident_id for _, incident_id in changed]
    connection.execute(
        delete(events).where(
            events.c.incident_id.in_(incident_ids), events.c.actor.like("import:%")
        )
    )
    connection.execute(
        delete(reactions).where(
            reactions.c.incident_id.in_(incident_ids), reactions.c.origin == "import"
        )
    )
    columns = list(plans[0].incident)
    connection.execute(
        update(incidents)
        .where(incidents.c.id == bindparam("row_id"))
        .values({name: bindparam(f"v_{name}") for name in columns}),
        [
            {"row_id": i, **{f"v_{k}": v for k, v in p.incident.items()}}
            for i, p in zip(incident_ids, plans, strict=True)
        ],
    )
    connection.execute(
        update(posts)
        .where(posts.c.source_id == bindparam("s_id"), posts.c.external_id == bindparam("ext"))
        .values(
            text=bindparam("v_text"),
            raw=bindparam("v_raw"),
            published_at=bindparam("v_at"),
            territory_hint=bindparam("v_place"),
        ),
        [
            {
                "s_id": source_ids[a.system],
                "ext": a.external_id,
                "v_text": a.text,
                "v_raw": a.extra,
                "v_at": a.published_at,
                "v_place": a.district,
            }
            for a, _ in changed
        ],
    )
    event_rows, reaction_rows = _timeline_rows(incident_ids, plans)
    connection.execute(insert(events), event_rows)
    if reaction_rows:
        connection.execute(insert(reactions), reaction_rows)
    connection.execute(
        update(appeals)
        .where(appeals.c.external_id == bindparam("ext"))
        .values(content_hash=bindparam("v_hash")),
        [{"ext": a.external_id, "v_hash": a.content_hash} for a, _ in changed],
    )
