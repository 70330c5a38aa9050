"""The base of every settings section and the shared risk scale."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

RISKS = ("low", "medium", "high", "critical")
Risk = Literal["low", "medium", "high", "critical"]
# What kind of text a source carries: each stream may read at its own relevance threshold.
STREAMS = ("community", "official", "news", "search", "appeals")


class Section(BaseModel):
    """Base of every settings section: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


def check_stream(stream: str) -> str:
    """The stream name itself, or a Russian error naming the known ones."""
    if stream not in STREAMS:
        raise ValueError(f"неизвестный поток {stream!r}; есть: {', '.join(STREAMS)}")
    return stream


def check_threshold(value: float, what: str = "порог релевантности") -> float:
    """The threshold itself when it lies strictly between 0 and 1, else a Russian error."""
    if not 0 < value < 1:  # also refuses NaN
        raise ValueError(f"{what}: {value:g} вне интервала (0, 1)")
    return value
