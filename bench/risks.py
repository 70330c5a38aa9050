"""Information risks at a large region's scale: scoring time for a day, reach history size.

    python -m bench.risks [--posts 50000] [--sources 300] [--postgres URL] [--skip-negativity]

A day of `--posts` posts over `--sources` sources of very different sizes (typical reach
from 50 to 200,000 views), each read every 15 minutes and stored as the store does (a point
only when a counter changed); 20 planted fast spreads and 20 stories copied into 6 sources.
The rows go straight into a fresh database (SQLite file by default), then one
`otklik risks scan` runs, timed step by step. The history is then measured (bytes per point
from the file or table size), pruned as it would be after `full_days`, and the size of a
year of such a region is stated from the measured bytes and the pruning's points per post.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select, text

from monitor.config import load_settings
from monitor.context import Context
from monitor.risks.copies import find_stories
from monitor.risks.history import load_trajectories, prune_history
from monitor.risks.negativity import detect_negativity, load_negativity_model
from monitor.risks.scan import copy_candidates, spread_findings, story_finding
from monitor.risks.store import save_findings
from monitor.store import make_engine, upgrade
from monitor.store.tables import posts, reach_history, sources
from tests.risk_trajectories import HOUR, SourceShape, trajectory

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHUNK = 20_000


def words() -> list[str]:
    """Russian words for texts: the vocabulary of the Stavropol pool."""
    path = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "vk_stav_pool.jsonl"
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        found.update(w.strip('.,!?()«»"').lower() for w in line.split())
    return sorted(w for w in found if len(w) > 4 and w.isalpha())


def region(count: int, source_count: int, seed: int = 3):
    """Sources, and per post: source, publication, text, stored (time, views) points."""
    rng = np.random.default_rng(seed)
    pyrng = random.Random(seed)
    typical = np.exp(rng.uniform(math.log(50), math.log(200_000), source_count))
    shapes = [SourceShape(n + 1, float(t), 0.8, 0) for n, t in enumerate(typical)]
    weights = np.sqrt(typical) / np.sqrt(typical).sum()  # bigger sources post more
    vocabulary = words()
    start = (NOW - timedelta(hours=24)).timestamp()
    stories = [" ".join(pyrng.sample(vocabulary, 14)) for _ in range(20)]
    result = []
    for number in range(count):
        shape = shapes[int(rng.choice(source_count, p=weights))]
        published = start + float(rng.uniform(0, 24 * HOUR))
        if 20 <= number < 140:  # a story's copies appear within 3 hours of its first
            published = start + (number - 20) // 6 * HOUR + float(rng.uniform(0, 3 * HOUR))
        planted = number < 20
        path = trajectory(
            rng,
            number + 1,
            shape,
            start=published,
            hours=max((NOW.timestamp() - published) / HOUR, 0.3),
            plant_at=float(rng.uniform(1, 6)) if planted else None,
        )
        if 20 <= number < 140:  # 20 stories, each in 6 sources
            body = stories[(number - 20) // 6] + " " + pyrng.choice(vocabulary)
            shape = shapes[(number * 7) % source_count]
        else:
            body = " ".join(pyrng.sample(vocabulary, 12))
        result.append((shape.source_id, published, body, path))
    return shapes, result


def fill(engine, shapes, rows) -> int:
    """Write sources, posts and their history in bulk; returns the number of points."""
    points = 0
    with engine.begin() as connection:
        connection.execute(
            insert(sources),
            [
                {"id": s.source_id, "name": f"src{s.source_id}", "kind": "vk", "created_at": NOW}
                for s in shapes
            ],
        )
        post_rows, history = [], []
        for number, (source_id, published, body, path) in enumerate(rows, start=1):
            at = datetime.fromtimestamp(published, UTC)
            post_rows.append(
                {
                    "id": number,
                    "source_id": source_id,
                    "external_id": f"vk:{number}",
                    "network": "vk",
                    "published_at": at,
                    "collected_at": at,
                    "text": body,
                    "views": int(path.values[-1]) if path.values else None,
                }
            )
            for moment, value in zip(path.times, path.values, strict=True):
                history.append(
                    {
                        "post_id": number,
                        "at": datetime.fromtimestamp(moment, UTC),
                        "views": int(value),
                    }
                )
            if len(history) >= CHUNK:
                connection.execute(insert(posts), post_rows)
                connection.execute(insert(reach_history), history)
                points += len(history)
                post_rows, history = [], []
        if post_rows:
            connection.execute(insert(posts), post_rows)
        if history:
            connection.execute(insert(reach_history), history)
            points += len(history)
    return points


SAMPLE = 2000


def full_lives(engine, settings, source_count: int) -> tuple[float, float, float]:
    """Points per post over its whole re-read window, and after pruning; prune seconds."""
    rng = np.random.default_rng(9)
    typical = np.exp(rng.uniform(math.log(50), math.log(200_000), source_count))
    published = (NOW - timedelta(days=settings.risks.history.full_days + 1)).timestamp()
    history, first = [], 10_000_000
    post_rows = []
    for number in range(SAMPLE):
        shape = SourceShape(
            number % source_count + 1, float(typical[number % source_count]), 0.8, 0
        )
        path = trajectory(
            rng, first + number, shape, start=published, hours=settings.collectors.refresh_hours
        )
        at = datetime.fromtimestamp(published, UTC)
        post_rows.append(
            {
                "id": first + number,
                "source_id": shape.source_id,
                "external_id": f"old:{number}",
                "network": "vk",
                "published_at": at,
                "collected_at": at,
                "text": "т",
            }
        )
        history += [
            {"post_id": first + number, "at": datetime.fromtimestamp(m, UTC), "views": int(v)}
            for m, v in zip(path.times, path.values, strict=True)
        ]
    with engine.begin() as connection:
        connection.execute(insert(posts), post_rows)
        for start in range(0, len(history), CHUNK):
            connection.execute(insert(reach_history), history[start : start + CHUNK])
    began = time.perf_counter()
    for day in range(4):  # daily runs, as `otklik run` prunes, while the points age
        with engine.begin() as connection:
            prune_history(connection, settings.risks.history, NOW + timedelta(days=day))
    with engine.begin() as connection:
        kept = connection.execute(
            select(func.count()).select_from(reach_history).where(reach_history.c.post_id >= first)
        ).scalar_one()
    return len(history) / SAMPLE, kept / SAMPLE, time.perf_counter() - began


def history_bytes(engine) -> int:
    """Bytes the reach history takes with its indexes."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            return connection.execute(
                text("SELECT pg_total_relation_size('reach_history')")
            ).scalar()
        found = connection.execute(
            text("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE '%reach_history%'")
        ).scalar()
        return int(found or 0)


def timed(label: str, action):
    """Run, print the seconds, return the result."""
    began = time.perf_counter()
    result = action()
    print(f"  {label}: {time.perf_counter() - began:.1f} s")
    return result


def main() -> None:
    """Build the day, scan it, measure and prune the history."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--postgres", help="PostgreSQL URL of an empty database to use")
    parser.add_argument("--skip-negativity", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="otklik-risks-"))
    url = args.postgres or f"sqlite:///{folder / 'risks.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = load_settings(Path(__file__).resolve().parents[1] / "config.yaml", database_url=url)
    ctx = Context(settings, now_override=NOW)
    print(f"{args.posts} posts over {args.sources} sources, {engine.dialect.name}")
    shapes, rows = timed("generate", lambda: region(args.posts, args.sources))
    points = timed("write posts and history", lambda: fill(engine, shapes, rows))
    print(f"  reach points: {points} ({points / args.posts:.1f} per post in its first day)")
    since = NOW - timedelta(hours=settings.risks.spread.window_hours)
    print("scan of the day:")
    began = time.perf_counter()
    with engine.connect() as connection:
        loaded = timed("read trajectories", lambda: load_trajectories(connection, since))
        del loaded
        spread = timed(
            "spread (read again + score)",
            lambda: spread_findings(connection, settings.risks.spread, since),
        )
        candidates = timed("copies: read + lemmas", lambda: copy_candidates(connection, since))
        stories = timed("copies: stories", lambda: find_stories(candidates, settings.risks.copies))
        found = list(spread)
        negative = []
        if not args.skip_negativity:
            model = load_negativity_model(ctx)
            if model is not None:
                negative = timed(
                    "negativity (model on every text)",
                    lambda: detect_negativity(connection, settings.risks.negativity, model, since),
                )
    found += [story_finding(s, settings.risks.copies.min_sources) for s in stories] + negative
    with engine.begin() as connection:
        timed("save risks", lambda: save_findings(connection, found, NOW))
    print(f"  total: {time.perf_counter() - began:.1f} s")
    planted = {n for n in range(1, 21)}
    hits = {int(f.post_id) for f in spread} & planted
    print(
        f"found: spread {len(spread)} (planted found {len(hits)}/20, others"
        f" {len(spread) - len(hits)}), copies {len(stories)} (planted 20),"
        f" negativity {len(negative)}"
    )
    size = history_bytes(engine)
    per_point = size / points
    print(f"history: {size / 1e6:.1f} MB for {points} points = {per_point:.0f} bytes per point")
    raw, kept, pruning = full_lives(engine, settings, args.sources)
    history = settings.risks.history
    print(
        f"one post over its {settings.collectors.refresh_hours:g} h of re-reads: {raw:.1f} points;"
        f" after thinning ({history.downsample_hours:g} h steps): {kept:.1f}"
        f" (4 daily prunes, over the day's points too: {pruning:.1f} s)"
    )
    steady = args.posts * (
        history.full_days * raw + (history.retention_days - history.full_days) * kept
    )
    print(
        f"a year of this region (retention {history.retention_days:g} days, full points for"
        f" {history.full_days:g} days): about {steady / 1e6:.1f} M points ="
        f" {steady * per_point / 1e9:.2f} GB, the same after any number of years"
    )
    unpruned = args.posts * 365 * raw
    print(
        f"unpruned, a year would hold {unpruned / 1e6:.0f} M points ="
        f" {unpruned * per_point / 1e9:.0f} GB"
    )
    engine.dispose()
    if not args.postgres:
        for name in os.listdir(folder):
            os.remove(folder / name)
        os.rmdir(folder)


if __name__ == "__main__":
    main()
