"""Response deadlines of an incident (first cut: wall-clock hours by risk).

The deadlines issue replaces this with working time on the production calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.config import Settings

FIRST_RESPONSE_HOURS = {"critical": 1, "high": 4, "medium": 8, "low": 24}
FINAL_ANSWER_DAYS = 7


def initial_deadlines(settings: Settings, *, risk: str, sector: str,
                      recipient_code: str | None, registered_at: datetime
                      ) -> tuple[datetime, datetime]:
    """First-response and final-answer deadlines for an incident registered at a moment."""
    first = registered_at + timedelta(hours=FIRST_RESPONSE_HOURS.get(risk, 24))
    return first, first + timedelta(days=FINAL_ANSWER_DAYS)
