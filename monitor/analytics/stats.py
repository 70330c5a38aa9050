"""The growth test: how unlikely a period's count is under a series' own baseline.

A series' daily counts in the baseline give its mean m and variance v. When v > m the
counts are over-dispersed and a day is modelled as negative-binomial with mean m and
variance v (size r = m² / (v − m)); otherwise as Poisson with mean m. A period of D days
is then NB(D·r, p) or Poisson(D·m), and the p-value is the upper tail P(X ≥ observed).
A baseline with no events gets the rate 0.5 / baseline days (half an event), so that one
signal after a silent month is not "infinitely" unlikely. The p-values of every series
tested together are corrected for multiple testing with Benjamini–Hochberg (false
discovery rate).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.stats import nbinom, poisson

TEST_NAME = (
    "верхний хвост отрицательного биномиального распределения (Пуассона при отсутствии "
    "избыточной дисперсии) по базовому периоду ряда; поправка на множественные сравнения "
    "Бенджамини — Хохберга"
)


@dataclass(frozen=True, slots=True)
class TailTest:
    """The upper-tail test of one series over one period."""

    observed: int
    expected: float
    baseline_mean: float
    baseline_variance: float
    model: str
    p_value: float


def upper_tail(observed: int, baseline: Sequence[int], days: int) -> TailTest:
    """P(X ≥ observed) for a period of `days` days under the baseline's daily counts."""
    if not baseline:
        raise ValueError("empty baseline")
    total = sum(baseline)
    mean = total / len(baseline) if total else 0.5 / len(baseline)
    variance = statistics.variance(baseline) if len(baseline) > 1 else mean
    expected = mean * days
    if observed <= 0:
        return TailTest(observed, expected, mean, variance, "poisson", 1.0)
    if variance > mean:
        size = mean * mean / (variance - mean)
        p = size / (size + mean)
        p_value = float(nbinom.sf(observed - 1, size * days, p))
        model = "negative_binomial"
    else:
        p_value = float(poisson.sf(observed - 1, expected))
        model = "poisson"
    return TailTest(observed, expected, mean, variance, model, min(max(p_value, 0.0), 1.0))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order."""
    count = len(p_values)
    order = sorted(range(count), key=lambda i: p_values[i])
    adjusted = [1.0] * count
    running = 1.0
    for position in range(count - 1, -1, -1):
        index = order[position]
        running = min(running, p_values[index] * count / (position + 1))
        adjusted[index] = min(running, 1.0)
    return adjusted
