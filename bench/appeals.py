"""The whole analytics on a real history: import the city portal's appeals, then each report.

    python bench/appeals.py [--file ../shared/datasets/spb_portal.jsonl] [--database URL]
                            [--limit N] [--week 2020-W47] [--now 2021-05-01T00:00:00+03:00]

Imports every appeal (`otklik import appeals`) into a scratch SQLite file (or the given
database), imports it again (nothing stored twice), then times the recipients' rating over
the whole half-year, the on-time share, satisfaction, the heat map by district and the
weekly note for one week, and prints the figures. Deadlines are the configured SLA
(`config.yaml`, risk `appeals.risk`); on-time shares are judged as of `--now`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from sqlalchemy import case, func, select

from monitor.analytics import build_weekly_note, heat_map, iso_week, recipient_ratings, write_note
from monitor.analytics.period import Period
from monitor.analytics.sql import incident_filter
from monitor.appeals.importer import import_appeals
from monitor.context import Context
from monitor.incidents.ontime import on_time_share
from monitor.store import upgrade
from monitor.store.tables import incidents, reactions

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, timings: dict[str, float], action):
    """Run `action`, record and return its result."""
    started = time.perf_counter()
    result = action()
    timings[label] = time.perf_counter() - started
    return result


def pct(value: float | None) -> str:
    """A share as a percentage."""
    return "—" if value is None else f"{100 * value:.1f} %"


def main() -> None:
    """Import, report, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--file", type=Path, default=ROOT.parent / "shared/datasets/spb_portal.jsonl"
    )
    parser.add_argument("--database", default=None)
    parser.add_argument("--limit", type=int, default=None, help="only the first N records")
    parser.add_argument("--week", default="2020-W47")
    parser.add_argument("--now", default="2021-05-01T00:00:00+03:00")
    parser.add_argument("--out", type=Path, default=None, help="where the weekly note goes")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="otklik-appeals-"))
    source = args.file
    if args.limit:
        source = scratch / "appeals.jsonl"
        with args.file.open(encoding="utf-8") as lines, source.open("w", encoding="utf-8") as out:
            for number, line in enumerate(lines):
                if number >= args.limit:
                    break
                out.write(line)
    url = args.database or f"sqlite:///{scratch / 'appeals.db'}"
    now = datetime.fromisoformat(args.now)
    ctx = Context.open(ROOT / "config.yaml", url, now)
    timings: dict[str, float] = {}
    timed("migrate", timings, lambda: upgrade(ctx.engine))
    first = timed("import", timings, lambda: import_appeals(ctx, source, now=now))
    again = timed("import again", timings, lambda: import_appeals(ctx, source, now=now))
    with ctx.db.connect() as connection:
        span = connection.execute(
            select(func.min(incidents.c.created_at), func.max(incidents.c.created_at))
        ).one()
        zone = ctx.settings.calendar.timezone or ctx.settings.timezone
        whole = Period(
            span[0].astimezone(now.tzinfo).date(), span[1].astimezone(now.tzinfo).date(), zone
        )
        statuses = Counter(
            dict(
                connection.execute(
                    select(incidents.c.status, func.count()).group_by(incidents.c.status)
                ).all()
            )
        )
        verdicts = Counter(
            dict(
                connection.execute(
                    select(reactions.c.verdict, func.count()).group_by(reactions.c.verdict)
                ).all()
            )
        )
        ratings = timed(
            "ratings (half-year)", timings, lambda: recipient_ratings(connection, whole, now=now)
        )
        on_time = timed(
            "on-time share",
            timings,
            lambda: on_time_share(connection, now=now, where=incident_filter(whole)),
        )
        c = incidents.c
        final_in_time = connection.execute(
            select(
                func.count(),
                func.sum(case((c.answered_at <= c.final_answer_due, 1), else_=0)),
            ).where(*incident_filter(whole), c.answered_at.is_not(None))
        ).one()
        heat = timed(
            "heat map (half-year)", timings, lambda: heat_map(connection, ctx.settings, whole)
        )
    week = iso_week(args.week, zone)
    note = timed(
        "weekly note: build",
        timings,
        lambda: build_weekly_note(ctx.db, ctx.settings, week, now=now),
    )
    out = args.out or scratch / f"note-{args.week}.docx"
    timed("weekly note: write docx", timings, lambda: write_note(note, out))

    print(f"Database: {url}")
    print(
        f"Import: {first.read:,} records, {first.new:,} new, {first.skipped} skipped, "
        f"{len(first.recipients_created)} answering bodies became recipients; "
        f"{first.read / timings['import']:,.0f} records/s"
    )
    print(f"Import again: {again.new} new, {again.updated} updated, {again.unchanged:,} unchanged")
    print(f"Period {whole.label()}: statuses {dict(statuses.most_common())}")
    print(f"Reactions: {dict(verdicts)}")
    print(
        f"On-time share (answered on time ÷ answered + open overdue, as of {args.now}): "
        f"{pct(on_time.share)} ({on_time.on_time:,} of {on_time.judged:,}; "
        f"open overdue {on_time.open_overdue:,})"
    )
    print(
        f"Final answer within the final deadline alone: {final_in_time[1]:,} of "
        f"{final_in_time[0]:,} answered ({pct(final_in_time[1] / final_in_time[0])})"
    )
    answered = sum(r.answered for r in ratings)
    reacted = sum(r.with_reaction for r in ratings)
    satisfied = sum(r.satisfied for r in ratings)
    reopened = sum(r.reopened for r in ratings)
    print(
        f"Satisfaction: {satisfied:,} satisfied of {reacted:,} answered with a clear reaction "
        f"({pct(satisfied / reacted if reacted else None)}); reopened {reopened:,} of {answered:,} "
        f"answered ({pct(reopened / answered if answered else None)})"
    )
    print(
        f"\nRating of {len(ratings)} answering bodies "
        "(first 8 and last 4 of those with ≥ 200 incidents):"
    )
    big = [r for r in ratings if r.incidents >= 200]
    header = (
        f"{'#':>3} {'body':60s} {'incid.':>6} {'1st resp h':>10} {'on time':>8} {'final':>7} "
        f"{'satisf.':>14} {'reopen':>7} {'fix held h':>10}"
    )
    print(header)
    for r in big if len(big) <= 12 else big[:8] + big[-4:]:
        print(
            f"{r.rank:>3} {r.name[:60]:60s} {r.incidents:>6} "
            f"{(r.median_first_response_hours or 0):>10.1f} {pct(r.on_time_share):>8} "
            f"{pct(r.answered_share):>7} "
            f"{pct(r.satisfaction_share):>8} ({r.with_reaction:>4}) {pct(r.reopened_share):>7} "
            f"{(r.median_fix_hours or 0):>10.1f}"
        )
    print(f"\nHeat map by district ({whole.label()}), top 8:")
    for district in heat.territories[:8]:
        count, before = heat.territory_total(district)
        print(f"  {district or 'не определена':20s} {count:>6,}")
    print(
        f"\nWeekly note {args.week}: {note.heat.total:,} incidents, "
        f"on time {pct(note.on_time.share)}, {len(note.ratings)} bodies rated, "
        f"growth alerts {len(note.growth.alerts)}; written to {out} "
        f"({out.stat().st_size / 1024:.0f} KB)"
    )
    print("\nTimings (s, 2 shared cores):")
    for label, seconds in timings.items():
        print(f"  {label:28s} {seconds:8.2f}")


if __name__ == "__main__":
    main()
