"""Publishing one answer: stored once under its guid, sent with retries, every attempt audited."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from monitor.collectors.http import Retrier
from monitor.config import Settings
from monitor.errors import InputError, NotFound
from monitor.incidents.audit import record_event
from monitor.incidents.lifecycle import check_transition
from monitor.incidents.sla import recipient_code_of
from monitor.publish.targets import Target, comment_url, targets
from monitor.publish.vk import CENTRE_TOKEN, PublishFailure, VkCommenter, Voice, token_variable
from monitor.store.tables import incidents, publications

MAX_COMMENT_CHARS = 4096
KINDS = ("interim", "final")
STATE_NAMES = {"pending": "отправляется", "sent": "опубликован", "failed": "не опубликован"}


def publication_guid(incident_id: int, external_id: str, text: str) -> str:
    """The idempotency key: one incident, one target, one text is one publication."""
    digest = hashlib.sha256(f"{incident_id}|{external_id}|{text}".encode()).hexdigest()
    return f"otklik{digest[:32]}"


def voice_for(settings: Settings, recipient_code: str | None) -> Voice:
    """The recipient's own VK page when it has one and its token is set, else the centre's."""
    variable = token_variable(recipient_code)
    page = next(
        (
            page
            for page in settings.official_pages.pages
            if page.network == "vk" and page.recipient == recipient_code
        ),
        None,
    )
    if page is not None and os.environ.get(variable):
        return Voice(int(page.address.lstrip("-")), variable)
    return Voice(settings.publishing.vk_group_id, CENTRE_TOKEN)


def choose_target(found: list[Target], external_id: str | None) -> Target:
    """The named post, else the incident's earliest post that can be answered."""
    if external_id:
        target = next((t for t in found if t.external_id == external_id), None)
        if target is None:
            raise InputError(f"Запись {external_id} не относится к инциденту")
    else:
        target = next((t for t in found if t.publishable), found[0] if found else None)
    if target is None:
        raise InputError("У инцидента нет записей, под которыми можно ответить")
    if not target.publishable:
        link = f" Ссылка: {target.url}" if target.url else ""
        raise InputError(f"{target.reason}{link}")
    return target


def _checked_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InputError("Текст ответа пуст")
    if len(text) > MAX_COMMENT_CHARS:
        raise InputError(f"Комментарий VK длиннее {MAX_COMMENT_CHARS} символов: сократите ответ")
    return text


def _prepare(
    connection: Connection,
    incident_id: int,
    text: str,
    kind: str,
    external_id: str | None,
    actor: str,
    now: datetime,
    scope_recipient_id: int | None,
) -> tuple[Any, Target, str | None]:
    query = select(incidents).where(incidents.c.id == incident_id)
    if scope_recipient_id is not None:
        query = query.where(incidents.c.recipient_id == scope_recipient_id)
    incident = connection.execute(query).first()
    if incident is None:
        raise NotFound(f"Инцидент {incident_id} не найден")
    check_transition("publish", incident.status, incident_id)
    target = choose_target(targets(connection, incident_id), external_id)
    guid = publication_guid(incident_id, target.external_id, text)
    row = connection.execute(select(publications).where(publications.c.guid == guid)).first()
    if row is None:
        connection.execute(
            insert(publications).values(
                incident_id=incident_id,
                network=target.network,
                kind=kind,
                target_external_id=target.external_id,
                target_url=target.url,
                guid=guid,
                text=text,
                actor=actor,
                created_at=now,
                updated_at=now,
            )
        )
        record_event(
            connection,
            incident_id=incident_id,
            kind="publication_created",
            at=now,
            actor=actor,
            payload={"guid": guid, "target": target.external_id, "kind": kind},
        )
        row = connection.execute(select(publications).where(publications.c.guid == guid)).one()
    return row, target, recipient_code_of(connection, incident.recipient_id)


def publish(
    engine: Engine,
    settings: Settings,
    incident_id: int,
    text: str,
    *,
    kind: str = "final",
    target: str | None = None,
    actor: str,
    now: datetime,
    scope_recipient_id: int | None = None,
    commenter: VkCommenter | None = None,
) -> dict[str, Any]:
    """Publish an answer under the resident's post (or the named one); the publication row.

    The same incident, target and text are one publication: a second call sends again only
    if the first did not go through, with the same guid, so VK never shows it twice.
    """
    if kind not in KINDS:
        raise InputError(f"Неизвестный вид ответа: {kind}")
    text = _checked_text(text)
    with engine.begin() as connection:
        row, chosen, recipient_code = _prepare(
            connection, incident_id, text, kind, target, actor, now, scope_recipient_id
        )
    if row.state == "sent":
        return dict(row._mapping)
    commenter = commenter or VkCommenter(settings, Retrier(settings.collectors.http))
    attempts: list[dict[str, Any]] = []

    def on_attempt(code: str | None, error: str | None) -> None:
        attempts.append({"code": code, "error": error})

    values: dict[str, Any] = {
        "owner_id": chosen.owner_id,
        "post_id": chosen.vk_post_id,
        "message": text,
        "guid": row.guid,
    }
    if chosen.reply_to:
        values["reply_to_comment"] = chosen.reply_to
    outcome: dict[str, Any]
    try:
        result = commenter.send(voice_for(settings, recipient_code), values, on_attempt)
    except PublishFailure as failure:
        if not attempts:  # refused before any request (no token)
            attempts.append({"code": failure.code, "error": str(failure)})
        outcome = {"state": "failed", "last_error": str(failure), "last_error_code": failure.code}
    else:
        stack = result.get("parents_stack") or []
        thread = stack[0] if stack else chosen.reply_to
        outcome = {
            "state": "sent",
            "sent_at": now,
            "published_id": str(result["comment_id"]),
            "published_url": comment_url(
                chosen.owner_id, chosen.vk_post_id, result["comment_id"], thread
            ),
            "last_error": None,
            "last_error_code": None,
        }
    with engine.begin() as connection:
        _finish(connection, row, attempts, outcome, actor, now)
        return dict(
            connection.execute(select(publications).where(publications.c.id == row.id))
            .one()
            ._mapping
        )


def _finish(
    connection: Connection,
    row: Any,
    attempts: list[dict[str, Any]],
    outcome: dict[str, Any],
    actor: str,
    now: datetime,
) -> None:
    for number, attempt in enumerate(attempts, start=row.attempts + 1):
        record_event(
            connection,
            incident_id=row.incident_id,
            kind="publication_attempt",
            at=now,
            actor=actor,
            payload={"publication_id": row.id, "attempt": number, **attempt},
        )
    connection.execute(
        update(publications)
        .where(publications.c.id == row.id)
        .values(attempts=row.attempts + len(attempts), updated_at=now, **outcome)
    )
    record_event(
        connection,
        incident_id=row.incident_id,
        kind="published" if outcome["state"] == "sent" else "publication_failed",
        at=now,
        actor=actor,
        payload={
            "publication_id": row.id,
            "url": outcome.get("published_url"),
            "error": outcome.get("last_error"),
        },
    )


def incident_publications(connection: Connection, incident_id: int) -> list[dict[str, Any]]:
    """An incident's publications, newest first, with their state in Russian."""
    rows = connection.execute(
        select(publications)
        .where(publications.c.incident_id == incident_id)
        .order_by(publications.c.created_at.desc(), publications.c.id.desc())
    )
    return [{**row._mapping, "state_name": STATE_NAMES.get(row.state, row.state)} for row in rows]
