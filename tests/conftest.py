"""Shared fixtures: real SQLite files and, when OTKLIK_TEST_POSTGRES_URL is set, PostgreSQL."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from monitor.config import load_settings
from monitor.context import Context
from monitor.store import make_engine, upgrade
from monitor.store.tables import metadata

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yaml"
PG_URL = os.environ.get("OTKLIK_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that tests copy instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template():
    """A migrated PostgreSQL database used as the template of each test's database."""
    if not PG_URL:
        pytest.skip("OTKLIK_TEST_POSTGRES_URL is not set")
    name = f"otklik_tpl_{os.getpid()}"
    admin = create_engine(
        make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield admin, name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _postgres_url(request) -> str:
    """The session's PostgreSQL database, emptied: faster than a database per test."""
    admin, name = request.getfixturevalue("postgres_template")
    url = make_url(PG_URL).set(database=name, drivername="postgresql+psycopg")
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, sqlite_template) -> str:
    """A fresh, migrated database URL: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "otklik.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    return _postgres_url(request)


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    """A fresh, migrated SQLite database URL only."""
    path = tmp_path / "otklik.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(db_url):
    """The shipped config.yaml pointing at the test database."""
    return load_settings(CONFIG, database_url=db_url)


@pytest.fixture
def ctx(db_url) -> Context:
    """A context on the test database with the shipped config and model."""
    context = Context.open(CONFIG, db_url)
    yield context
    context.engine.dispose()
