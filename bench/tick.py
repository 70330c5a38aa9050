"""Benchmark the deadline check: `tick` over many open incidents, then a no-op re-run.

    python bench/tick.py [--incidents 10000] [--database URL]

Prints seconds for the first tick (marks overdue, escalates, queues notifications), a
second tick at the same moment (changes nothing), and working-time additions per second.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import load_settings  # noqa: E402
from monitor.context import Context  # noqa: E402
from monitor.incidents import sla  # noqa: E402
from monitor.incidents.calendar import calendar_for  # noqa: E402
from monitor.incidents.deadlines import tick  # noqa: E402
from monitor.incidents.routing import recipient_id, sync_recipients  # noqa: E402
from monitor.store import make_engine, upgrade  # noqa: E402
from monitor.store.tables import incidents  # noqa: E402

RISKS = ("low", "medium", "high", "critical")
RISK_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def fill(ctx: Context, count: int, start: datetime) -> None:
    """Store `count` open incidents registered over the 30 days before `start`."""
    settings = ctx.settings
    with ctx.db.begin() as connection:
        sync_recipients(connection, settings)
        codes = [r.code for r in settings.recipients]
        ids = {code: recipient_id(connection, code) for code in codes}
        rows = []
        for number in range(count):
            registered = start - timedelta(minutes=(number * 4817) % (30 * 24 * 60))
            risk = RISKS[number % 4]
            code = codes[number % len(codes)]
            first, final = sla.initial_deadlines(
                settings, risk=risk, sector="roads", recipient_code=code, registered_at=registered
            )
            rows.append(
                {
                    "title": f"Инцидент {number}",
                    "sector": "roads",
                    "risk": risk,
                    "risk_rank": RISK_RANK[risk],
                    "status": "assigned",
                    "recipient_id": ids[code],
                    "created_at": registered,
                    "updated_at": registered,
                    "last_post_at": registered,
                    "first_response_due": first,
                    "final_answer_due": final,
                }
            )
        connection.execute(insert(incidents), rows)


def main() -> None:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--database", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    url = args.database or f"sqlite:///{folder}/bench.db"
    upgrade(make_engine(url))
    settings = load_settings(ROOT / "config.yaml", database_url=url)
    for recipient in settings.recipients:
        recipient.email = f"{recipient.code}@example.ru"
    settings.notify.email.enabled = True
    ctx = Context(settings=settings)
    now = datetime(2025, 11, 5, 9, 30, tzinfo=UTC)
    started = time.perf_counter()
    fill(ctx, args.incidents, now)
    elapsed = time.perf_counter() - started
    print(f"stored {args.incidents} incidents with deadlines: {elapsed:.2f} s")

    started = time.perf_counter()
    report = tick(ctx, now)
    print(f"first tick: {time.perf_counter() - started:.2f} s ({report})")
    started = time.perf_counter()
    report = tick(ctx, now)
    print(f"second tick, same moment: {time.perf_counter() - started:.2f} s ({report})")

    calendar = calendar_for(settings)
    moments = [now + timedelta(minutes=17 * n) for n in range(20_000)]
    started = time.perf_counter()
    for moment in moments:
        calendar.add(moment, timedelta(hours=24))
    elapsed = time.perf_counter() - started
    print(f"calendar.add(24 working hours): {len(moments) / elapsed:,.0f} per second")


if __name__ == "__main__":
    main()
