"""The audit estimates are honest: on generated streams with known truth, the intervals
cover the true precision, recall and missed signals at their stated rate."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.loop.estimates import StratumSample, ratio_mover, stream_estimates, wilson

REPETITIONS = 2000
# (accepted, rejected, precision, miss rate among rejected, labelled accepted, labelled rejected)
STREAMS = [
    (2000, 20000, 0.6, 0.01, 150, 300),
    (500, 5000, 0.8, 0.03, 100, 200),
    (3000, 30000, 0.5, 0.005, 300, 600),
    (1000, 9000, 0.7, 0.05, 100, 100),
]


def _inside(value: float, interval: dict) -> bool:
    return interval["low"] - 1e-6 <= value <= interval["high"] + 1e-6


@pytest.mark.parametrize(("stream", "seed"), [(s, n) for n, s in enumerate(STREAMS)])
def test_intervals_cover_the_truth_at_the_stated_rate(stream, seed):
    size_a, size_r, precision, miss_rate, n_a, n_r = stream
    signals_a, signals_r = round(size_a * precision), round(size_r * miss_rate)
    true_recall = signals_a / (signals_a + signals_r)
    rng = np.random.default_rng(seed)
    covered = {"precision": 0, "recall": 0, "missed_signals": 0}
    for _ in range(REPETITIONS):
        # A uniform sample without replacement from each stratum of a finite stream.
        found_a = int(rng.hypergeometric(signals_a, size_a - signals_a, n_a))
        found_r = int(rng.hypergeometric(signals_r, size_r - signals_r, n_r))
        estimate = stream_estimates(
            StratumSample(size_a, n_a, found_a), StratumSample(size_r, n_r, found_r)
        )
        covered["precision"] += _inside(signals_a / size_a, estimate["precision"])
        covered["recall"] += _inside(true_recall, estimate["recall"])
        covered["missed_signals"] += _inside(signals_r, estimate["missed_signals"])
    for name, count in covered.items():
        assert 0.93 <= count / REPETITIONS <= 0.985, (name, count / REPETITIONS)


def test_wilson_matches_the_textbook_value():
    interval = wilson(81, 263)  # Newcombe (1998), example: 0.2553..0.3662
    assert round(interval.low, 4) == 0.2553 and round(interval.high, 4) == 0.3662
    assert wilson(0, 0).estimate is None


def test_no_missed_signal_found_still_gives_a_recall_interval_below_one():
    estimate = stream_estimates(StratumSample(1000, 100, 70), StratumSample(20000, 200, 0))
    recall = estimate["recall"]
    assert recall["estimate"] == 1.0 and recall["low"] < 0.8
    assert estimate["missed_signals"]["high"] > 0


def test_edge_strata():
    nothing_rejected = stream_estimates(StratumSample(10, 5, 3), StratumSample(0, 0, 0))
    assert nothing_rejected["recall"]["estimate"] == 1.0
    unlabelled = stream_estimates(StratumSample(10, 0, 0), StratumSample(100, 0, 0))
    assert unlabelled["precision"]["estimate"] is None and unlabelled["recall"]["estimate"] is None
    low, high = ratio_mover(wilson(0, 50), wilson(10, 20))
    assert low == 0 and 0 < high < 1
