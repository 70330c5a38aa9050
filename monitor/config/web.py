"""Settings of the web page, the API and analytics."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator

from monitor.config.base import Section


class WebSettings(Section):
    host: str = Field("127.0.0.1", description="Address `otklik serve` listens on")
    port: int = Field(8000, ge=1, le=65535, description="Port `otklik serve` listens on")
    page_size: int = Field(50, ge=5, le=500, description="Incidents on one page of the queue")
    near_deadline_minutes: int = Field(
        60, ge=0, description="Rows whose deadline is this close are marked in the queue"
    )
    refresh_seconds: int = Field(
        60, ge=0, description="The queue page refreshes itself this often; 0 turns it off"
    )
    session_hours: float = Field(
        12, gt=0, description="A login lasts this long; the signing key is OTKLIK_WEB_SECRET"
    )
    secure_cookies: bool = Field(
        False, description="Mark cookies Secure (set when the page is served over HTTPS)"
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Sign-in attempts of one name from one address (4 times this for the "
        "address) that pass at once; later ones wait login_delay_seconds, doubling",
    )
    login_window_minutes: float = Field(
        15,
        gt=0,
        description="A source's failures are forgotten this long after its last attempt; "
        "also the longest wait",
    )
    login_delay_seconds: float = Field(
        30,
        gt=0,
        description="The first wait after a source's free attempts; it doubles with each "
        "further failure, up to login_window_minutes",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of the reverse proxies in front of `otklik serve`: "
        "from them, the client's address (the login limit) and scheme are read from "
        "X-Forwarded-For and X-Forwarded-Proto. Empty: the connecting address is the client's",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return value


class AnalyticsSettings(Section):
    baseline_days: int = Field(
        28, ge=7, le=365, description="Days before a period that form each series' baseline"
    )
    growth_fdr: float = Field(
        0.01,
        gt=0,
        lt=1,
        description="False discovery rate of growth alerts (Benjamini-Hochberg over all series)",
    )
    growth_min_count: int = Field(
        5, ge=1, description="A growth alert needs at least this many signals in the period"
    )
    growth_min_ratio: float = Field(
        1.5, ge=1, description="A growth alert needs this many times the expected count"
    )
    drivers: int = Field(5, ge=1, le=50, description="Terms, places and sources named per alert")
    max_categories: int = Field(
        8, ge=3, le=30, description="Most problem categories per sector (at least 3 are made)"
    )
    cluster_sample: int = Field(
        2000, ge=100, description="Incidents per sector the clustering is fitted on at most"
    )
    seed: int = Field(0, description="Random seed of the clustering, so results repeat")
    report_territories: int = Field(
        10, ge=1, description="Territories shown in the weekly note's heat map (rest summed)"
    )
    report_sectors: int = Field(
        5, ge=1, description="Sectors whose problems the weekly note describes"
    )
    report_overdue: int = Field(30, ge=0, description="Overdue incidents listed in the weekly note")
