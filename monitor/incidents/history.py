"""How the audit history reads, in Russian: one wording for the page and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config import Settings
from monitor.incidents.lifecycle import RISK_NAMES, STATUS_NAMES

EVENT_NAMES = {
    "created": "Создан",
    "routed": "Направлен получателю",
    "post_added": "Добавлена публикация",
    "risk_raised": "Риск повышен",
    "assigned": "Назначен",
    "interim_answer": "Промежуточный ответ",
    "answer": "Окончательный ответ",
    "closed": "Закрыт",
    "rejected": "Отклонён как нерелевантный",
    "reclassified": "Классификация исправлена",
    "paused": "Приостановлен",
    "resumed": "Возобновлён",
    "overdue": "Срок нарушен",
    "overdue_cleared": "Нарушение срока снято",
    "escalated": "Эскалация",
    "notification_sent": "Уведомление отправлено",
    "notification_failed": "Уведомление не доставлено",
    "template_created": "Шаблон ответа добавлен",
    "template_changed": "Шаблон ответа изменён",
    "template_deleted": "Шаблон ответа удалён",
    "user_added": "Пользователь добавлен",
    "user_password_set": "Пароль пользователя изменён",
    "user_locked": "Пользователь заблокирован",
    "user_unlocked": "Пользователь разблокирован",
    "user_token_issued": "Выдан API-токен",
    "publication_created": "Ответ подготовлен к публикации",
    "publication_attempt": "Попытка публикации",
    "published": "Ответ опубликован",
    "publication_failed": "Публикация не удалась",
    "reopened": "Переоткрыт",
    "reaction_satisfied": "Житель доволен",
    "reaction_not_satisfied": "Житель не доволен",
    "reaction_unclear": "Реакция жителя без ясной оценки",
    "imported": "Импортирован",
}
PAYLOAD_NAMES = {
    "from": "было",
    "to": "стало",
    "reason": "причина",
    "recipient": "получатель",
    "status": "статус",
    "sector": "сектор",
    "risk": "риск",
    "territory": "территория",
    "post_id": "публикация",
    "role": "роль",
    "on_time": "в срок",
    "deadlines": "сроки",
    "first_response_due": "срок первого ответа",
    "final_answer_due": "срок окончательного ответа",
    "paused_seconds": "на паузе, с",
    "level": "уровень",
    "channel": "канал",
    "deadline": "срок",
    "missed": "нарушен срок",
    "due": "срок был",
    "name": "ступень",
    "kind": "вид",
    "error": "ошибка",
    "retry_at": "повтор",
    "attempt": "попытка",
    "notification_id": "уведомление",
    "reasons": "почему",
}
ROLE_OF_POST = {
    "origin": "исходная",
    "duplicate": "дубликат",
    "repost": "репост",
    "comment": "комментарий",
}
DEADLINE_KINDS = {"first_response": "первого ответа", "final_answer": "окончательного ответа"}


class EventWording:
    """Names, local times and event lines bound to the centre's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.calendar.timezone or settings.timezone)
        self.sectors = {sector.code: sector.name for sector in settings.sectors}
        self.recipients = {recipient.code: recipient.name for recipient in settings.recipients}

    def local(self, moment: datetime | None, full: bool = False) -> str:
        """A moment in the centre's time zone: '18.11 14:05', or with the year."""
        if moment is None:
            return "—"
        local = moment.astimezone(self.zone)
        return f"{local:%d.%m.%Y %H:%M}" if full else f"{local:%d.%m %H:%M}"

    def sector_name(self, code: str | None) -> str:
        """Russian name of a sector code."""
        return self.sectors.get(code or "", code or "—")

    def risk_name(self, code: str | None) -> str:
        """Russian name of a risk level."""
        return RISK_NAMES.get(code or "", code or "—")

    def status_name(self, code: str | None) -> str:
        """Russian name of a status."""
        return STATUS_NAMES.get(code or "", code or "—")

    def recipient_name(self, code: str | None) -> str:
        """Name of a recipient from its code (the code itself when it is not configured)."""
        return self.recipients.get(code or "", code or "—")

    def event_name(self, kind: str) -> str:
        """Russian name of an audit event."""
        return EVENT_NAMES.get(kind, kind)

    def event_details(self, event: dict[str, Any]) -> list[tuple[str, str]]:
        """The payload of an event as (label, value) pairs, answer text excepted."""
        payload = event.get("payload") or {}
        pairs = []
        for key, value in payload.items():
            if key == "text" or value in (None, "", {}):
                continue
            if event.get("kind") == "risk_raised" and key in ("from", "to"):
                key_of_value = "risk"  # the risk before and after
            else:
                key_of_value = key
            pairs.append((PAYLOAD_NAMES.get(key, key), self._value(key_of_value, value)))
        return pairs

    def _value(self, key: str, value: Any) -> str:
        if isinstance(value, bool):
            return "да" if value else "нет"
        if isinstance(value, list):
            return ", ".join(self._value(key, item) for item in value)
        if isinstance(value, dict):
            if value and set(value) <= {"from", "to"}:
                return " → ".join(self._value(key, value[k]) for k in ("from", "to") if k in value)
            return ", ".join(
                f"{PAYLOAD_NAMES.get(k, k)}: {self._value(k, v)}" for k, v in value.items()
            )
        if key == "sector":
            return self.sector_name(str(value))
        if key == "risk":
            return self.risk_name(str(value))
        if key == "status":
            return self.status_name(str(value))
        if key == "role":
            return ROLE_OF_POST.get(str(value), str(value))
        if key in ("recipient", "to") and isinstance(value, str):
            return self.recipient_name(value)
        if key in ("deadline", "missed"):
            return DEADLINE_KINDS.get(str(value), str(value))
        if isinstance(value, str) and (key.endswith("_due") or key in ("due", "retry_at")):
            try:
                return self.local(datetime.fromisoformat(value), full=True)
            except ValueError:
                return value
        return str(value)

    def event_line(self, event: dict[str, Any]) -> str:
        """One history line: local time, who, what, and the details."""
        details = "; ".join(f"{label}: {value}" for label, value in self.event_details(event))
        line = f"{self.local(event['at'])} {event['actor']}: {self.event_name(event['kind'])}"
        return f"{line} ({details})" if details else line
