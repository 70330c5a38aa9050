"""The typer app and the options every command shares."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from monitor.context import Context
from monitor.errors import InputError
from monitor.storable import moment as checked_moment

app = typer.Typer(
    name="otklik",
    help="Отклик: сигналы жителей из открытых источников — в инциденты с получателем и сроками.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Файл настроек (по умолчанию ./config.yaml или OTKLIK_CONFIG)",
        show_default=False,
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Адрес базы данных (по умолчанию из настроек или OTKLIK_DATABASE_URL)",
        show_default=False,
    ),
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Действовать на этот момент (ISO 8601): для повторов и проверок",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Вывести JSON вместо таблицы")]


def parse_moment(value: str | None) -> datetime | None:
    """Parse an ISO 8601 moment from the command line; naive means UTC."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"Неверная дата и время: {value!r} (нужен ISO 8601)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return checked_moment(moment, "--now")


def open_context(config: Path | None, database: str | None, now: str | None = None) -> Context:
    """Build the command's context from the shared options."""
    return Context.open(config, database, parse_moment(now))


ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor", help="Кто действует (по умолчанию пользователь ОС)", show_default=False
    ),
]


def actor_name(actor: str | None) -> str:
    """Who acts: the --actor option, else the OS user."""
    return actor or f"cli:{getpass.getuser()}"
