"""Settings of the analysts' loop: review queues, audit, retraining from the centre's labels."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class ReviewSettings(Section):
    uncertain_margin: float = Field(
        0.15,
        gt=0,
        lt=0.5,
        description="A post is uncertain when its relevance probability is this close to the "
        "threshold",
    )
    uncertain_sector_below: float = Field(
        0.5,
        gt=0,
        le=1,
        description="A signal is uncertain when its top sector probability is below this",
    )
    audit_rejected_share: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="Share of the audit queue drawn from the posts the model rejected",
    )
    check_share: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="Share of the audit sample kept out of training: the fair check of models",
    )
    centre_weight: float = Field(
        10.0,
        gt=0,
        description="Weight of one centre label against one row of the base data in training",
    )
    confidence: float = Field(
        0.95, gt=0.5, lt=1, description="Confidence level of the stream estimates' intervals"
    )
    default_days: int = Field(
        7, ge=1, description="Days up to today a queue or estimate covers when no period is given"
    )
    base_data_dirs: list[str] = Field(
        default_factory=lambda: ["../shared/datasets"],
        description="Folders (relative to the config) searched for the base data files a "
        "model's meta.json names, after the model's own folder and the shipped corpus",
    )
