"""Answer templates by sector: rows of the `templates` table, else the built-in ones."""

from __future__ import annotations

from dataclasses import dataclass
from string import Template
from typing import Any

from sqlalchemy import Connection, or_, select

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
    stored = [AnswerTemplate(row.kind, row.title, row.body, row.sector) for row in rows]
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
