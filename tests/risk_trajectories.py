"""Generated reach trajectories: ordinary posts of many sources, and planted fast spreads.

An ordinary post gathers views as F·(1 − e^(−t/τ)) with noise: F is the source's usual
reach times a lognormal factor (some posts do better than others), τ a few hours; a read
every `poll_minutes` for 48 hours stores a point only when the counter changed, as the
store does. A planted spread adds k·F more views within about an hour, from some age on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monitor.risks.spread import Trajectory

HOUR = 3600.0


@dataclass(frozen=True)
class SourceShape:
    """A source: its id, typical final views, how much its posts differ, how many posts."""

    source_id: int
    typical: float
    spread: float
    posts: int


def ordinary_sources(posts: int = 1000) -> list[SourceShape]:
    """Ten sources of very different sizes, one of them big but steady (200,000 a post)."""
    typicals = [200_000, 30_000, 8_000, 3_000, 1_500, 800, 400, 200, 100, 50]
    each = posts // len(typicals)
    return [
        SourceShape(
            number + 1,
            typical,
            0.25 if typical == 200_000 else 0.8,
            each + (number == 0) * (posts - each * len(typicals)),
        )
        for number, typical in enumerate(typicals)
    ]


def trajectory(
    rng: np.random.Generator,
    post_id: int,
    source: SourceShape,
    *,
    start: float = 0.0,
    poll_minutes: float = 15,
    hours: float = 48,
    plant_at: float | None = None,
    plant_factor: float = 10.0,
) -> Trajectory:
    """One post's stored points; with `plant_at` (hours) a fast spread begins then."""
    final = source.typical * math.exp(rng.normal(0, source.spread))
    tau = HOUR * math.exp(rng.normal(math.log(5), 0.35))
    offset = rng.uniform(0, poll_minutes * 60)  # the first read falls anywhere in a poll
    moments = start + offset + np.arange(0, hours * HOUR, poll_minutes * 60)
    age = moments - start
    views = final * (1 - np.exp(-age / tau)) * np.exp(rng.normal(0, 0.02, len(age)))
    if plant_at is not None:
        late = np.clip(age - plant_at * HOUR, 0, None)
        views = views + plant_factor * final * (1 - np.exp(-late / (0.7 * HOUR)))
    counts = np.maximum.accumulate(np.floor(views))
    keep = np.concatenate(([True], np.diff(counts) != 0))  # only reads that changed something
    return Trajectory(
        post_id, source.source_id, start, moments[keep].tolist(), counts[keep].tolist()
    )


def ordinary_region(seed: int = 7, posts: int = 1000, poll_minutes: float = 15) -> list[Trajectory]:
    """`posts` ordinary trajectories over ten sources, published across one day."""
    rng = np.random.default_rng(seed)
    result = []
    post_id = 0
    for source in ordinary_sources(posts):
        for _ in range(source.posts):
            post_id += 1
            start = rng.uniform(0, 24 * HOUR)
            result.append(trajectory(rng, post_id, source, start=start, poll_minutes=poll_minutes))
    return result


def with_planted(
    ordinary: list[Trajectory], seed: int = 11, count: int = 50, factor: float = 10.0
) -> tuple[list[Trajectory], set[int]]:
    """The ordinary region plus `count` planted spreads in its sources; their post ids."""
    rng = np.random.default_rng(seed)
    sources = {source.source_id: source for source in ordinary_sources(len(ordinary))}
    planted = []
    first = max(t.post_id for t in ordinary) + 1
    for number in range(count):
        source = sources[int(rng.integers(1, len(sources) + 1))]
        planted.append(
            trajectory(
                rng,
                first + number,
                source,
                start=rng.uniform(0, 24 * HOUR),
                plant_at=float(rng.uniform(1, 12)),
                plant_factor=factor,
            )
        )
    return ordinary + planted, {t.post_id for t in planted}
