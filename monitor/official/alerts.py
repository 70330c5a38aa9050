"""Notifying a page's recipient of residents' signals under its own posts left unanswered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from monitor.analytics.period import Period
from monitor.context import Context
from monitor.notify.outbox import Addressee, Outbox
from monitor.notify.templates import duration_words, local_time
from monitor.official.stats import page_stats
from monitor.store.tables import recipients

LOOK_BACK_DAYS = 7  # older signals are history for the page's rating, not an alert


def queue_unanswered(ctx: Context, now: datetime | None = None) -> int:
    """Queue one notification per signal unanswered past `official_pages.unanswered_hours`."""
    now = now or ctx.now()
    settings = ctx.settings
    limit = timedelta(hours=settings.official_pages.unanswered_hours)
    zone = settings.calendar.timezone or settings.timezone
    local = now.astimezone(Period(now.date(), now.date(), zone).tz).date()
    period = Period(local - timedelta(days=LOOK_BACK_DAYS), local, zone)
    outbox = Outbox(settings, now)
    with ctx.db.begin() as connection:
        addressees = {
            row.code: Addressee(row.id, row.code, row.name, row.email, row.telegram_chat_id)
            for row in connection.execute(select(recipients))
        }
        for page in settings.official_pages.pages:
            stats = page_stats(connection, settings, page, period)
            for signal in stats.unanswered:
                if now - signal.at < limit:
                    continue
                context = {
                    "page": page.name,
                    "at": local_time(settings, signal.at),
                    "waited": duration_words(now - signal.at),
                    "text": signal.text[:500],
                    "url": signal.url,
                }
                outbox.add(
                    "official_unanswered",
                    f"{page.name}:{signal.post_id}",
                    addressees.get(page.recipient),
                    incident_id=None,
                    context=lambda context=context: context,
                )
        return outbox.flush(connection)
