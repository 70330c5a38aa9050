"""Reach rules raise risk after the text model, never lower it, never past their cap."""

from __future__ import annotations

import pytest

from classifier.reach import ReachRule, apply_reach, reach_counters

RULES = [
    ReachRule("views", 20000, 1, "high"),
    ReachRule("reposts", 100, 1, "high"),
    ReachRule("audience", 100000, 2, "critical"),
]


@pytest.mark.parametrize(
    ("risk", "counters", "expected"),
    [
        ("low", {}, "low"),
        ("low", {"views": 19999}, "low"),
        ("low", {"views": 20000}, "medium"),
        ("low", {"views": 50000, "reposts": 500}, "high"),
        ("medium", {"views": 50000, "reposts": 500}, "high"),
        ("critical", {"views": 50000}, "critical"),
        ("high", {"views": 50000}, "high"),
        ("medium", {"audience": 200000}, "critical"),
    ],
)
def test_apply_reach(risk, counters, expected):
    assert apply_reach(risk, counters, RULES) == expected


def test_counters_from_post_ignore_junk():
    post = {
        "reach": {"views": 10, "likes": "many", "reposts": None, "comments": 3.0},
        "author": {"audience": 500},
    }
    assert reach_counters(post) == {"views": 10, "comments": 3, "audience": 500}
    assert reach_counters({"reach": "lots"}) == {}


def test_rule_from_config_dict_is_checked():
    rule = ReachRule.from_dict({"metric": "likes", "at_least": 5})
    assert (rule.raise_by, rule.up_to) == (1, "high")
    with pytest.raises(ValueError):
        ReachRule.from_dict({"metric": "shares", "at_least": 5})
    with pytest.raises(ValueError):
        ReachRule.from_dict({"metric": "likes", "at_least": 5, "up_to": "extreme"})
