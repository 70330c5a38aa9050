"""Scale-out commands: `worker` (a Celery worker), `beat` (its scheduler), `workers` (health)."""

from __future__ import annotations

import os
import socket
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from monitor.cli.app import ConfigOption, DatabaseOption, JsonOption, app, open_context
from monitor.cli.render import console, local, print_json
from monitor.errors import InputError

STEP_STATUS = {"ok": "успешно", "failed": "ошибка", None: "—"}


def _app(config, database, queues: list[str] | None = None):
    from monitor.workers import tasks

    ctx = open_context(config, database)
    ctx.db  # fail now, with a clear message, when the store is not migrated  # noqa: B018
    tasks._state["queues"] = queues
    return ctx, tasks.configure(ctx.settings, str(config) if config else None, database)


def _queues(value: str | None) -> list[str]:
    from monitor.workers.tasks import QUEUES

    if not value:
        return list(QUEUES)
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in QUEUES]
    if unknown or not names:
        raise InputError(
            f"Неизвестные очереди: {', '.join(unknown) or value}; есть: {', '.join(QUEUES)}"
        )
    return names


@app.command(
    help="Запустить воркер Celery: сбор, обработка, проверка сроков и уведомления из очереди "
    "брокера (workers.broker_url или OTKLIK_BROKER_URL)."
)
def worker(
    queues: Annotated[
        str | None,
        typer.Option(
            "--queues",
            help="Очереди через запятую: collect, process, schedule (по умолчанию все)",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", min=1, help="Число процессов (по умолчанию по числу ядер)"),
    ] = None,
    beat: Annotated[
        bool, typer.Option("--beat", help="Запустить планировщик внутри этого воркера")
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Start a Celery worker: collect, process, check deadlines and notify from the broker."""
    names = _queues(queues)
    _ctx, celery = _app(config, database, names)
    argv = ["worker", "--queues", ",".join(names), "--loglevel", "INFO"]
    argv += ["--hostname", f"otklik-{os.getpid()}@{socket.gethostname()}"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if beat:
        argv.append("--beat")
    celery.worker_main(argv)


@app.command(
    help="Запустить планировщик: ставит в очередь сбор источников, обработку постов, "
    "проверку сроков и отправку уведомлений."
)
def beat(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Start the scheduler that queues collection, processing, deadline checks, notifications."""
    _ctx, celery = _app(config, database)
    celery.start(["beat", "--loglevel", "INFO"])


@app.command(
    help="Состояние воркеров: длина очередей, работающие воркеры, последний запуск и сбои "
    "каждого шага."
)
def workers(
    json_output: JsonOption = False, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Health of scale-out: queue lengths, live workers, last run and failures of each step."""
    from monitor.workers.health import health

    ctx, celery = _app(config, database)
    report = health(celery, ctx.db)
    if json_output:
        print_json(asdict(report))
        return
    s = ctx.settings
    if report.broker_error:
        console.print(f"[bold red]Брокер {report.broker} недоступен:[/] {report.broker_error}")
    else:
        lengths = ", ".join(
            f"{name}: {'—' if count is None else count}" for name, count in report.queues.items()
        )
        console.print(f"Брокер {report.broker}; задач в очередях: {lengths}")
        console.print(
            f"Работающих воркеров: {len(report.workers)}"
            + (f" ({', '.join(report.workers)})" if report.workers else "")
        )
    console.print(
        f"Постов ждут обработки: {report.pending_posts}, в работе: {report.claimed_posts}; "
        f"источников со сбоями: {report.failing_sources}"
    )
    table = Table(title="Шаги")
    for column in ("Шаг", "Запуск", "Итог", "Длился, с", "Где", "Запусков", "Сбоев", "Ошибка"):
        table.add_column(column, overflow="fold")
    for step in report.steps:
        table.add_row(
            step["step"],
            local(s, step["last_started_at"]),
            STEP_STATUS.get(step["last_status"], step["last_status"]),
            "—" if step["last_seconds"] is None else f"{step['last_seconds']:.1f}",
            step["last_worker"] or "—",
            str(step["runs"]),
            str(step["failures"]),
            step["last_error"] or "—",
        )
    console.print(table)
