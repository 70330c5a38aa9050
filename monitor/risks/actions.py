"""What a person does with a risk, each in one transaction: the CLI, pages and API call these."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select, update

from monitor.config import Settings
from monitor.errors import InputError, TransitionError
from monitor.incidents.audit import record_event
from monitor.incidents.grouping import ClassifiedPost, create_incident
from monitor.incidents.lifecycle import RISK_RANK
from monitor.risks import store
from monitor.store.tables import classifications, incident_posts, info_risks, posts

ACTIONS = ("handle", "dismiss", "link", "incident")
DONE = {
    "handle": "Риск отмечен как отработанный",
    "dismiss": "Риск отклонён: сохранён как разметка «не риск»",
    "link": "Риск связан с инцидентом",
    "incident": "Создан инцидент по риску",
}


def handle(engine: Engine, risk_id: int, note: str | None, *, actor: str, now: datetime) -> None:
    """Mark a risk handled, with a note of what was done."""
    with engine.begin() as connection:
        store.resolve(connection, risk_id, "handled", actor=actor, now=now, note=note)


def dismiss(engine: Engine, risk_id: int, note: str | None, *, actor: str, now: datetime) -> None:
    """Dismiss a risk: it stays as a label that this was no risk."""
    with engine.begin() as connection:
        store.resolve(connection, risk_id, "dismissed", actor=actor, now=now, note=note)


def link(engine: Engine, risk_id: int, incident_id: int, *, actor: str, now: datetime) -> None:
    """Tie a risk to an existing incident."""
    with engine.begin() as connection:
        store.link_incident(connection, risk_id, incident_id, actor=actor, now=now)


def open_incident(
    engine: Engine,
    settings: Settings,
    risk_id: int,
    *,
    actor: str,
    now: datetime,
    sector: str | None = None,
    risk: str | None = None,
) -> int:
    """Create an incident from the risk's main post (routed, with deadlines) and link them.

    Sector, risk and territory come from the post's classification unless given; a post the
    model has not classified needs a sector.
    """
    sectors = {item.code for item in settings.sectors}
    if sector is not None and sector not in sectors:
        raise InputError(f"Неизвестный сектор: {sector}")
    if risk is not None and risk not in RISK_RANK:
        raise InputError(f"Неизвестный уровень риска: {risk}")
    with engine.begin() as connection:
        row = connection.execute(select(info_risks).where(info_risks.c.id == risk_id)).first()
        if row is None:
            store.get_risk(connection, risk_id)  # raises NotFound in Russian
        if row.incident_id is not None:
            raise TransitionError(f"Риск №{risk_id} уже связан с инцидентом №{row.incident_id}")
        taken = connection.execute(
            select(incident_posts.c.incident_id).where(incident_posts.c.post_id == row.post_id)
        ).scalar()
        if taken is not None:
            raise TransitionError(f"Публикация риска уже в инциденте №{taken}: свяжите риск с ним")
        post = connection.execute(select(posts).where(posts.c.id == row.post_id)).one()
        decided = connection.execute(
            select(classifications)
            .where(classifications.c.post_id == row.post_id)
            .order_by(classifications.c.id.desc())
            .limit(1)
        ).first()
        sector = sector or (decided.sector if decided is not None else None)
        if sector is None:
            raise InputError("Модель ещё не разобрала эту публикацию: укажите сектор")
        risk = risk or (decided.risk if decided is not None and decided.risk else "medium")
        classified = ClassifiedPost(
            post_id=post.id,
            external_id=post.external_id,
            author_id=post.author_id,
            text=post.text,
            published_at=post.published_at,
            collected_at=post.collected_at,
            parent_external_id=post.parent_external_id,
            repost_of_external_id=post.repost_of_external_id,
            relevant=True,
            sector=sector,
            risk=risk,
            risk_text=decided.risk_text if decided is not None and decided.risk_text else risk,
            territory=(decided.territory if decided is not None else None) or post.territory_hint,
        )
        incident_id = create_incident(connection, settings, classified, now)
        connection.execute(
            update(info_risks)
            .where(info_risks.c.id == risk_id)
            .values(incident_id=incident_id, updated_at=now)
        )
        record_event(
            connection,
            incident_id=incident_id,
            kind="risk_incident",
            at=now,
            actor=actor,
            payload={"risk_id": risk_id, "risk_kind": row.kind},
        )
    return incident_id
