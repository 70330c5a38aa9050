"""Alembic migrations run from code, so `otklik init` needs no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from monitor.errors import StoreError
from monitor.store.engine import describe_store_error

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the package's migrations and this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the database to the newest schema."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        raise StoreError(describe_store_error(exc)) from None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def revision_below(revision: str) -> str | None:
    """The revision a migration follows (its `down_revision`)."""
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    below = script.get_revision(revision).down_revision
    return below if isinstance(below, str) or below is None else below[0]


def head_revision() -> str:
    """The newest revision shipped with the code."""
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def ensure_current(engine: Engine) -> None:
    """Fail with a clear message when the database is not migrated to the code's schema.

    A SQLite file that does not exist is reported, not created: only `init` and `demo`
    create a database.
    """
    database = engine.url.database
    missing = (
        engine.dialect.name == "sqlite"
        and database not in (None, "", ":memory:")
        and not Path(database).expanduser().exists()
    )
    if missing:
        raise StoreError(
            f"База данных не найдена: {Path(database).expanduser().resolve()}. "
            "Создайте её: `otklik init` (или `otklik demo` с образцом данных)"
        )
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(describe_store_error(exc)) from None
    if revision is None:
        raise StoreError("База данных пуста: выполните `otklik init`")
    if revision != head_revision():
        raise StoreError(
            f"Схема базы устарела ({revision}): выполните `otklik init`, чтобы обновить её"
        )
