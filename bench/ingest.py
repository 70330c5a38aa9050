"""Ingest speed: posts per second into SQLite and PostgreSQL (100,000 posts by default).

    python bench/ingest.py [--posts N] [--postgres URL]

PostgreSQL defaults to OTKLIK_TEST_POSTGRES_URL; a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.synthetic import posts
from monitor.ingest import ingest_file
from monitor.store import make_engine, upgrade


def write_jsonl(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in posts(count):
            handle.write(
                json.dumps(
                    {
                        "id": record.external_id,
                        "source": "vk",
                        "text": record.text,
                        "published_at": record.published_at.isoformat(),
                        "author": {"id": record.author.id, "audience": record.author.audience},
                        "reach": {"views": record.reach.views, "likes": record.reach.likes},
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def measure(url: str, path: Path, count: int) -> float:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    report = ingest_file(engine, path, source_name="bench")
    elapsed = time.perf_counter() - started
    assert report.stored.inserted == count, report
    started_again = time.perf_counter()
    again = ingest_file(engine, path, source_name="bench")
    elapsed_again = time.perf_counter() - started_again
    assert again.stored.inserted == 0
    engine.dispose()
    print(
        f"  {make_url(url).get_backend_name():<10} first run {count / elapsed:8.0f} posts/s"
        f"  ({elapsed:.1f} s); re-run (all known) {count / elapsed_again:8.0f} posts/s"
    )
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("OTKLIK_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "posts.jsonl"
        write_jsonl(path, args.posts)
        print(f"ingest of {args.posts} posts (target >= 5000 posts/s on SQLite)")
        rate = measure(f"sqlite:///{folder}/bench.db", path, args.posts)
        print(f"  SQLite ratio to target: {rate / 5000:.2f}x")
        if args.postgres:
            admin = create_engine(
                make_url(args.postgres).set(drivername="postgresql+psycopg"),
                isolation_level="AUTOCOMMIT",
            )
            name = f"otklik_bench_{os.getpid()}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                measure(
                    make_url(args.postgres)
                    .set(database=name)
                    .render_as_string(hide_password=False),
                    path,
                    args.posts,
                )
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
