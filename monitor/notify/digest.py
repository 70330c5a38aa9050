"""The daily digest: each recipient's open, overdue and due-today incidents, once a day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from functools import partial

from monitor.config import Settings
from monitor.incidents.calendar import calendar_for
from monitor.incidents.escalation import outstanding
from monitor.notify.outbox import Addressee, Outbox
from monitor.notify.templates import local_time

LISTED = 20


def plan_digests(
    settings: Settings,
    open_incidents: Sequence,
    recipients_by_id: Mapping[int, Addressee],
    outbox: Outbox,
    now: datetime,
) -> None:
    """Plan today's digest for each recipient with open incidents, once the hour has come."""
    calendar = calendar_for(settings)
    local_now = now.astimezone(calendar.zone)
    hours, minutes = (int(part) for part in settings.notify.digest_at.split(":"))
    if not calendar.is_working_day(local_now.date()) or local_now.time() < time(hours, minutes):
        return
    day_end = datetime.combine(local_now.date() + timedelta(days=1), time(), tzinfo=calendar.zone)
    by_recipient: dict[int, list] = defaultdict(list)
    for incident in open_incidents:
        if incident.recipient_id in recipients_by_id:
            by_recipient[incident.recipient_id].append(incident)
    day = f"{local_now:%d.%m.%Y}"
    for recipient_id, mine in by_recipient.items():
        addressee = recipients_by_id[recipient_id]
        overdue, due_today = [], []
        for incident in mine:
            owed = outstanding(incident)
            if owed is None or incident.status == "waiting":
                continue
            item = {
                "id": incident.id,
                "title": incident.title,
                "due": local_time(settings, owed.due),
            }
            if owed.due < now:
                overdue.append((owed.due, item))
            elif owed.due < day_end:
                due_today.append((owed.due, item))
        overdue.sort(key=lambda pair: pair[0])
        due_today.sort(key=lambda pair: pair[0])
        context = {
            "day": day,
            "open_count": len(mine),
            "waiting_count": sum(1 for incident in mine if incident.status == "waiting"),
            "overdue": [item for _, item in overdue[:LISTED]],
            "due_today": [item for _, item in due_today[:LISTED]],
            "overdue_count": len(overdue),
            "due_today_count": len(due_today),
            "more": max(0, len(overdue) - LISTED) + max(0, len(due_today) - LISTED),
        }
        outbox.add(
            "digest",
            f"{addressee.code}:{local_now.date().isoformat()}",
            addressee,
            incident_id=None,
            context=partial(dict, context),
        )
