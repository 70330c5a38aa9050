"""Typed settings: every key declared once here, with its default and help.

Values come from `config.yaml`; secrets (tokens, passwords) only from the environment,
read by the code that needs them. `OTKLIK_DATABASE_URL` overrides `database.url`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

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
