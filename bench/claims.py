"""How the claim of a processing batch scales with the posts already classified (PostgreSQL).

    python -m bench.claims [--stored 100000,1000000] [--pending 1000]

Fills a fresh database with N classified posts (generate_series, no model) and `--pending`
new ones, then times `claim_posts` (one batch of 100, as a worker's task does) and the
`dispatch_process` count. Uses OTKLIK_BENCH_POSTGRES_URL like bench.workers.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from sqlalchemy import text, update

from bench.workers import fresh_database
from monitor.store import make_engine
from monitor.store.claims import claim_posts, waiting_count
from monitor.store.tables import pending_posts

FILL = """
INSERT INTO sources (id, name, kind, created_at) VALUES (1, 'bench', 'vk', now());
INSERT INTO posts (source_id, external_id, network, published_at, collected_at, text)
SELECT 1, 'p' || n, 'vk', now() - (:total - n) * interval '1 second', now(), 'текст ' || n
FROM generate_series(1, :total) AS n;
INSERT INTO classifications (post_id, model_version, relevant, relevance_proba, classified_at)
SELECT id, 'bench', false, 0.1, now() FROM posts WHERE id <= :done;
DELETE FROM pending_posts WHERE post_id <= :done
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stored", default="100000,1000000")
    parser.add_argument("--pending", type=int, default=1000)
    args = parser.parse_args()
    for stored in [int(n) for n in args.stored.split(",")]:
        engine = make_engine(fresh_database())
        with engine.begin() as connection:
            for statement in FILL.strip().split(";\n"):
                connection.execute(
                    text(statement), {"total": stored + args.pending, "done": stored}
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # as autovacuum would, over time
        now = datetime.now(UTC)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            taken = claim_posts(engine, "bench", 100, now=now, lease_seconds=60)
            timings.append(time.perf_counter() - started)
            assert len(taken) == 100
            with engine.begin() as connection:
                connection.execute(update(pending_posts).values(owner=None, expires_at=None))
        started = time.perf_counter()
        with engine.connect() as connection:
            waiting = waiting_count(connection, now)
        counted = time.perf_counter() - started
        print(
            f"{stored:,} classified + {args.pending:,} new posts: claim of 100 "
            f"{min(timings) * 1000:.0f} ms (best of 5), dispatch count {counted * 1000:.0f} ms "
            f"({waiting} waiting)"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
