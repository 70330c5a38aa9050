"""Queue latency: p50/p95 of `queue` filters with 1,000,000 posts stored (target p95 < 50 ms).

    python -m bench.queue_latency [--posts N] [--incidents N] [--database URL]

Posts and incidents are synthetic (volume, not language); every incident links one post.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert, select

from bench.synthetic import START, posts
from classifier.corpus import SECTORS
from monitor.config import load_settings
from monitor.incidents.lifecycle import RISK_RANK, STATUSES
from monitor.incidents.queue import QueueFilter, list_incidents
from monitor.incidents.routing import sync_recipients
from monitor.store import make_engine, upgrade
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import incident_posts, incident_sources, incidents, recipients
from monitor.store.tables import posts as posts_table

TERRITORIES = ["Белгород", "Старый Оскол", "Губкин", "Шебекино", "Валуйки", "Короча", None]


def fill(engine, settings, n_posts: int, n_incidents: int) -> None:
    with engine.begin() as connection:
        sync_recipients(connection, settings)
        source_id = ensure_source(connection, "bench", "vk")
        recipient_ids = connection.execute(select(recipients.c.id)).scalars().all()
    step = 50_000
    for first in range(0, n_posts, step):
        with engine.begin() as connection:
            store_posts(
                connection,
                source_id,
                posts(min(step, n_posts - first), seed=first, prefix=f"b{first}"),
            )
        print(f"  stored {min(first + step, n_posts)} posts", flush=True)
    rng = random.Random(3)
    with engine.begin() as connection:
        post_ids = connection.execute(select(posts_table.c.id).limit(n_incidents)).scalars().all()
        rows, links = [], []
        for n, post_id in enumerate(post_ids):
            created = START + timedelta(seconds=rng.randint(0, 365 * 86400))
            risk = rng.choices(list(RISK_RANK), weights=[30, 45, 20, 5])[0]
            status = rng.choices(STATUSES, weights=[5, 10, 10, 2, 20, 50, 3])[0]
            rows.append(
                {
                    "id": n + 1,
                    "title": f"Инцидент {n}",
                    "sector": rng.choice(SECTORS),
                    "risk": risk,
                    "risk_rank": RISK_RANK[risk],
                    "territory": rng.choice(TERRITORIES),
                    "status": status,
                    "recipient_id": rng.choice(recipient_ids),
                    "created_at": created,
                    "updated_at": created,
                    "last_post_at": created,
                    "first_response_due": created + timedelta(hours=rng.choice([1, 4, 8, 24])),
                    "final_answer_due": created + timedelta(days=9),
                }
            )
            links.append(
                {"incident_id": n + 1, "post_id": post_id, "role": "origin", "added_at": created}
            )
        connection.execute(insert(incidents), rows)
        connection.execute(insert(incident_posts), links)
        # What grouping.link_post writes next to each link: all posts here come from one source.
        connection.execute(
            insert(incident_sources),
            [{"incident_id": link["incident_id"], "source_id": source_id} for link in links],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=50_000)
    parser.add_argument("--database")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/queue.db"
        engine = make_engine(url)
        upgrade(engine)
        settings = load_settings("config.yaml")
        print(f"filling {url}: {args.posts} posts, {args.incidents} incidents")
        fill(engine, settings, args.posts, args.incidents)
        now = START + timedelta(days=200)
        filters = {
            "default (open)": QueueFilter(),
            "sector": QueueFilter(sector="housing"),
            "risk": QueueFilter(risk="critical"),
            "territory": QueueFilter(territory="Шебекино"),
            "recipient": QueueFilter(recipient="minzhkh"),
            "overdue": QueueFilter(overdue=True),
            "all statuses, page 20": QueueFilter(status="all", offset=1000),
            "closed + sector + territory": QueueFilter(
                status="closed", sector="roads", territory="Губкин"
            ),
            "source": QueueFilter(source="bench"),
            "text search": QueueFilter(search="Инцидент 4"),
        }
        timings: list[float] = []
        print(f"{'filter':<30} {'p50 ms':>8} {'p95 ms':>8}")
        with engine.connect() as connection:
            for name, flt in filters.items():
                samples = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    list_incidents(connection, flt, now)
                    samples.append((time.perf_counter() - started) * 1000)
                samples.sort()
                timings += samples
                print(
                    f"{name:<30} {statistics.median(samples):8.1f} "
                    f"{samples[int(0.95 * len(samples)) - 1]:8.1f}"
                )
        timings.sort()
        p95 = timings[int(0.95 * len(timings)) - 1]
        print(
            f"all filters: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms; "
            f"target p95 50 ms: {50 / p95:.2f}x headroom"
        )


if __name__ == "__main__":
    main()
