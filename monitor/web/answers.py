"""Answer templates by sector: rows of the `templates` table, else the built-in ones.

Admins keep the rows on the /templates page (monitor/web/pages_templates.py); every change is
an event in the audit log (incident_id empty, actor the admin).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from string import Template
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from monitor.errors import InputError, NotFound
from monitor.incidents.audit import record_event
from monitor.store.tables import templates

KINDS = ("interim", "final")
KIND_NAMES = {"interim": "промежуточный", "final": "окончательный"}


@dataclass(frozen=True)
class AnswerTemplate:
    """A reply skeleton; `$title`, `$territory`, `$recipient`, `$sector`, `$id` are filled in."""

    kind: str
    title: str
    body: str
    sector: str | None = None
    id: int | None = None

    def render(self, values: dict[str, str]) -> str:
        """The body with the incident's values in place of the placeholders."""
        return Template(self.body).safe_substitute(values)


BUILT_IN = (
    AnswerTemplate(
        "interim",
        "Принято в работу",
        "Здравствуйте! Ваше сообщение «$title» получено и передано: $recipient. "
        "Специалисты разбираются в ситуации, о результатах сообщим дополнительно.",
    ),
    AnswerTemplate(
        "interim",
        "Нужны подробности",
        "Здравствуйте! Чтобы решить проблему быстрее, напишите, пожалуйста, точный адрес "
        "и когда это началось. Обращение «$title» уже передано: $recipient.",
    ),
    AnswerTemplate(
        "final",
        "Проблема решена",
        "Здравствуйте! По вашему сообщению «$title» ($territory) работы выполнены: … "
        "Благодарим за сигнал. Если проблема повторится, сообщите нам.",
    ),
    AnswerTemplate(
        "interim",
        "Аварийная бригада",
        "Здравствуйте! Аварийная бригада направлена по адресу ($territory). "
        "Ориентировочное время устранения: … Приносим извинения за неудобства.",
        sector="housing",
    ),
    AnswerTemplate(
        "interim",
        "Дорожные службы",
        "Здравствуйте! Информация передана в дорожную службу. Участок ($territory) "
        "включён в план работ, срок: …",
        sector="roads",
    ),
    AnswerTemplate(
        "interim",
        "Вывоз отходов",
        "Здравствуйте! Региональный оператор уведомлён, вывоз отходов ($territory) "
        "запланирован на …",
        sector="waste",
    ),
)


def templates_for(connection: Connection, sector: str) -> list[AnswerTemplate]:
    """Templates for the sector first, then the general ones; stored rows win over built-in."""
    rows = connection.execute(
        select(templates)
        .where(templates.c.kind.in_(KINDS))
        .where(or_(templates.c.sector == sector, templates.c.sector.is_(None)))
        .order_by(templates.c.sector.is_(None), templates.c.id)
    ).all()
    stored = [_template(row) for row in rows]
    if stored:
        return stored
    specific = [t for t in BUILT_IN if t.sector == sector]
    return specific + [t for t in BUILT_IN if t.sector is None]


def template_values(incident: dict[str, Any], sector_name: str) -> dict[str, str]:
    """What the placeholders stand for in this incident."""
    return {
        "id": str(incident["id"]),
        "title": incident["title"],
        "territory": incident.get("territory") or "территория не указана",
        "recipient": incident.get("recipient_name") or "ответственному получателю",
        "sector": sector_name,
    }


MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 20_000  # as long as an answer may be


def _template(row) -> AnswerTemplate:
    return AnswerTemplate(row.kind, row.title, row.body, row.sector, row.id)


def list_templates(
    connection: Connection, *, sector: str | None = None, kind: str | None = None
) -> list[AnswerTemplate]:
    """Stored templates, general ones first, then by sector, kind and title.

    With `sector`, that sector's templates and the general ones (what its incidents offer).
    """
    query = select(templates)
    if sector:
        query = query.where(or_(templates.c.sector == sector, templates.c.sector.is_(None)))
    if kind:
        query = query.where(templates.c.kind == kind)
    query = query.order_by(
        templates.c.sector.is_not(None),
        templates.c.sector,
        templates.c.kind.desc(),  # interim before final
        templates.c.title,
        templates.c.id,
    )
    return [_template(row) for row in connection.execute(query)]


def get_template(connection: Connection, template_id: int) -> AnswerTemplate:
    """One stored template; NotFound when there is none with this id."""
    row = connection.execute(select(templates).where(templates.c.id == template_id)).first()
    if row is None:
        raise NotFound(f"Шаблон {template_id} не найден")
    return _template(row)


def checked_template(
    sectors: set[str], *, sector: str | None, kind: str, title: str, body: str
) -> AnswerTemplate:
    """A template from a form, or InputError in Russian saying what is wrong."""
    sector = (sector or "").strip() or None
    title, body = title.strip(), body.strip()
    if kind not in KINDS:
        raise InputError(f"Неизвестный вид ответа: {kind} (есть: {', '.join(KINDS)})")
    if sector is not None and sector not in sectors:
        raise InputError(f"Неизвестный сектор: {sector}")
    if not title or len(title) > MAX_TITLE_CHARS:
        raise InputError(f"Название шаблона: от 1 до {MAX_TITLE_CHARS} символов")
    if not body or len(body) > MAX_BODY_CHARS:
        raise InputError(f"Текст шаблона: от 1 до {MAX_BODY_CHARS} символов")
    return AnswerTemplate(kind, title, body, sector)


def _audit(
    connection: Connection, event: str, actor: str, now: datetime, payload: dict[str, Any]
) -> None:
    record_event(connection, incident_id=None, kind=event, at=now, actor=actor, payload=payload)


def _values(template: AnswerTemplate) -> dict[str, Any]:
    return {k: v for k, v in asdict(template).items() if k != "id"}


def create_template(
    connection: Connection, template: AnswerTemplate, *, actor: str, now: datetime
) -> int:
    """Store a new template (and audit it); its id."""
    template_id = connection.execute(
        insert(templates).values(**_values(template))
    ).inserted_primary_key[0]
    _audit(
        connection,
        "template_created",
        actor,
        now,
        {"template_id": template_id, **_values(template)},
    )
    return template_id


def change_template(
    connection: Connection,
    template_id: int,
    template: AnswerTemplate,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Replace a stored template's sector, kind, title and text (and audit what changed)."""
    before = get_template(connection, template_id)
    connection.execute(
        update(templates).where(templates.c.id == template_id).values(**_values(template))
    )
    old, new = _values(before), _values(template)
    changes = {key: {"from": old[key], "to": new[key]} for key in new if old[key] != new[key]}
    _audit(
        connection, "template_changed", actor, now, {"template_id": template_id, "changes": changes}
    )


def delete_template(connection: Connection, template_id: int, *, actor: str, now: datetime) -> None:
    """Remove a stored template (the audit log keeps what it said)."""
    before = get_template(connection, template_id)
    connection.execute(delete(templates).where(templates.c.id == template_id))
    _audit(
        connection, "template_deleted", actor, now, {"template_id": template_id, **_values(before)}
    )


def copy_built_in(connection: Connection, *, actor: str, now: datetime) -> int:
    """Store the built-in templates as rows to edit; only into an empty table. How many."""
    if connection.execute(select(templates.c.id).limit(1)).first() is not None:
        raise InputError("Свои шаблоны уже есть: встроенные копируются только в пустой список")
    for template in BUILT_IN:
        create_template(connection, template, actor=actor, now=now)
    return len(BUILT_IN)
