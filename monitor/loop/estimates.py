"""Stream precision and recall from a stratified audit sample, with confidence intervals.

The stream of a period is split by the model's decision into two strata: accepted (N_A
posts) and rejected (N_R). A uniform random sample of each is labelled. With p_A the share
of signals among accepted posts (the precision) and p_R the share among rejected ones (the
miss rate), the stream holds N_A·p_A caught and N_R·p_R missed signals, so

    recall = N_A·p_A / (N_A·p_A + N_R·p_R) = 1 / (1 + (N_R / N_A) · p_R / p_A).

Precision gets a Wilson score interval. Recall is a monotone function of θ = p_R / p_A; θ
gets a MOVER-R interval (Donner & Zou 2012: the ratio's bounds recovered from the Wilson
intervals of p_R and p_A), which stays sensible when no missed signal was found in the
sample (p_R = 0), where the delta method gives an interval of zero width. The missed
signals are N_R times the Wilson interval of p_R. tests/test_loop_estimates.py checks the
coverage of all three on generated streams with known truth.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Any


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval."""

    estimate: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, float | None]:
        """Rounded for reports."""
        return {k: None if v is None else round(v, 4) for k, v in asdict(self).items()}


NOTHING = Interval(None, None, None)


def z_value(level: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson(successes: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval of a binomial share."""
    if n <= 0:
        return NOTHING
    z = z_value(level)
    share = successes / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(share, max(0.0, centre - half), min(1.0, centre + half))


def ratio_mover(top: Interval, bottom: Interval) -> tuple[float, float]:
    """MOVER-R bounds of top/bottom from the two shares' own intervals (Donner & Zou 2012)."""
    p1, l1, u1 = top.estimate, top.low, top.high
    p2, l2, u2 = bottom.estimate, bottom.low, bottom.high
    assert None not in (p1, l1, u1, p2, l2, u2)
    product = p1 * p2
    low_den = u2 * (2 * p2 - u2)
    low = 0.0
    if low_den > 0:
        root = math.sqrt(max(0.0, product**2 - l1 * u2 * (2 * p1 - l1) * (2 * p2 - u2)))
        low = max(0.0, (product - root) / low_den)
    high_den = l2 * (2 * p2 - l2)
    if high_den <= 0:
        return low, math.inf
    root = math.sqrt(max(0.0, product**2 - u1 * l2 * (2 * p1 - u1) * (2 * p2 - l2)))
    return low, (product + root) / high_den


@dataclass(frozen=True)
class StratumSample:
    """One stratum of the audit: its size in the stream, and the labelled sample from it."""

    size: int
    labelled: int
    signals: int


def stream_estimates(
    accepted: StratumSample, rejected: StratumSample, level: float = 0.95
) -> dict[str, Any]:
    """Precision, recall and missed signals of the stream, each with its interval."""
    precision = wilson(accepted.signals, accepted.labelled, level)
    miss_rate = wilson(rejected.signals, rejected.labelled, level)
    if rejected.size == 0:
        miss_rate = Interval(0.0, 0.0, 0.0)
    missed = (
        Interval(*(None if v is None else v * rejected.size for v in asdict(miss_rate).values()))
        if miss_rate.estimate is not None
        else NOTHING
    )
    recall = _recall(accepted, precision, rejected, miss_rate)
    f1 = None
    if precision.estimate is not None and recall.estimate:
        total = precision.estimate + recall.estimate
        f1 = 2 * precision.estimate * recall.estimate / total if total else 0.0
    return {
        "level": level,
        "accepted": asdict(accepted),
        "rejected": asdict(rejected),
        "precision": precision.as_dict(),
        "recall": recall.as_dict(),
        "f1": None if f1 is None else round(f1, 4),
        "missed_signals": missed.as_dict(),
        "method": "precision: Wilson; recall: MOVER-R over Wilson intervals of the two strata; "
        "missed: stratum size × Wilson",
    }


def _recall(
    accepted: StratumSample, precision: Interval, rejected: StratumSample, miss_rate: Interval
) -> Interval:
    if rejected.size == 0:
        return Interval(1.0, 1.0, 1.0) if accepted.size else NOTHING
    if accepted.size == 0:
        return Interval(0.0, 0.0, 0.0)
    if precision.estimate is None or miss_rate.estimate is None or not precision.estimate:
        return NOTHING
    scale = rejected.size / accepted.size
    theta = miss_rate.estimate / precision.estimate
    low, high = ratio_mover(miss_rate, precision)
    return Interval(1 / (1 + scale * theta), 1 / (1 + scale * high), 1 / (1 + scale * low))


def share(successes: int, n: int, level: float = 0.95) -> dict[str, float | None]:
    """A share (e.g. sector accuracy) with its Wilson interval, as a dict."""
    return {**wilson(successes, n, level).as_dict(), "n": n}
