"""Settings of personal data: how long authors' names, ids and links are kept."""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class PrivacySettings(Section):
    retention_days: int | None = Field(
        365,
        ge=1,
        description="Authors' names, ids and links of posts published longer ago than this "
        "are pseudonymised by `otklik purge` and by `otklik run`; empty keeps them forever",
    )
    purge_every_hours: float = Field(
        24, gt=0, description="How often `otklik run` purges what passed the retention"
    )
