"""The growth test: is a period's count unlikely under the series' own baseline?

Conditional test of a rate against its baseline. Over the window of B baseline days and
D period days, with S signals in the baseline and X in the period, N = S + X. If the
daily rate did not change, X given N is

- Binomial(N, D / (B + D)) for Poisson days (the exact conditional Poisson rate test);
- Beta-binomial(N, D·r, B·r) for over-dispersed days, negative binomial with size r
  estimated from the baseline by moments (r = m² / (v − m) when the variance v exceeds
  the mean m): with a common p, X | N of two negative binomials is beta-binomial.

Conditioning on N removes the unknown rate, so the uncertainty of a baseline estimated
from a few weeks is accounted for. The p-value is the upper tail P(X ≥ observed). The
p-values of all series tested together are corrected with Benjamini–Hochberg.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

TEST_NAME = (
    "условный тест интенсивности против базового периода ряда: биномиальный (Пуассон), "
    "бета-биномиальный при избыточной дисперсии (отрицательное биномиальное), верхний "
    "хвост; поправка на множественные сравнения Бенджамини — Хохберга"
)


@dataclass(frozen=True, slots=True)
class TailTest:
    """The upper-tail test of one series over one period."""

    observed: int
    expected: float
    baseline_mean: float
    baseline_variance: float
    model: str  # binomial or beta_binomial
    p_value: float


def upper_tail(observed: int, baseline: Sequence[int], days: int) -> TailTest:
    """P(X ≥ observed) for a period of `days` days given the baseline's daily counts."""
    if not baseline:
        raise ValueError("empty baseline")
    base_days, total = len(baseline), sum(baseline)
    mean = total / base_days
    variance = statistics.variance(baseline) if base_days > 1 else mean
    expected = mean * days
    trials = observed + total
    if observed <= 0:
        return TailTest(observed, expected, mean, variance, "binomial", 1.0)
    from scipy.stats import betabinom, binom  # heavy: loaded only when a test is run

    if total and variance > mean:
        size = mean * mean / (variance - mean)
        p_value = float(betabinom.sf(observed - 1, trials, days * size, base_days * size))
        model = "beta_binomial"
    else:
        p_value = float(binom.sf(observed - 1, trials, days / (base_days + days)))
        model = "binomial"
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
