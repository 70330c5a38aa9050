"""What every command and request works with: settings, the store, the model, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from monitor.config import Settings, load_settings, resolve_path
from monitor.store import ensure_current, make_engine

if TYPE_CHECKING:
    from classifier import Classifier


@dataclass
class Context:
    """Settings plus lazily opened resources; build one per command or per app."""

    settings: Settings
    now_override: datetime | None = None
    _checked: bool = field(default=False, repr=False)
    # Which registry row the loaded classifier came from (monitor/loop/registry.py).
    model_key: tuple | None = field(default=None, repr=False)
    # That row's thresholds per stream (`otklik models threshold --stream`).
    model_streams: dict[str, float] | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls,
        config: Path | str | None = None,
        database: str | None = None,
        now: datetime | None = None,
    ) -> Context:
        """Load settings from the config file and environment."""
        return cls(load_settings(config, database_url=database), now_override=now)

    @cached_property
    def engine(self) -> Engine:
        """The store's engine (not checked for migrations)."""
        database = self.settings.database
        return make_engine(database.url, busy_timeout_seconds=database.busy_timeout_seconds)

    @property
    def db(self) -> Engine:
        """The store's engine, checked once to be migrated to the current schema."""
        if not self._checked:
            ensure_current(self.engine)
            self._checked = True
        return self.engine

    @cached_property
    def classifier(self) -> Classifier:
        """The classification model named in config, loaded once."""
        from monitor.classify import load_classifier

        return load_classifier(self.settings)

    def now(self) -> datetime:
        """The moment the command runs as of (`--now`), timezone-aware."""
        return self.now_override or datetime.now(UTC)

    def path(self, value: str) -> Path:
        """A path from the config, relative to the config file."""
        return resolve_path(self.settings, value)
