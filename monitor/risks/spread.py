"""Fast spread: a post whose reach grows far faster than is usual for its source at its age.

A post's reach history (plus an implicit zero at publication) is cut into intervals at
least `min_interval_minutes` long. Each interval has a log-growth rate per hour,
r = ln((v1 + 1) / (v0 + 1)) / hours, filed under the post's age at the interval's end
(buckets up to 1, 3, 6, 12, 24, 48 hours and beyond). What is usual is the median and the
MAD of r over the intervals of the source's posts in the same bucket (over all sources when
the source has fewer than `min_baseline`), so a big but steady source is judged by its own
growth, not by its size. An interval is a risk when it grew at least `min_ratio` times more
than the usual rate gives over the same time, at least `min_z` robust deviations above it,
and gained at least `min_gain`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from monitor.config import SpreadSettings

AGE_EDGES_HOURS = (1.0, 3.0, 6.0, 12.0, 24.0, 48.0)
MAD_SCALE = 1.4826  # MAD of a normal distribution times this is its standard deviation
MIN_SPREAD = 0.05  # per hour: a source whose posts all grow alike still has some noise
POOLED = -1  # the source id of the all-sources baseline
RUNS = (1, 2, 4)  # consecutive intervals scored together


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One post's reach over time: seconds since the epoch, ascending, and the counter."""

    post_id: int
    source_id: int
    published_at: float
    times: Sequence[float]
    values: Sequence[float]


@dataclass(frozen=True, slots=True)
class Interval:
    """Growth of one post between two reads (or its publication and a read)."""

    post_id: int
    source_id: int
    bucket: int
    age_hours: float
    hours: float
    start: float
    end: float

    @property
    def rate(self) -> float:
        """Log-growth per hour."""
        return math.log((self.end + 1) / (self.start + 1)) / self.hours


@dataclass(frozen=True, slots=True)
class Usual:
    """The usual log-growth rate of a bucket: median, robust spread, how many intervals."""

    median: float
    spread: float
    count: int


@dataclass(frozen=True, slots=True)
class SpreadFinding:
    """A post that grew far faster than usual, over the run of intervals that shows it."""

    post_id: int
    source_id: int
    ratio: float
    z: float
    age_hours: float
    hours: float
    start: float
    end: float
    usual_factor: float

    @property
    def growth(self) -> float:
        """How many times the counter grew over the run."""
        return (self.end + 1) / (self.start + 1)


def age_bucket(age_hours: float) -> int:
    """The index of the age bucket (0: up to 1 hour ... 6: over 48 hours)."""
    return bisect_left(AGE_EDGES_HOURS, age_hours)


def intervals(trajectory: Trajectory, min_hours: float) -> list[Interval]:
    """The trajectory cut into intervals at least `min_hours` long, from publication on.

    A read closer than `min_hours` to the previous cut is skipped; the next one measures
    from that cut, so no growth is lost and no interval is too short to mean anything.
    """
    result = []
    anchor_time, anchor_value = trajectory.published_at, 0.0
    for moment, value in zip(trajectory.times, trajectory.values, strict=True):
        hours = (moment - anchor_time) / 3600
        if hours < min_hours:
            continue
        age = (moment - trajectory.published_at) / 3600
        result.append(
            Interval(
                trajectory.post_id,
                trajectory.source_id,
                age_bucket(age),
                age,
                hours,
                anchor_value,
                float(value),
            )
        )
        anchor_time, anchor_value = moment, float(value)
    return result


def baselines(found: Iterable[Interval]) -> dict[tuple[int, int], Usual]:
    """The usual rate per (source, bucket), and per (POOLED, bucket) over all sources."""
    cut = list(found)
    return _baselines(
        np.array([i.source_id for i in cut], dtype=np.int64),
        np.array([i.bucket for i in cut], dtype=np.int64),
        np.array([i.rate for i in cut], dtype=np.float64),
    )


def _baselines(
    source_ids: np.ndarray, buckets: np.ndarray, rates: np.ndarray
) -> dict[tuple[int, int], Usual]:
    usual = {}
    buckets_count = len(AGE_EDGES_HOURS) + 1
    for sources_of in (source_ids, np.full_like(source_ids, POOLED)):
        keys = sources_of * buckets_count + buckets
        order = np.argsort(keys, kind="stable")
        unique, counts = np.unique(keys[order], return_counts=True)
        groups = np.split(rates[order], np.cumsum(counts)[:-1])
        for key, values in zip(unique.tolist(), groups, strict=True):
            source, bucket = divmod(key, buckets_count)
            median = float(np.median(values))
            mad = float(np.median(np.abs(values - median)))
            usual[(source, bucket)] = Usual(median, max(MAD_SCALE * mad, MIN_SPREAD), len(values))
    return usual


def detect_spread(
    trajectories: Iterable[Trajectory], settings: SpreadSettings
) -> list[SpreadFinding]:
    """The posts that grew far faster than usual; for each, its most anomalous run.

    A spread often takes more than one interval, so runs of 1, 2 and 4 consecutive
    intervals are scored: their excess log-growth adds up, their z-scores add up divided by
    the square root of the run's length. Vectorised over every interval of every post.
    """
    rows = _cut_all(trajectories, settings.min_interval_minutes * 60)
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    post, source = (np.array(columns[k], dtype=np.int64) for k in (0, 1))
    age, hours, start, end = (np.array(columns[k], dtype=np.float64) for k in (2, 3, 4, 5))
    bucket = np.searchsorted(np.array(AGE_EDGES_HOURS), age, side="left")
    rate = np.log((end + 1) / (start + 1)) / hours
    median, spread = _norms(_baselines(source, bucket, rate), source, bucket, settings)
    excess = (rate - median) * hours
    zs = (rate - median) / spread
    sums = {
        name: np.concatenate(([0.0], np.cumsum(values)))
        for name, values in (
            ("excess", excess),
            ("z", zs),
            ("hours", hours),
            ("usual", median * hours),
        )
    }
    best: dict[int, SpreadFinding] = {}
    last = np.arange(len(rows))
    for length in RUNS:
        first = last - length + 1
        valid = first >= 0
        first = np.where(valid, first, 0)
        valid &= post[first] == post
        valid &= end - start[first] >= settings.min_gain
        run_excess = sums["excess"][last + 1] - sums["excess"][first]
        run_z = (sums["z"][last + 1] - sums["z"][first]) / np.sqrt(length)
        ratio = np.exp(np.minimum(run_excess, 50.0))
        valid &= (ratio >= settings.min_ratio) & (run_z >= settings.min_z)
        for j in np.flatnonzero(valid).tolist():
            i = int(first[j])
            post_id = int(post[j])
            if post_id in best and best[post_id].ratio >= ratio[j]:
                continue
            best[post_id] = SpreadFinding(
                post_id,
                int(source[j]),
                float(ratio[j]),
                float(run_z[j]),
                float(age[j]),
                float(sums["hours"][j + 1] - sums["hours"][i]),
                float(start[i]),
                float(end[j]),
                float(np.exp(min(sums["usual"][j + 1] - sums["usual"][i], 50.0))),
            )
    return list(best.values())


def _cut_all(trajectories: Iterable[Trajectory], min_seconds: float) -> list[tuple]:
    """`intervals` of every trajectory as plain tuples (post, source, age, hours, v0, v1)."""
    rows = []
    append = rows.append
    for t in trajectories:
        anchor_time, anchor_value, published = t.published_at, 0.0, t.published_at
        post_id, source_id = t.post_id, t.source_id
        for moment, value in zip(t.times, t.values, strict=True):
            if moment - anchor_time < min_seconds:
                continue
            append(
                (
                    post_id,
                    source_id,
                    (moment - published) / 3600,
                    (moment - anchor_time) / 3600,
                    anchor_value,
                    float(value),
                )
            )
            anchor_time, anchor_value = moment, float(value)
    return rows


def _norms(
    usual: dict[tuple[int, int], Usual],
    source: np.ndarray,
    bucket: np.ndarray,
    settings: SpreadSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """Each interval's usual rate and spread: its source's, or all sources' when too few."""
    median, spread = np.empty(len(source)), np.empty(len(source))
    width = len(AGE_EDGES_HOURS) + 1
    keys = source * width + bucket
    for key in np.unique(keys).tolist():
        source_id, bucket_id = divmod(key, width)
        norm = usual[(source_id, bucket_id)]
        if norm.count < settings.min_baseline:
            norm = usual[(POOLED, bucket_id)]
        mask = keys == key
        median[mask], spread[mask] = norm.median, norm.spread
    return median, spread
