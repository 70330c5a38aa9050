"""Processing speed: posts per second end to end (classify + group + route + deadlines).

    python bench/process.py [--posts N]

The stream mixes the labelled corpus (about 1 post in 20 relevant, as in real monitoring)
with the shipped sample; every post gets a unique id, so everything is processed.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.cli.core import init_store
from monitor.context import Context
from monitor.ingest import ingest_file
from monitor.pipeline import process_pending

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "classifier" / "data" / "parts"


def stream(count: int) -> list[dict]:
    rows = [
        json.loads(line)
        for path in sorted(PARTS.glob("*.jsonl"))
        for line in path.open(encoding="utf-8")
    ]
    relevant = [r for r in rows if r["relevant"]]
    other = [r for r in rows if not r["relevant"]]
    rng = random.Random(7)
    start = datetime(2026, 11, 16, tzinfo=UTC)
    out = []
    for n in range(count):
        row = rng.choice(relevant) if rng.random() < 0.05 else rng.choice(other)
        out.append(
            {
                "id": f"bench:{n}",
                "source": row["source"],
                "text": row["text"],
                "published_at": (start + timedelta(seconds=30 * n)).isoformat(),
                "territory": rng.choice(["Шебекино", "Губкин", "Белгород", None]),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stream.jsonl"
        path.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in stream(args.posts)),
            encoding="utf-8",
        )
        ctx = Context.open(ROOT / "config.yaml", f"sqlite:///{folder}/bench.db")
        init_store(ctx)
        ingest_file(ctx.db, path, replay=True)
        loaded = time.perf_counter()
        # The model and the entity tagger load once per process, outside the timing
        # (as in bench.classify): the tagger would otherwise load on the first relevant post.
        ctx.classifier.warm_up()
        model_load = time.perf_counter() - loaded
        started, cpu = time.perf_counter(), time.process_time()
        report = process_pending(ctx, now=datetime(2026, 12, 1, tzinfo=UTC))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = report.classified / elapsed
    # CPU time of this process (all its threads): the rate a machine to itself would give
    # when the wall clock is shared with other work.
    print(
        f"process of {report.classified} posts ({report.relevant} relevant, "
        f"{report.incidents_created} incidents): {rate:.0f} posts/s end to end "
        f"({elapsed:.1f} s; model load {model_load:.1f} s); target 500: {rate / 500:.2f}x; "
        f"by CPU time {report.classified / cpu:.0f} posts/s ({cpu:.1f} s)"
    )


if __name__ == "__main__":
    main()
