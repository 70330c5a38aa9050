"""Benchmark how long an officer's action waits while a big deadline tick runs (SQLite).

    python bench/tick_wait.py [--incidents 20000] [--database URL]

A separate process runs `tick` over many open incidents (overdue marks, escalations,
notifications); meanwhile this process assigns one incident after another, as an officer
would, and times each action. Prints the tick's length, its longest write transaction
(how long it held SQLite's write lock) and the officer's waits: median, 95th percentile
and maximum. Without `--database` a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.tick import fill  # noqa: E402
from monitor.config import Settings, load_settings  # noqa: E402
from monitor.context import Context  # noqa: E402
from monitor.incidents.deadlines import tick  # noqa: E402
from monitor.incidents.service import assign  # noqa: E402
from monitor.store import make_engine, upgrade  # noqa: E402

NOW = datetime(2025, 11, 5, 9, 30, tzinfo=UTC)
PAUSE_SECONDS = 0.05  # the officer's think time between two actions


def bench_settings(url: str) -> Settings:
    """The shipped config with e-mail on, so that the tick renders and stores notifications."""
    settings = load_settings(ROOT / "config.yaml", database_url=url)
    for recipient in settings.recipients:
        recipient.email = f"{recipient.code}@example.ru"
    settings.notify.email.enabled = True
    return settings


def run_tick(url: str, results) -> None:
    """The tick in its own process; records its length and its longest write transaction."""
    ctx = Context(settings=bench_settings(url))
    held: list[float] = []
    opened: dict[int, float] = {}

    @event.listens_for(ctx.engine, "before_cursor_execute")
    def first_write(connection, cursor, statement, parameters, context, executemany):
        # pysqlite opens the transaction (and takes the write lock) at the first write.
        if not statement.lstrip().upper().startswith("SELECT"):
            opened.setdefault(id(connection), time.perf_counter())

    @event.listens_for(ctx.engine, "commit")
    def committed(connection):
        started = opened.pop(id(connection), None)
        if started is not None:
            held.append(time.perf_counter() - started)

    started = time.perf_counter()
    report = tick(ctx, NOW)
    results.put((time.perf_counter() - started, max(held, default=0.0), len(held), report))


def officer(url: str, incident_count: int, worker: multiprocessing.Process) -> list[float]:
    """Assign incidents one after another while the tick runs; the seconds each took."""
    settings = bench_settings(url)
    engine = make_engine(url)
    codes = [recipient.code for recipient in settings.recipients]
    waits = []
    number = 0
    while worker.is_alive():
        number += 1
        incident_id = 1 + (number * 7919) % incident_count
        started = time.perf_counter()
        assign(
            engine,
            incident_id,
            codes[number % len(codes)],
            actor="bench-officer",
            now=NOW,
        )
        waits.append(time.perf_counter() - started)
        time.sleep(PAUSE_SECONDS)
    engine.dispose()
    return waits


def main() -> None:
    """Fill the store, run the tick and the officer side by side, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--database", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade(make_engine(url))
    fill(Context(settings=bench_settings(url)), args.incidents, NOW)
    print(f"stored {args.incidents} open incidents")

    results: multiprocessing.Queue = multiprocessing.Queue()
    worker = multiprocessing.get_context("fork").Process(target=run_tick, args=(url, results))
    worker.start()
    waits = officer(url, args.incidents, worker)
    worker.join()
    seconds, longest, transactions, report = results.get()
    print(f"tick: {seconds:.1f} s, {transactions} write transactions, longest {longest:.3f} s")
    print(f"  {report}")
    if not waits:
        print("the tick ended before the officer's first action")
        return
    waits.sort()
    p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
    print(
        f"officer's actions during the tick: {len(waits)}; wait median "
        f"{statistics.median(waits):.3f} s, p95 {p95:.3f} s, max {waits[-1]:.3f} s"
    )


if __name__ == "__main__":
    main()
