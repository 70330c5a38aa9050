"""Russian message templates: the first line of a rendered template is the subject."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from monitor.config import Settings
from monitor.incidents.escalation import FIRST_RESPONSE
from monitor.incidents.lifecycle import RISK_NAMES

KINDS = ("assigned", "critical", "reminder", "overdue", "escalation", "digest")
DEADLINE_NAMES = {FIRST_RESPONSE: "первого ответа", "final_answer": "окончательного ответа"}
SUBJECT_CHARS = 500


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Plain text, sent without markup in both channels: nothing to escape.
    return Environment(
        loader=PackageLoader("monitor.notify", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(kind: str, **context: Any) -> tuple[str, str]:
    """Render a message template; returns (subject, body)."""
    text = _environment().get_template(f"{kind}.txt").render(**context)
    subject, _, body = text.partition("\n")
    return subject.strip()[:SUBJECT_CHARS], body.strip("\n") + "\n"


def local_time(settings: Settings, moment: datetime | None) -> str:
    """A moment as the centre's local time, e.g. '05.11.2025 11:00'."""
    if moment is None:
        return "—"
    zone_name = settings.calendar.timezone or settings.timezone
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%d.%m.%Y %H:%M}"


def duration_words(delta: timedelta) -> str:
    """A short Russian duration: '1 ч 30 мин', '45 мин'."""
    minutes = max(0, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} ч {minutes} мин"
    return f"{hours} ч" if hours else f"{minutes} мин"


def incident_context(settings: Settings, incident: Any, recipient_name: str | None) -> dict:
    """What templates show of an incident."""
    sectors = {sector.code: sector.name for sector in settings.sectors}
    base = settings.notify.web_base_url
    return {
        "id": incident.id,
        "title": incident.title,
        "sector_name": sectors.get(incident.sector, incident.sector),
        "risk_name": RISK_NAMES.get(incident.risk, incident.risk),
        "territory": incident.territory,
        "recipient_name": recipient_name or "не назначен",
        "first_response_due": local_time(settings, incident.first_response_due),
        "final_answer_due": local_time(settings, incident.final_answer_due),
        "link": f"{base.rstrip('/')}/incidents/{incident.id}" if base else None,
    }
