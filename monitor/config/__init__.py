"""Typed settings: every key declared once in this package, with its default and help.

Values come from `config.yaml`; secrets (tokens, passwords) only from the environment,
read by the code that needs them. `OTKLIK_DATABASE_URL` overrides `database.url`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, Field, PrivateAttr, ValidationError

from monitor.config.base import RISKS, Risk, Section  # noqa: F401  (re-exported)
from monitor.config.collectors import (  # noqa: F401  (re-exported)
    CollectorsSettings,
    GeoPoint,
    HttpSettings,
    OkCollectorSettings,
    SourceSettings,
    TelegramCollectorSettings,
    VkCollectorSettings,
    unique_source_names,
)
from monitor.config.core import (  # noqa: F401  (re-exported)
    ClassifierSettings,
    ConfirmationRule,
    DatabaseSettings,
    EncoderSettings,
    GroupingSettings,
    ReachRule,
    Recipient,
    RoutingRule,
    RoutingSettings,
    Sector,
    Territory,
)
from monitor.config.deadlines import (  # noqa: F401  (re-exported)
    CalendarSettings,
    EmailSettings,
    EscalationLevel,
    EscalationSettings,
    NotifySettings,
    SlaOverride,
    SlaRule,
    SlaSettings,
    TelegramSettings,
    _clock_time,
    _default_sla_risks,
)
from monitor.config.loop import ReviewSettings  # noqa: F401  (re-exported)
from monitor.config.web import (  # noqa: F401  (re-exported)
    AnalyticsSettings,
    WebSettings,
)
from monitor.errors import ConfigError

DEFAULT_CONFIG = Path("config.yaml")


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
    sources: Annotated[list[SourceSettings], AfterValidator(unique_source_names)] = Field(
        default_factory=list, description="Sources the collectors read"
    )
    web: WebSettings = Field(
        default_factory=WebSettings, description="The web page and the JSON API"
    )
    analytics: AnalyticsSettings = Field(
        default_factory=AnalyticsSettings, description="Heat map, ratings, growth, weekly note"
    )
    review: ReviewSettings = Field(
        default_factory=ReviewSettings,
        description="The analysts' loop: review queues, audit estimates, retraining",
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
