"""The base of every settings section and the shared risk scale."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

RISKS = ("low", "medium", "high", "critical")
Risk = Literal["low", "medium", "high", "critical"]


class Section(BaseModel):
    """Base of every settings section: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")
