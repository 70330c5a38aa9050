"""How values read on the pages: local times, time left, Russian names, history lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config import Settings
from monitor.incidents.lifecycle import RISK_NAMES, STATUS_NAMES
from monitor.notify.templates import duration_words

# Open statuses whose deadline clock runs (`waiting` stops it).
OPEN_RUNNING = ("new", "assigned", "in_progress")
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
}
DEADLINE_KINDS = {"first_response": "первого ответа", "final_answer": "окончательного ответа"}
RECIPIENT_KINDS = {
    "department": "ведомство",
    "municipality": "муниципалитет",
    "utility": "ресурсоснабжающая организация",
    "school": "учреждение",
    "curator": "куратор",
    "centre": "центр",
}
ROLE_OF_POST = {
    "origin": "исходная",
    "duplicate": "дубликат",
    "repost": "репост",
    "comment": "комментарий",
}


class Display:
    """Formatting bound to the centre's settings, used as Jinja globals."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.calendar.timezone or settings.timezone)
        self.sectors = {sector.code: sector.name for sector in settings.sectors}
        self.near = timedelta(minutes=settings.web.near_deadline_minutes)

    def local(self, moment: datetime | None, full: bool = False) -> str:
        """A moment in the centre's time zone: '18.11 14:05', or with the year."""
        if moment is None:
            return "—"
        local = moment.astimezone(self.zone)
        return f"{local:%d.%m.%Y %H:%M}" if full else f"{local:%d.%m %H:%M}"

    def iso(self, moment: datetime | None) -> str:
        """A moment in ISO 8601 for <time datetime=...>."""
        return moment.isoformat() if moment else ""

    def span(self, delta: timedelta) -> str:
        """A duration in words, in days and hours when it is long."""
        if delta >= timedelta(hours=48):
            days, rest = divmod(delta, timedelta(days=1))
            hours = round(rest / timedelta(hours=1))
            return f"{days} дн {hours} ч" if hours else f"{days} дн"
        return duration_words(delta)

    def left(self, due: datetime | None, now: datetime, met: datetime | None = None) -> str:
        """Time left to a deadline, or how late it is, or when it was met."""
        if due is None:
            return "срок не задан"
        if met is not None:
            late = met - due
            if late <= timedelta(0):
                return "выполнен в срок"
            return f"выполнен с опозданием {self.span(late)}"
        if due >= now:
            return f"осталось {self.span(due - now)}"
        return f"просрочен на {self.span(now - due)}"

    def deadline_left(self, incident: dict[str, Any], which: str, now: datetime) -> str:
        """How one deadline ('first_response' or 'final_answer') stands as of now."""
        due = incident[f"{which}_due"]
        met = incident["first_response_at" if which == "first_response" else "answered_at"]
        if met is None and incident["status"] == "waiting":
            return "часы остановлены"
        if met is None and incident["status"] in ("closed", "rejected"):
            return "не потребовался"
        return self.left(due, now, met)

    def deadline_state(self, incident: dict[str, Any], which: str, now: datetime) -> str:
        """'overdue', 'near' or '' for one deadline that has not been met yet."""
        due = incident[f"{which}_due"]
        met = incident["first_response_at" if which == "first_response" else "answered_at"]
        if due is None or met is not None or incident["status"] not in OPEN_RUNNING:
            return ""
        if due < now:
            return "overdue"
        return "near" if due - now <= self.near else ""

    def recipient_kind(self, kind: str) -> str:
        """Russian name of a kind of recipient."""
        return RECIPIENT_KINDS.get(kind, kind)

    def pending_due(self, incident: dict[str, Any]) -> datetime | None:
        """The deadline the incident is now running against, or None (closed, paused)."""
        if incident["status"] not in OPEN_RUNNING:
            return None
        if incident.get("first_response_at") is None:
            return incident.get("first_response_due")
        if incident.get("answered_at") is None:
            return incident.get("final_answer_due")
        return None

    def urgency(self, incident: dict[str, Any], now: datetime) -> str:
        """'overdue', 'near' (deadline within the configured margin) or ''."""
        if incident.get("overdue"):
            return "overdue"
        due = self.pending_due(incident)
        if due is not None and due - now <= self.near:
            return "overdue" if due < now else "near"
        return ""

    def sector_name(self, code: str | None) -> str:
        """Russian name of a sector code."""
        return self.sectors.get(code or "", code or "—")

    def risk_name(self, code: str | None) -> str:
        """Russian name of a risk level."""
        return RISK_NAMES.get(code or "", code or "—")

    def status_name(self, code: str | None) -> str:
        """Russian name of a status."""
        return STATUS_NAMES.get(code or "", code or "—")

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
            pairs.append((PAYLOAD_NAMES.get(key, key), self._value(key, value)))
        return pairs

    def _value(self, key: str, value: Any) -> str:
        if isinstance(value, bool):
            return "да" if value else "нет"
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
        if key in ("deadline", "missed"):
            return DEADLINE_KINDS.get(str(value), str(value))
        if isinstance(value, str) and (key.endswith("_due") or key in ("due", "retry_at")):
            try:
                return self.local(datetime.fromisoformat(value), full=True)
            except ValueError:
                return value
        return str(value)

    def percent(self, value: float | None) -> str:
        """A probability as a percentage."""
        return "—" if value is None else f"{value * 100:.0f}%"

    def post_role(self, role: str) -> str:
        """Russian name of a post's role in its incident."""
        return ROLE_OF_POST.get(role, role)
