"""Settings of the collectors and the list of sources."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section, check_stream


class HttpSettings(Section):
    timeout_seconds: float = Field(
        20, gt=0, description="Longest wait for one whole response; a hanging source fails"
    )
    retries: int = Field(3, ge=0, description="Retries of a failed request before giving up")
    backoff_seconds: float = Field(
        2, ge=0, description="First wait before a retry; doubled each time, with jitter"
    )
    backoff_max_seconds: float = Field(60, ge=0, description="Longest wait between retries")
    max_response_mb: float = Field(20, gt=0, description="Larger responses are refused")
    user_agent: str = Field("Otklik/0.1", description="User-Agent header of every request")


class VkCollectorSettings(Section):
    base_url: str = Field(
        "https://api.vk.ru/method/",
        description="Method endpoint; requests of vk-api are rewritten to it (tests, proxies)",
    )
    api_version: str = Field("5.199", description="VK API version sent with every call")
    min_interval_seconds: float = Field(
        0.34, ge=0, description="Pause between calls of one process (about 3 a second)"
    )
    max_pages: int = Field(
        50, ge=1, description="Pages of 100 posts read from one wall in one poll at most"
    )
    search_window_hours: float = Field(
        24, gt=0, description="newsfeed.search runs over windows this long"
    )
    search_cap: int = Field(
        1000, ge=1, description="Results newsfeed.search returns for one query at most"
    )


class OkCollectorSettings(Section):
    base_url: str = Field("https://api.ok.ru/fb.do", description="REST endpoint (fb.do)")
    topics_method: str = Field(
        "mediatopic.getTopics", description="Method listing a group's topics (unverified name)"
    )
    page_size: int = Field(50, ge=1, le=100, description="Topics or comments asked per call")
    max_pages: int = Field(20, ge=1, description="Pages read from one group in one poll at most")
    timezone: str = Field(
        "Europe/Moscow", description="Time zone of the local-time dates OK gives comments"
    )


class TelegramCollectorSettings(Section):
    base_url: str = Field("https://t.me", description="Site serving the /s/CHANNEL preview")
    max_pages: int = Field(
        20, ge=1, description="Preview pages (about 20 posts each) read in one poll at most"
    )


class CollectorsSettings(Section):
    http: HttpSettings = Field(default_factory=HttpSettings, description="Every request")
    vk: VkCollectorSettings = Field(
        default_factory=VkCollectorSettings, description="VK; token from OTKLIK_VK_TOKEN"
    )
    ok: OkCollectorSettings = Field(
        default_factory=OkCollectorSettings,
        description="Odnoklassniki; keys from OTKLIK_OK_APPLICATION_KEY, "
        "OTKLIK_OK_APPLICATION_SECRET_KEY, OTKLIK_OK_ACCESS_TOKEN",
    )
    telegram: TelegramCollectorSettings = Field(
        default_factory=TelegramCollectorSettings, description="Public channel previews"
    )
    refresh_hours: float = Field(
        48, ge=0, description="Posts this recent are read again so that growing reach is seen"
    )
    backfill_hours: float = Field(
        72, gt=0, description="How far back the first poll of a new source reads"
    )
    comments_per_post: int = Field(
        300, ge=0, description="Comments read from one post at most; 0 reads none"
    )
    failure_backoff_max_minutes: float = Field(
        360, gt=0, description="Longest wait before polling a failing source again"
    )
    unavailable_retry_hours: float = Field(
        24, gt=0, description="A closed or deleted source is tried again after this long"
    )
    cycle_seconds: float = Field(
        60, gt=0, description="`otklik run` processes posts and checks deadlines this often"
    )


class GeoPoint(Section):
    latitude: float = Field(ge=-90, le=90, description="Latitude of the search centre")
    longitude: float = Field(ge=-180, le=180, description="Longitude of the search centre")


class SourceSettings(Section):
    name: str = Field(min_length=1, description="Unique name of the source, used on the CLI")
    kind: Literal["vk", "ok", "telegram", "rss", "file"] = Field(description="Source kind")
    address: str = Field(
        "",
        description="VK community id or screen name, OK group id, Telegram channel, "
        "feed URL, or JSONL file path",
    )
    keywords: list[str] = Field(
        default_factory=list, description="VK only: search these (newsfeed.search), not a wall"
    )
    geo: GeoPoint | None = Field(None, description="VK only: search around this point")
    territory: str | None = Field(None, description="Territory of its posts unless they say")
    poll_minutes: float = Field(15, gt=0, description="How often the source is read")
    comments: bool = Field(True, description="VK and OK: read comments of recent posts")
    enabled: bool = Field(True, description="Disabled sources are kept but not read")
    stream: str | None = Field(
        None,
        description="community, official, news, search or appeals: picks the relevance "
        "threshold (classifier.relevance_thresholds); empty = official for a source named in "
        "official_pages, search for a VK search, news for Telegram and RSS, else community",
    )

    @field_validator("stream")
    @classmethod
    def _known_stream(cls, value: str | None) -> str | None:
        return None if value is None else check_stream(value)

    @model_validator(mode="after")
    def _has_address(self) -> SourceSettings:
        searches = self.kind == "vk" and (self.keywords or self.geo)
        if not self.address and not searches:
            raise ValueError(f"источнику {self.name} нужен address")
        if self.address and searches:
            raise ValueError(f"источник {self.name}: либо address, либо keywords/geo")
        return self


def unique_source_names(sources: list[SourceSettings]) -> list[SourceSettings]:
    names = [source.name for source in sources]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"имена источников повторяются: {', '.join(repeated)}")
    return sources
