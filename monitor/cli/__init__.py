"""The `otklik` command. Each area registers its commands on `app` in its own module."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import OperationalError

from monitor.cli import (
    analytics,  # noqa: F401  (registers commands)
    answers,  # noqa: F401  (registers commands)
    appeals,  # noqa: F401  (registers commands)
    classifier,  # noqa: F401  (registers commands)
    collect,  # noqa: F401  (registers commands)
    core,  # noqa: F401  (registers commands)
    deadlines,  # noqa: F401  (registers commands)
    loop,  # noqa: F401  (registers commands)
    models,  # noqa: F401  (registers commands)
    privacy,  # noqa: F401  (registers commands)
    risks,  # noqa: F401  (registers commands)
    web,  # noqa: F401  (registers commands)
    workers,  # noqa: F401  (registers commands)
)
from monitor.cli.app import app
from monitor.cli.russian import (
    Abort,
    NoArgsIsHelpError,
    UsageError,
    russify_commands,
    russify_frame,
    usage_line,
)
from monitor.errors import OtklikError
from monitor.store.engine import describe_store_error

__all__ = ["app", "main"]


def fail(message: str, code: int) -> None:
    """Print one Russian error line to stderr and exit with `code`."""
    Console(stderr=True, soft_wrap=True, highlight=False).print(
        f"[bold red]Ошибка:[/] {escape(message)}"
    )
    sys.exit(code)


def main(args: list[str] | None = None) -> None:
    """Run the CLI; domain and usage errors become one clear Russian line and an exit code."""
    import typer.main

    russify_frame()
    command = typer.main.get_command(app)
    russify_commands(command)
    try:
        code = command.main(args, prog_name="otklik", standalone_mode=False)
    except OtklikError as exc:
        fail(str(exc), exc.exit_code)
    except NoArgsIsHelpError as exc:
        print(exc.ctx.get_help())
        sys.exit(0)
    except UsageError as exc:
        fail(usage_line(exc), 2)
    except (Abort, KeyboardInterrupt):
        fail("прервано", 130)
    except OperationalError as exc:
        fail(describe_store_error(exc), 1)
    sys.exit(code if isinstance(code, int) else 0)
