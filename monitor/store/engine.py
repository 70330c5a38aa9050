"""Opening the store: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from monitor.errors import StoreError

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLite's own lower() folds ASCII only; case-insensitive search must fold Cyrillic too.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def normalise_url(url: str) -> str:
    """Check a database URL and pick the psycopg 3 driver for plain postgresql:// URLs."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"Неверный адрес базы данных: {url!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"Поддерживаются SQLite и PostgreSQL, а не {parsed.get_backend_name()}")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.exists():
            raise StoreError(f"Папка для файла базы не существует: {folder}")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, busy_timeout_seconds: float = SQLITE_BUSY_TIMEOUT_SECONDS) -> Engine:
    """Create an engine for the URL, with SQLite tuned for one writer and many readers.

    On SQLite a write waits up to `busy_timeout_seconds` for another writer, then fails
    with "database is locked" (OperationalError).
    """
    url = normalise_url(url)
    try:
        if url.startswith("sqlite"):
            # The driver's timeout is SQLite's busy timeout.
            engine = create_engine(url, connect_args={"timeout": busy_timeout_seconds})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"Не удалось открыть базу {url}: {exc}") from None
    return engine


# What the database drivers say, in the words a user acts on.
KNOWN_STORE_ERRORS = (
    ("connection refused", "сервер базы данных не принимает соединения (он запущен? верен адрес?)"),
    ("could not translate host name", "неизвестное имя сервера базы данных"),
    ("timeout expired", "сервер базы данных не ответил вовремя"),
    ("password authentication failed", "неверное имя пользователя или пароль базы данных"),
    ("does not exist", "такой базы данных нет на сервере"),
    ("database is locked", "база занята другой записью; повторите позже"),
    ("unable to open database file", "файл базы не открывается (путь, права)"),
    ("file is not a database", "файл не является базой SQLite"),
    ("terminating connection", "сервер базы данных разорвал соединение"),
    ("server closed the connection", "сервер базы данных разорвал соединение"),
)


def describe_store_error(exc: BaseException) -> str:
    """One Russian line for a driver's error: what happened, then the driver's first line."""
    original = str(getattr(exc, "orig", None) or exc)
    first = next((line.strip() for line in original.splitlines() if line.strip()), "")
    lowered = original.lower()
    meaning = next((text for needle, text in KNOWN_STORE_ERRORS if needle in lowered), None)
    if meaning:
        return f"база данных недоступна: {meaning} ({first})"
    return f"база данных недоступна: {first}"
