"""Scale-out: posts/s through collect → process with 1, 2, 4 Celery workers over PostgreSQL.

    python -m bench.workers [--posts N] [--workers 1,2,4] [--batch 100]

The same posts are read by `file` sources (four JSONL files) and processed three ways, each
on a fresh PostgreSQL database: in one process without a queue (`collect_pass` then
`process_pending`, the embedded path), then by W `otklik worker` processes (one pool process
each) fed by `dispatch_collect` and `dispatch_process` through a private redis-server. Model
loading and worker start are outside the timings. Also measured: the queue's own cost per
task (a task that finds nothing to do: broker round trip, ack, claim query) and so per post.
Set OTKLIK_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test) for the
server; the bench creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.process import stream
from monitor.collectors.runner import collect_pass, toolkit
from monitor.context import Context
from monitor.pipeline import process_pending
from monitor.store import make_engine, upgrade
from monitor.store.tables import classifications, posts, step_runs
from monitor.workers import tasks
from tests.worker_procs import RedisBroker, Workers, ready, wait_for

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("OTKLIK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
NAME = "otklik_bench_workers"
FILES = 4


def fresh_database() -> str:
    """Drop and create the bench database; returns its migrated URL."""
    admin = create_engine(
        make_url(SERVER).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{NAME}"'))
    admin.dispose()
    url = make_url(SERVER).set(database=NAME).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def write_inputs(folder: Path, count: int, batch: int, broker: str) -> Path:
    """The posts as four JSONL files, and a config reading them as `file` sources."""
    rows = stream(count)
    sources = []
    for part in range(FILES):
        path = folder / f"part{part}.jsonl"
        chunk = rows[part::FILES]
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in chunk) + "\n")
        sources.append({"name": f"file-{part}", "kind": "file", "address": str(path)})
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config["sources"] = sources
    config["classifier"]["model"] = str(ROOT / "models" / "default")
    config["classifier"]["batch_size"] = batch
    config["workers"].update(broker_url=broker, max_fanout=10_000, collect_every_seconds=3600)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def group_cpu(groups: list[int]) -> float:
    """CPU seconds used so far by every live process in these process groups."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in groups:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / tick


def backend_cpu(engine) -> float:
    """CPU seconds used by the PostgreSQL backends now serving the bench database."""
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": NAME}
        ).scalars()
        pids = set(pids)
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a server on another machine: not measured
        total += int(fields[11]) + int(fields[12])
    return total / tick


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def embedded(config: Path, total: int) -> float:
    """Seconds for collect + process in this process, no queue."""
    ctx = Context.open(config, fresh_database())
    ctx.classifier.warm_up()
    started, cpu = time.perf_counter(), time.process_time()
    with toolkit(ctx.settings) as tools:
        collect_pass(ctx.db, ctx.settings, ctx.settings.sources, tools)
    report = process_pending(ctx)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report.classified == total, report
    ctx.engine.dispose()
    return elapsed, cpu


def distributed(folder: Path, config: Path, broker: RedisBroker, workers: int, total: int):
    """Seconds for collect + process by `workers` worker processes; and per empty task."""
    url = fresh_database()
    engine = make_engine(url)
    pool = Workers(folder, config, url, broker.url)
    settings = Context.open(config, url).settings
    tasks.configure(settings, str(config), url)
    try:
        logs = [pool.start("--concurrency", "1")[1] for _ in range(workers)]
        wait_for(lambda: all(ready(log) for log in logs), 600, "workers to start")
        groups = [process.pid for process, _log in pool.started]
        cpu_before = group_cpu(groups)
        started = time.perf_counter()
        tasks.dispatch_collect.apply_async()
        wait_for(lambda: count(engine, posts) == total, 600, "collection")
        collected = time.perf_counter() - started
        tasks.dispatch_process.apply_async()
        wait_for(lambda: count(engine, classifications) == total, 1200, "processing")
        elapsed = time.perf_counter() - started
        cpu = group_cpu(groups) - cpu_before
        # Backends of the workers' pooled connections, alive since their first task.
        database_cpu = backend_cpu(engine)
        # The queue alone: tasks with nothing to claim (a round trip, an ack, one query).
        empty = 200
        runs_before = _process_runs(engine)
        empty_cpu = group_cpu(groups)
        for _ in range(empty):
            tasks.process_batch.apply_async()
        wait_for(lambda: _process_runs(engine) >= runs_before + empty, 600, "empty tasks")
        per_task = (group_cpu(groups) - empty_cpu) / empty
    finally:
        pool.stop_all()
        engine.dispose()
    return elapsed, collected, cpu, database_cpu, per_task


def _process_runs(engine) -> int:
    with engine.connect() as connection:
        return (
            connection.execute(
                select(step_runs.c.runs).where(step_runs.c.step == "process")
            ).scalar()
            or 0
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        broker = RedisBroker(folder)
        broker.start()
        try:
            config = write_inputs(folder, args.posts, args.batch, broker.url)
            base, base_cpu = embedded(config, args.posts)
            ms = 1000 / args.posts
            print(
                f"one process, no queue: {args.posts / base:.0f} posts/s "
                f"({base:.1f} s for {args.posts} posts, batch {args.batch}); "
                f"CPU {base_cpu * ms:.2f} ms/post; "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
            )
            for workers in [int(w) for w in args.workers.split(",")]:
                elapsed, collected, cpu, database_cpu, per_task = distributed(
                    folder, config, broker, workers, args.posts
                )
                print(
                    f"{workers} worker process(es): {args.posts / elapsed:.0f} posts/s "
                    f"({elapsed:.1f} s, of which collect {collected:.1f} s; "
                    f"{base / elapsed:.2f}x one process); worker CPU {cpu * ms:.2f} ms/post "
                    f"(+{(cpu - base_cpu) * ms:.2f} over one process), PostgreSQL backends "
                    f"{database_cpu * ms:.2f} ms/post; an empty task "
                    f"{per_task * 1000:.1f} ms CPU = {per_task * 1000 / args.batch:.2f} ms "
                    f"per post at batch {args.batch}; load average {os.getloadavg()[0]:.1f}"
                )
        finally:
            broker.stop()
            admin = create_engine(
                make_url(SERVER).set(drivername="postgresql+psycopg"),
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
