"""Reach rules: a widely seen post may get a higher risk than its text alone gives."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

RISK_ORDER = ("low", "medium", "high", "critical")
METRICS = ("views", "likes", "reposts", "comments", "audience")


@dataclass(frozen=True)
class ReachRule:
    """Raise risk by `raise_by` levels, to at most `up_to`, when `metric` >= `at_least`."""

    metric: str
    at_least: int
    raise_by: int = 1
    up_to: str = "high"

    @classmethod
    def from_dict(cls, rule: Mapping[str, object]) -> ReachRule:
        """Build and check a rule given as a dict (as in config)."""
        made = cls(
            metric=str(rule["metric"]),
            at_least=int(rule["at_least"]),  # type: ignore[call-overload]
            raise_by=int(rule.get("raise_by", 1)),  # type: ignore[call-overload]
            up_to=str(rule.get("up_to", "high")),
        )
        if made.metric not in METRICS:
            raise ValueError(f"unknown reach metric {made.metric!r}; expected one of {METRICS}")
        if made.up_to not in RISK_ORDER:
            raise ValueError(f"unknown risk level {made.up_to!r}")
        return made


def reach_counters(post: Mapping[str, object]) -> dict[str, int]:
    """The counters a post carries: reach.{views,likes,reposts,comments} and author.audience."""
    counters: dict[str, int] = {}
    reach = post.get("reach")
    if isinstance(reach, Mapping):
        for metric in ("views", "likes", "reposts", "comments"):
            value = reach.get(metric)
            if isinstance(value, int | float) and not isinstance(value, bool):
                counters[metric] = int(value)
    author = post.get("author")
    if isinstance(author, Mapping):
        audience = author.get("audience")
        if isinstance(audience, int | float) and not isinstance(audience, bool):
            counters["audience"] = int(audience)
    return counters


def apply_reach(risk: str, counters: Mapping[str, int], rules: Iterable[ReachRule]) -> str:
    """The risk after every firing rule; a rule never lowers risk, nor raises past its cap."""
    level = RISK_ORDER.index(risk)
    for rule in rules:
        if counters.get(rule.metric, 0) >= rule.at_least:
            cap = RISK_ORDER.index(rule.up_to)
            level = max(level, min(level + rule.raise_by, cap))
    return RISK_ORDER[level]
