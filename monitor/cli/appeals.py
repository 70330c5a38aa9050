"""`otklik import appeals`: appeals from other systems with their history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from monitor.cli.app import ConfigOption, DatabaseOption, JsonOption, NowOption, app, open_context
from monitor.cli.render import console, print_json

import_app = typer.Typer(help="Импорт записей из других систем.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command(
    "appeals",
    help="Импортировать обращения с ответами, повторными обращениями и итогом (без дублей).",
)
def import_appeals_command(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="JSONL of appeals (README)")],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Пропускать испорченные записи с предупреждением")
    ] = False,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Import appeals with their answers, follow-ups and outcome into incidents (idempotent)."""
    ctx = open_context(config, database, now)
    from monitor.appeals.importer import import_appeals

    report = import_appeals(ctx, path, now=ctx.now(), skip_bad=skip_bad)
    if as_json:
        print_json(report.__dict__)
        return
    console.print(
        f"Прочитано записей: {report.read}; новых: {report.new}, обновлено: {report.updated}, "
        f"без изменений: {report.unchanged}, пропущено: {report.skipped}; "
        f"{report.seconds:.1f} с"
    )
    if report.recipients_created:
        console.print(
            f"Созданы получатели (отвечающие органы, вид «imported»): "
            f"{len(report.recipients_created)}"
        )
