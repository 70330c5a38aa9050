"""Settings of the information risks: reach history, spread, copies, negativity."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class ReachHistorySettings(Section):
    full_days: float = Field(
        3,
        gt=0,
        description="Every reach point of a post is kept this long after it was read; "
        "older points are thinned",
    )
    downsample_hours: float = Field(
        6,
        gt=0,
        description="Thinned history keeps one point per post per this many hours of its age "
        "(the latest in each), and its first point",
    )
    retention_days: float = Field(
        30,
        gt=0,
        description="Reach points older than this are dropped (the post keeps its last counters)",
    )


class SpreadSettings(Section):
    window_hours: float = Field(
        24,
        gt=0,
        description="Posts published this recent are scored, and the baseline is taken from them",
    )
    min_interval_minutes: float = Field(
        30, gt=0, description="Growth is measured over intervals at least this long"
    )
    min_ratio: float = Field(
        4, gt=1, description="A spread risk grows at least this many times faster than usual"
    )
    min_z: float = Field(
        5,
        gt=0,
        description="... and this many robust deviations (MAD) above the usual growth rate",
    )
    min_gain: int = Field(
        300, ge=0, description="... and gains at least this many views (or reactions) in it"
    )
    min_baseline: int = Field(
        20,
        ge=3,
        description="Intervals a source needs in an age bucket for its own baseline; "
        "fewer: the baseline of all sources",
    )


class CopiesSettings(Section):
    window_hours: float = Field(
        6, gt=0, description="Copies of one story count when they appear within this many hours"
    )
    min_sources: int = Field(
        3, ge=2, description="A copies risk needs the story in at least this many sources"
    )
    min_similarity: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Overlap of content lemmas (0..1) above which two texts are one story",
    )
    min_lemmas: int = Field(
        6, ge=1, description="Texts with fewer content lemmas are matched by link or repost only"
    )


class NegativitySettings(Section):
    model: str | None = Field(
        "models/negativity",
        description="Folder of the negativity model (`classifier.negativity`); empty: not scored",
    )
    threshold: float = Field(
        0.25,
        gt=0,
        lt=1,
        description="A text is negative toward the authorities from this score (the shipped "
        "model's best cross-validated F1)",
    )
    min_texts: int = Field(
        3,
        ge=1,
        description="A negativity risk needs this many negative texts in one thread "
        "(a post and its comments)",
    )
    min_views: int = Field(
        5000, ge=0, description="... or one negative post with at least this many views"
    )
    single_threshold: float = Field(
        0.6,
        gt=0,
        lt=1,
        description="A single post is a risk by its views only from this score (held-out "
        "precision 0.72, against 0.53 at `threshold`)",
    )


class RisksSettings(Section):
    scan_minutes: float = Field(
        15, ge=0, description="`otklik run` scans for information risks this often; 0: never"
    )
    notify_score: float = Field(
        75,
        ge=0,
        le=100,
        description="A risk scoring this much (0..100; 50 is the detection threshold, "
        "each doubling adds 25) is notified once to notify.centre",
    )
    history: ReachHistorySettings = Field(
        default_factory=ReachHistorySettings, description="How long reach history is kept"
    )
    spread: SpreadSettings = Field(
        default_factory=SpreadSettings, description="Fast spread against the source's usual"
    )
    copies: CopiesSettings = Field(
        default_factory=CopiesSettings, description="One story in many sources"
    )
    negativity: NegativitySettings = Field(
        default_factory=NegativitySettings, description="Negativity toward the authorities"
    )
