"""Typed settings: every key declared once here, with its default and help.

Values come from `config.yaml`; secrets (tokens, passwords) only from the environment,
read by the code that needs them. `OTKLIK_DATABASE_URL` overrides `database.url`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.errors import ConfigError

RISKS = ("low", "medium", "high", "critical")
Risk = Literal["low", "medium", "high", "critical"]
DEFAULT_CONFIG = Path("config.yaml")


class Section(BaseModel):
    """Base of every settings section: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(Section):
    url: str = Field(
        "sqlite:///otklik.db",
        description="SQLAlchemy URL of the store; overridden by OTKLIK_DATABASE_URL and --database",
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
    kind: Literal["sentence-transformers"] = Field(description="Dense encoder family")
    path: str = Field(description="Local folder of the model; nothing is fetched from a hub")


class ClassifierSettings(Section):
    model: str = Field("models/default", description="Model package folder")
    encoder: EncoderSettings | None = Field(None, description="Optional dense encoder")
    batch_size: int = Field(512, description="Posts classified per batch")
    reach_rules: list[ReachRule] = Field(
        default_factory=list, description="Rules that raise risk after the text model"
    )


def _clock_time(value: Any) -> str:
    """Check an HH:MM local time of day (quoted in YAML: an unquoted 18:00 reads as a number)."""
    if not isinstance(value, str):
        raise ValueError(f"time of day must be a quoted 'HH:MM' string, got {value!r}")
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"time of day must be HH:MM, got {value!r}")
    return value


class CalendarSettings(Section):
    timezone: str | None = Field(
        None, description="Time zone of the working hours; empty means the top-level timezone"
    )
    workdays: list[int] = Field(
        [1, 2, 3, 4, 5], description="ISO weekdays (1 = Monday) that are working days"
    )
    start: str = Field("09:00", description="Start of the working day, HH:MM local time")
    end: str = Field("18:00", description="End of the working day, HH:MM local time")
    production_calendar: str | None = Field(
        "RU",
        description="Country whose production calendar (holidays, moved days off, working "
        "Saturdays) applies, from the `holidays` package; empty for none",
    )

    _check_times = field_validator("start", "end", mode="before")(_clock_time)

    @model_validator(mode="after")
    def _check(self) -> CalendarSettings:
        if self.start >= self.end:
            raise ValueError("calendar.start must be before calendar.end")
        if not self.workdays or any(day not in range(1, 8) for day in self.workdays):
            raise ValueError("calendar.workdays must be ISO weekdays 1..7")
        return self


class SlaRule(Section):
    first_response_hours: float = Field(gt=0, description="Time allowed for the first response")
    around_the_clock: bool = Field(
        False, description="Count wall-clock hours instead of working hours"
    )


def _default_sla_risks() -> dict[str, SlaRule]:
    return {
        "critical": SlaRule(first_response_hours=1, around_the_clock=True),
        "high": SlaRule(first_response_hours=4),
        "medium": SlaRule(first_response_hours=8),
        "low": SlaRule(first_response_hours=24),
    }


class SlaOverride(Section):
    sector: str | None = Field(None, description="Sector code the override applies to")
    recipient: str | None = Field(None, description="Recipient code the override applies to")
    risk: Risk | None = Field(None, description="Risk the override applies to; empty for all")
    first_response_hours: float | None = Field(None, gt=0, description="Replaces the default")
    around_the_clock: bool | None = Field(None, description="Replaces the default")
    final_answer_working_days: float | None = Field(None, gt=0, description="Replaces the default")


class SlaSettings(Section):
    risks: dict[Risk, SlaRule] = Field(
        default_factory=_default_sla_risks, description="First-response rule for each risk"
    )
    final_answer_working_days: float = Field(
        7, gt=0, description="Working days from the first-response deadline to the final answer"
    )
    overrides: list[SlaOverride] = Field(
        default_factory=list,
        description="Rules for a sector, a recipient or both; the most specific match wins "
        "(recipient before sector before risk)",
    )

    @field_validator("risks")
    @classmethod
    def _every_risk(cls, value: dict[str, SlaRule]) -> dict[str, SlaRule]:
        return {**_default_sla_risks(), **value}


class EscalationLevel(Section):
    name: str = Field(description="Russian name of the level shown in messages")
    notify: str = Field(
        description="Who is told: 'sector_curator', 'parent' (the recipient's parent) "
        "or a recipient code"
    )
    deadline_hours: float = Field(
        gt=0,
        description="Time this level has before the next one (working hours, "
        "wall-clock for around-the-clock rules)",
    )


class EscalationSettings(Section):
    sector_curators: dict[str, str] = Field(
        default_factory=dict, description="Curator recipient code of each sector"
    )
    levels: list[EscalationLevel] = Field(
        default_factory=lambda: [
            EscalationLevel(name="Куратор сектора", notify="sector_curator", deadline_hours=4),
            EscalationLevel(name="Региональный центр", notify="centre", deadline_hours=8),
        ],
        description="Levels above the recipient, in order; a missed deadline moves one up",
    )


class EmailSettings(Section):
    enabled: bool = Field(False, description="Send notifications by email")
    host: str = Field("localhost", description="SMTP server")
    port: int = Field(25, description="SMTP port")
    sender: str = Field("otklik@localhost", description="From address")
    username: str | None = Field(
        None, description="SMTP login; the password comes from OTKLIK_SMTP_PASSWORD"
    )
    security: Literal["none", "starttls", "ssl"] = Field("none", description="Transport security")
    timeout_seconds: float = Field(10, gt=0, description="Network timeout of one send")


class TelegramSettings(Section):
    enabled: bool = Field(
        False, description="Send through a Telegram bot; token from OTKLIK_TELEGRAM_BOT_TOKEN"
    )
    base_url: str = Field("https://api.telegram.org", description="Bot API server")
    timeout_seconds: float = Field(10, gt=0, description="Network timeout of one send")


class NotifySettings(Section):
    email: EmailSettings = Field(default_factory=EmailSettings, description="SMTP channel")
    telegram: TelegramSettings = Field(
        default_factory=TelegramSettings, description="Telegram channel"
    )
    reminder_before_minutes: int = Field(
        60, ge=0, description="Remind this long before each deadline; 0 for no reminders"
    )
    digest_at: str = Field("09:00", description="Local time of the daily digest on working days")
    centre: str | None = Field(
        None, description="Recipient told of every critical incident; default routing.fallback"
    )
    web_base_url: str | None = Field(None, description="Web address used for incident links")
    max_attempts: int = Field(8, ge=1, description="Sends tried before a notification fails")
    backoff_seconds: float = Field(60, gt=0, description="Wait after the first failed send")
    backoff_max_seconds: float = Field(3600, gt=0, description="Longest wait between sends")

    _check_digest = field_validator("digest_at", mode="before")(_clock_time)


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

    @model_validator(mode="after")
    def _has_address(self) -> SourceSettings:
        searches = self.kind == "vk" and (self.keywords or self.geo)
        if not self.address and not searches:
            raise ValueError(f"источнику {self.name} нужен address")
        if self.address and searches:
            raise ValueError(f"источник {self.name}: либо address, либо keywords/geo")
        return self


def _unique_source_names(sources: list[SourceSettings]) -> list[SourceSettings]:
    names = [source.name for source in sources]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"имена источников повторяются: {', '.join(repeated)}")
    return sources


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
        description="Failed logins of one name, or 4 times this from one address, "
        "within the window lock further attempts",
    )
    login_window_minutes: float = Field(15, gt=0, description="Window of the failed-login limit")


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


class Settings(Section):
    """The whole configuration file."""

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)

    region: str = Field("Белгородская область", description="Region the centre serves")
    centre_name: str = Field("Центр управления регионом", description="Name used in reports")
    timezone: str = Field("Europe/Moscow", description="Time zone of the centre")
    database: DatabaseSettings = Field(
        default_factory=DatabaseSettings, description="Where incidents are stored"
    )
    sectors: list[Sector] = Field(default_factory=list, description="Sector taxonomy")
    territories: list[Territory] = Field(
        default_factory=list, description="Gazetteer of the region's places"
    )
    recipients: list[Recipient] = Field(default_factory=list, description="Responsible recipients")
    routing: RoutingSettings = Field(
        default_factory=RoutingSettings, description="Where incidents go"
    )
    grouping: GroupingSettings = Field(
        default_factory=GroupingSettings, description="How posts become incidents"
    )
    classifier: ClassifierSettings = Field(
        default_factory=ClassifierSettings, description="The NLP model and its rules"
    )
    calendar: CalendarSettings = Field(
        default_factory=CalendarSettings, description="Working hours and production calendar"
    )
    sla: SlaSettings = Field(default_factory=SlaSettings, description="Response deadlines")
    escalation: EscalationSettings = Field(
        default_factory=EscalationSettings, description="Who is told when a deadline is missed"
    )
    notify: NotifySettings = Field(
        default_factory=NotifySettings, description="Email and Telegram notifications"
    )
    collectors: CollectorsSettings = Field(
        default_factory=CollectorsSettings, description="How sources are read"
    )
    sources: Annotated[list[SourceSettings], AfterValidator(_unique_source_names)] = Field(
        default_factory=list, description="Sources the collectors read"
    )
    web: WebSettings = Field(
        default_factory=WebSettings, description="The web page and the JSON API"
    )
    analytics: AnalyticsSettings = Field(
        default_factory=AnalyticsSettings, description="Heat map, ratings, growth, weekly note"
    )


def load_settings(path: Path | str | None = None, *, database_url: str | None = None) -> Settings:
    """Load settings from a YAML file (default `config.yaml`) and the environment."""
    explicit = path is not None
    path = Path(path) if path is not None else DEFAULT_CONFIG
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Файл настроек {path} не читается: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"Файл настроек {path} должен содержать словарь ключей")
    elif explicit and path != DEFAULT_CONFIG:
        raise ConfigError(f"Файл настроек не найден: {path}")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"Ошибка в {path}: {where}: {first['msg']}") from None
    url = database_url or os.environ.get("OTKLIK_DATABASE_URL")
    if url:
        settings.database.url = url
    settings_base = path.parent.resolve() if path.exists() else Path.cwd()
    settings._base_dir = settings_base
    return settings


def resolve_path(settings: Settings, value: str) -> Path:
    """Resolve a path from the config relative to the config file's folder."""
    candidate = Path(value)
    if candidate.is_absolute():
        return candidate
    return settings._base_dir / candidate
