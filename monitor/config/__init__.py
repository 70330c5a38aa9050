"""Typed settings: every key declared once in this package, with its default and help.

Values come from `config.yaml`; secrets (tokens, passwords) only from the environment,
read by the code that needs them. `OTKLIK_DATABASE_URL` overrides `database.url`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import AfterValidator, Field, PrivateAttr, ValidationError

from monitor.config.answers import (  # noqa: F401  (re-exported)
    AppealsSettings,
    OfficialPage,
    OfficialPagesSettings,
    PublishingSettings,
    SatisfactionSettings,
)
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
from monitor.config.privacy import PrivacySettings  # noqa: F401  (re-exported)
from monitor.config.risks import (  # noqa: F401  (re-exported)
    CopiesSettings,
    NegativitySettings,
    ReachHistorySettings,
    RisksSettings,
    SpreadSettings,
)
from monitor.config.web import (  # noqa: F401  (re-exported)
    AnalyticsSettings,
    WebSettings,
)
from monitor.config.workers import WorkersSettings  # noqa: F401  (re-exported)
from monitor.errors import ConfigError

DEFAULT_CONFIG = Path("config.yaml")
CONFIG_ENV = "OTKLIK_CONFIG"
# The configuration shipped beside the code (the clone or the editable install's folder).
INSTALLED_CONFIG = Path(__file__).resolve().parents[2] / "config.yaml"


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
    privacy: PrivacySettings = Field(
        default_factory=PrivacySettings, description="How long authors' personal data is kept"
    )
    workers: WorkersSettings = Field(
        default_factory=WorkersSettings, description="Celery workers, claims and the beat"
    )
    publishing: PublishingSettings = Field(
        default_factory=PublishingSettings, description="Answers published where residents wrote"
    )
    satisfaction: SatisfactionSettings = Field(
        default_factory=SatisfactionSettings, description="Residents' reactions to answers"
    )
    appeals: AppealsSettings = Field(
        default_factory=AppealsSettings, description="`otklik import appeals`"
    )
    official_pages: OfficialPagesSettings = Field(
        default_factory=OfficialPagesSettings, description="Official pages (госпаблики)"
    )
    risks: RisksSettings = Field(
        default_factory=RisksSettings,
        description="Information risks: fast spread, copies, negativity toward the authorities",
    )
    review: ReviewSettings = Field(
        default_factory=ReviewSettings,
        description="The analysts' loop: review queues, audit estimates, retraining",
    )


def find_config(path: Path | str | None = None) -> Path:
    """The settings file: `--config`, else `OTKLIK_CONFIG`, else ./config.yaml, else the
    one shipped beside the code; a named file that does not exist is an error, never
    silently replaced by defaults."""
    if path is not None:
        named, origin = Path(path), "--config"
    elif os.environ.get(CONFIG_ENV):
        named, origin = Path(os.environ[CONFIG_ENV]), CONFIG_ENV
    else:
        for candidate in (DEFAULT_CONFIG, INSTALLED_CONFIG):
            if candidate.is_file():
                return candidate
        raise ConfigError(
            f"Файл настроек не найден: нет {DEFAULT_CONFIG} в текущей папке и "
            f"{INSTALLED_CONFIG} рядом с программой; укажите --config ФАЙЛ или {CONFIG_ENV}"
        )
    if not named.is_file():
        raise ConfigError(f"Файл настроек не найден ({origin}): {named}")
    return named


def load_settings(path: Path | str | None = None, *, database_url: str | None = None) -> Settings:
    """Load settings from the YAML file `find_config` names, and the environment."""
    path = find_config(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"Файл настроек {path} не читается: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"Файл настроек {path} должен содержать словарь ключей")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"Ошибка в {path}: {where}: {first['msg']}") from None
    url = database_url or os.environ.get("OTKLIK_DATABASE_URL")
    if url:
        settings.database.url = url
    broker = os.environ.get("OTKLIK_BROKER_URL")
    if broker:
        settings.workers.broker_url = broker
    settings._base_dir = path.parent.resolve()
    return settings


def resolve_path(settings: Settings, value: str) -> Path:
    """Resolve a path from the config relative to the config file's folder."""
    candidate = Path(value)
    if candidate.is_absolute():
        return candidate
    return settings._base_dir / candidate
