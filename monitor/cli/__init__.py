"""The `otklik` command. Each area registers its commands on `app` in its own module."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from sqlalchemy.exc import OperationalError

from monitor.cli import (
    analytics,  # noqa: F401  (registers commands)
    classifier,  # noqa: F401  (registers commands)
    collect,  # noqa: F401  (registers commands)
    core,  # noqa: F401  (registers commands)
    deadlines,  # noqa: F401  (registers commands)
    loop,  # noqa: F401  (registers commands)
    web,  # noqa: F401  (registers commands)
)
from monitor.cli.app import app
from monitor.errors import OtklikError

__all__ = ["app", "main"]


def main() -> None:
    """Run the CLI; domain errors become one clear line and a non-zero exit."""
    try:
        app()
    except OtklikError as exc:
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]Ошибка:[/] {exc}", highlight=False, markup=True
        )
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(130)
    except OperationalError as exc:
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]Ошибка базы данных:[/] {exc.orig}", highlight=False
        )
        sys.exit(1)
