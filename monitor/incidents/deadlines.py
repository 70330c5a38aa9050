"""The deadline check (`otklik tick`): marks overdue, escalates, queues notifications.

Everything it decides is a function of the stored incidents and the moment, and every
write is guarded by the values it read, so running it twice at the same moment changes
nothing the second time, and a replay with `--now` reaches the same state.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, bindparam, select, update

from monitor.config import Settings
from monitor.context import Context
from monitor.incidents.audit import event_row, record_events
from monitor.incidents.escalation import (
    Escalation,
    escalation_path,
    escalation_target,
    outstanding,
)
from monitor.incidents.lifecycle import OPEN_STATUSES
from monitor.incidents.sla import Pause
from monitor.notify.digest import plan_digests
from monitor.notify.outbox import Addressee, Outbox, store_notifications
from monitor.notify.templates import DEADLINE_NAMES, duration_words, incident_context, local_time
from monitor.store.tables import incident_pauses, incidents, recipients

_COLUMNS = (
    incidents.c.id,
    incidents.c.title,
    incidents.c.sector,
    incidents.c.risk,
    incidents.c.territory,
    incidents.c.status,
    incidents.c.recipient_id,
    incidents.c.created_at,
    incidents.c.first_response_due,
    incidents.c.final_answer_due,
    incidents.c.first_response_at,
    incidents.c.answered_at,
    incidents.c.overdue,
    incidents.c.escalation_level,
)


@dataclass
class TickReport:
    """What one deadline check did."""

    checked: int = 0
    overdue_marked: int = 0
    overdue_cleared: int = 0
    escalations: int = 0
    notifications_queued: int = 0


@dataclass
class _Directory:
    """Recipients by id and by code, and each one's parent, read once per tick."""

    by_id: dict[int, Addressee]
    by_code: dict[str, Addressee]
    parents: dict[str, str | None]


def _directory(connection: Connection) -> _Directory:
    by_id, by_code, parents = {}, {}, {}
    for row in connection.execute(select(recipients)):
        addressee = Addressee(row.id, row.code, row.name, row.email, row.telegram_chat_id)
        by_id[row.id] = by_code[row.code] = addressee
        parents[row.code] = row.parent_code
    return _Directory(by_id, by_code, parents)


def _open_pauses(connection: Connection) -> dict[int, list[Pause]]:
    open_ids = select(incidents.c.id).where(incidents.c.status.in_(OPEN_STATUSES))
    rows = connection.execute(
        select(
            incident_pauses.c.incident_id, incident_pauses.c.started_at, incident_pauses.c.ended_at
        )
        .where(incident_pauses.c.incident_id.in_(open_ids))
        .order_by(incident_pauses.c.started_at)
    )
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for row in rows:
        pauses[row.incident_id].append((row.started_at, row.ended_at))
    return pauses


TICK_CHUNK = 200  # incidents per write transaction

_GUARDED = ("status", "overdue", "escalation_level", "first_response_at", "answered_at")
# One compiled statement for every incident: it only writes if nobody changed the
# incident since this tick read it (NULL-safe comparison of the values read).
_GUARDED_UPDATE = (
    update(incidents)
    .where(incidents.c.id == bindparam("read_id"))
    .where(
        *(incidents.c[name].is_not_distinct_from(bindparam(f"read_{name}")) for name in _GUARDED)
    )
    .values(
        overdue=bindparam("new_overdue"),
        escalation_level=bindparam("new_level"),
        updated_at=bindparam("new_updated_at"),
    )
)


def tick(ctx: Context, now: datetime | None = None) -> TickReport:
    """Check every open incident once as of `now`: overdue, escalation, notifications.

    The incidents are read once, then handled `TICK_CHUNK` at a time: everything a chunk
    needs (its decisions, the notifications not stored yet, rendered) is worked out before
    its write transaction, which then only writes. On SQLite another writer (an officer's
    action, a collector run) waits for one chunk's writes at most, never for a backlog, and
    a failed tick keeps the chunks it finished.
    """
    now = now or ctx.now()
    settings = ctx.settings
    report = TickReport()
    with ctx.db.connect() as connection:
        directory = _directory(connection)
        pauses = _open_pauses(connection)
        rows = connection.execute(
            select(*_COLUMNS).where(incidents.c.status.in_(OPEN_STATUSES)).order_by(incidents.c.id)
        ).all()
    for start in range(0, len(rows), TICK_CHUNK):
        chunk = rows[start : start + TICK_CHUNK]
        outbox = Outbox(settings, now)
        decisions = [
            decision
            for incident in chunk
            if incident.status != "waiting"
            and (decision := _decide(settings, incident, directory, pauses, outbox, now))
        ]
        report.checked += len(chunk)
        with ctx.db.connect() as connection:
            notices = outbox.new_rows(connection)
        with ctx.db.begin() as connection:
            _write(connection, decisions, notices, report, now)
    outbox = Outbox(settings, now)
    plan_digests(settings, rows, directory.by_id, outbox, now)
    with ctx.db.connect() as connection:
        notices = outbox.new_rows(connection)
    with ctx.db.begin() as connection:
        report.notifications_queued += store_notifications(connection, notices)
    return report


@dataclass
class _Decision:
    """A change the tick makes to one incident, decided before its write transaction."""

    incident: Row
    overdue: bool
    level: int
    escalations: int
    history: list[dict]


def _write(
    connection: Connection,
    decisions: list[_Decision],
    notices: list[dict],
    report: TickReport,
    now: datetime,
) -> None:
    """One chunk's writes: guarded updates, their audit events, then the notifications."""
    history: list[dict] = []
    stale: set[int] = set()
    for decision in decisions:
        incident = decision.incident
        read = {f"read_{name}": getattr(incident, name) for name in _GUARDED}
        changed = connection.execute(
            _GUARDED_UPDATE,
            {
                "read_id": incident.id,
                **read,
                "new_overdue": decision.overdue,
                "new_level": decision.level,
                "new_updated_at": now,
            },
        ).rowcount
        if not changed:
            stale.add(incident.id)  # changed by someone else meanwhile: the next tick looks again
            continue
        history.extend(decision.history)
        report.overdue_marked += decision.overdue and not incident.overdue
        report.overdue_cleared += incident.overdue and not decision.overdue
        report.escalations += decision.escalations
    record_events(connection, history)
    fresh = [notice for notice in notices if notice["incident_id"] not in stale]
    report.notifications_queued += store_notifications(connection, fresh)


def _decide(
    settings: Settings,
    incident: Row,
    directory: _Directory,
    pauses: dict[int, list[Pause]],
    outbox: Outbox,
    now: datetime,
) -> _Decision | None:
    """Plan the incident's notifications; the change to write, if its state must change."""
    recipient = directory.by_id.get(incident.recipient_id)
    code = recipient.code if recipient else None
    owed = outstanding(incident)
    overdue = owed is not None and owed.due < now
    path = escalation_path(
        settings, incident, recipient_code=code, pauses=pauses.get(incident.id, ()), now=now
    )
    new_steps = path[incident.escalation_level :]
    level = max(incident.escalation_level, len(path))
    decision = None
    if overdue != incident.overdue or level != incident.escalation_level:
        history = _history(settings, incident, owed, overdue, new_steps, directory, code, now)
        decision = _Decision(incident, overdue, level, len(new_steps), history)

    def context(**extra):
        # Rendered only for notifications not stored yet: moments are formatted late.
        return lambda: {
            "incident": incident_context(settings, incident, recipient and recipient.name),
            **{
                key: local_time(settings, value) if isinstance(value, datetime) else value
                for key, value in extra.items()
            },
        }

    if incident.status == "assigned" and recipient:
        outbox.add(
            "assigned",
            f"{incident.id}:{code}",
            recipient,
            incident_id=incident.id,
            context=context(),
        )
    if incident.risk == "critical" and incident.first_response_at is None:
        centre = directory.by_code.get(settings.notify.centre or settings.routing.fallback)
        for addressee in {a.code: a for a in (recipient, centre) if a}.values():
            outbox.add(
                "critical",
                f"{incident.id}:{addressee.code}",
                addressee,
                incident_id=incident.id,
                context=context(),
            )
    if owed is not None:
        due_key = f"{incident.id}:{owed.kind}:{owed.due.isoformat()}"
        names = {"deadline_name": DEADLINE_NAMES[owed.kind], "due": owed.due}
        if overdue:
            escalates = level < len(settings.escalation.levels)
            outbox.add(
                "overdue",
                due_key,
                recipient,
                incident_id=incident.id,
                context=context(escalates=escalates, **names),
            )
        elif _reminder_due(settings, incident, owed.due, now):
            left = duration_words(owed.due - now)
            outbox.add(
                "reminder",
                due_key,
                recipient,
                incident_id=incident.id,
                context=context(left=left, **names),
            )
    for step in new_steps:
        target = _target(settings, step, incident, code, directory)
        level_name = settings.escalation.levels[step.level - 1].name
        outbox.add(
            "escalation",
            f"{incident.id}:{step.level}:{target}",
            directory.by_code.get(target),
            incident_id=incident.id,
            context=context(
                level=step.level,
                level_name=level_name,
                deadline_name=DEADLINE_NAMES[step.missed],
                due=step.due,
            ),
        )
    return decision


def _reminder_due(settings: Settings, incident, due: datetime, now: datetime) -> bool:
    lead = timedelta(minutes=settings.notify.reminder_before_minutes)
    # A deadline shorter than the lead time gets no reminder: its first message said it all.
    return bool(lead) and due - lead <= now < due and incident.created_at < due - lead


def _target(settings: Settings, step: Escalation, incident, code, directory) -> str:
    return escalation_target(
        settings,
        step.level,
        sector=incident.sector,
        recipient_code=code,
        parents=directory.parents,
    )


def _history(
    settings: Settings,
    incident: Row,
    owed,
    overdue: bool,
    new_steps: list[Escalation],
    directory: _Directory,
    code: str | None,
    now: datetime,
) -> list[dict]:
    """The audit events of the incident's change: overdue (or cleared), each escalation."""
    history = []
    if overdue and not incident.overdue:
        payload = {"deadline": owed.kind, "due": owed.due.isoformat()}
        history.append(event_row(incident_id=incident.id, kind="overdue", at=now, payload=payload))
    elif incident.overdue and not overdue:
        payload = {"deadline": owed.kind if owed else None}
        history.append(
            event_row(incident_id=incident.id, kind="overdue_cleared", at=now, payload=payload)
        )
    for step in new_steps:
        payload = {
            "level": step.level,
            "name": settings.escalation.levels[step.level - 1].name,
            "to": _target(settings, step, incident, code, directory),
            "missed": step.missed,
            "due": step.due.isoformat(),
        }
        history.append(
            event_row(incident_id=incident.id, kind="escalated", at=now, payload=payload)
        )
    return history
