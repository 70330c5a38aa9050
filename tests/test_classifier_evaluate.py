"""Operating points of the relevance threshold, for a stream mixed unlike the labelled file."""

from __future__ import annotations

import pytest

from classifier.corpus import LabelledPost
from classifier.evaluate import operating_points


def _post(i: int, relevant: bool | None) -> LabelledPost:
    return LabelledPost(id=str(i), source="vk", text="т", relevant=relevant, sector=None, risk=None)


def test_recall_flagged_and_stream_precision_follow_the_definitions():
    # Four signals scored 0.9, 0.8, 0.6, 0.2; four non-signals 0.7, 0.3, 0.1, 0.05;
    # one row without a gold relevance, which is skipped.
    gold = [_post(i, r) for i, r in enumerate([True] * 4 + [False] * 4 + [None])]
    proba = [0.9, 0.8, 0.6, 0.2, 0.7, 0.3, 0.1, 0.05, 0.99]
    points = {p["threshold"]: p for p in operating_points(gold, proba, 0.65, prior=0.2)}
    assert sorted(points) == [0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.8, 0.9]
    at = points[0.65]
    assert at["own"] and at["recall"] == 0.5 and at["flagged"] == 0.25
    # 0.5·0.2 caught against 0.25·0.8 wrongly flagged: precision 0.1 / 0.3.
    assert at["stream_precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert at["stream_f1"] == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5), abs=1e-4)
    assert points[0.3]["recall"] == 0.75 and points[0.3]["flagged"] == 0.5
    assert points[0.9]["flagged"] == 0.0 and points[0.9]["stream_precision"] == 1.0


def test_no_points_without_both_classes_and_a_bad_prior_is_refused():
    gold = [_post(i, True) for i in range(3)]
    assert operating_points(gold, [0.9, 0.5, 0.1], 0.5) == []
    with pytest.raises(ValueError, match="prior"):
        operating_points(gold, [0.9, 0.5, 0.1], 0.5, prior=1.0)


def test_cascade_cut_is_the_highest_that_keeps_the_dense_stage_quality():
    """The dense stage runs only where the n-gram stage lets a post through; the cut is the
    highest that loses nothing the dense stage would have caught."""
    import numpy as np

    from classifier.train import OutOfFold, candidate_cut, cascade

    gold = [_post(i, r) for i, r in enumerate([True] * 4 + [False] * 4)]
    # The n-gram stage misses signal 3 (0.12) and flags non-signal 4 (0.8); the dense stage
    # gets both right.
    first = np.array([0.9, 0.7, 0.4, 0.12, 0.8, 0.3, 0.08, 0.01])
    final = np.array([0.95, 0.9, 0.8, 0.7, 0.2, 0.1, 0.05, 0.02])
    assert list(cascade(first, final, 0.2)) == [0.95, 0.9, 0.8, 0.12, 0.2, 0.1, 0.08, 0.01]
    out_of_fold = OutOfFold(first, final, ["roads"] * 8, ["low"] * 8)
    assert candidate_cut(gold, out_of_fold, 0.5, cuts=(0.05, 0.1, 0.15, 0.2, 0.3)) == 0.1
    assert out_of_fold.report(gold, 0.5, 0.1)["relevance"]["f1"] == 1.0
    assert out_of_fold.report(gold, 0.5, 0.2)["relevance"]["recall"] == 0.75
