"""How values read on the pages: local times, time left, Russian names, history lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from monitor.config import Settings
from monitor.incidents.history import ROLE_OF_POST, EventWording
from monitor.notify.templates import duration_words

# Open statuses whose deadline clock runs (`waiting` stops it).
OPEN_RUNNING = ("new", "assigned", "in_progress")
RECIPIENT_KINDS = {
    "department": "ведомство",
    "municipality": "муниципалитет",
    "utility": "ресурсоснабжающая организация",
    "school": "учреждение",
    "curator": "куратор",
    "centre": "центр",
}


class Display(EventWording):
    """Formatting bound to the centre's settings, used as Jinja globals."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.near = timedelta(minutes=settings.web.near_deadline_minutes)

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

    def percent(self, value: float | None) -> str:
        """A probability as a percentage."""
        return "—" if value is None else f"{value * 100:.0f}%"

    def post_role(self, role: str) -> str:
        """Russian name of a post's role in its incident."""
        return ROLE_OF_POST.get(role, role)
