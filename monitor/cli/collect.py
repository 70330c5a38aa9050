"""Collector commands: `collect` (one pass), `sources` (health), `run` (the scheduler)."""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from monitor.cli.app import ConfigOption, DatabaseOption, JsonOption, app, open_context
from monitor.cli.render import console, local, print_json
from monitor.collectors.health import STATUS_NAMES
from monitor.config import Settings
from monitor.streams import STREAM_NAMES

if TYPE_CHECKING:
    from monitor.collectors.runner import SourceReport

# The network clients (vk-api, httpx, feedparser, selectolax) are imported inside the
# commands that read sources, so that every other command starts fast.

KIND_NAMES = {
    "vk": "ВКонтакте",
    "ok": "Одноклассники",
    "telegram": "Telegram",
    "rss": "RSS",
    "file": "файл",
}
REPORT_STATUS = {**STATUS_NAMES, "interrupted": "прервано", "disabled": "выключен"}


def setup_logging(level: int) -> None:
    """Log lines to stderr; request logs of the HTTP libraries only when they fail."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _no_sources(settings: Settings) -> bool:
    if settings.sources:
        return False
    console.print("В настройках нет источников: добавьте их в раздел sources файла config.yaml")
    return True


def _report_table(settings: Settings, reports: list[SourceReport]) -> Table:
    table = Table(title="Сбор")
    for column in ("Источник", "Тип", "Получено", "Новых", "Обновлено", "Пропущено", "Итог"):
        table.add_column(column, overflow="fold")
    for report in reports:
        outcome = REPORT_STATUS.get(report.status, report.status)
        if report.parked_until:
            outcome += f" до {local(settings, report.parked_until)}"
        if report.error:
            outcome += f": {report.error}"
        table.add_row(
            report.name,
            KIND_NAMES.get(report.kind, report.kind),
            str(report.fetched),
            str(report.inserted),
            str(report.refreshed),
            str(report.skipped),
            outcome,
        )
    return table


@app.command(
    help="Один раз опросить все настроенные источники (или названные) и сохранить новые посты.",
)
def collect(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Только этот источник (по имени; можно повторить)"),
    ] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Read every configured source once (or the named ones) and store new posts."""
    from monitor.collectors.registry import configured
    from monitor.collectors.runner import collect_pass, toolkit

    ctx = open_context(config, database)
    if _no_sources(ctx.settings):
        return
    setup_logging(logging.WARNING)
    selected = configured(ctx.settings, source)
    with toolkit(ctx.settings) as tools:
        reports = collect_pass(ctx.db, ctx.settings, selected, tools, explicit=bool(source))
    if json_output:
        print_json([asdict(report) for report in reports])
        return
    console.print(_report_table(ctx.settings, reports))
    console.print(
        f"Новых постов: {sum(r.inserted for r in reports)}, "
        f"обновлён охват: {sum(r.refreshed for r in reports)}"
    )


@app.command(
    help="Источники и их состояние: последний успех, последняя ошибка, сбои, следующий опрос, "
    "поток и его порог релевантности.",
)
def sources(
    json_output: JsonOption = False, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Configured sources with their health: last success, last error, failures, next poll,
    and the stream with the relevance threshold its posts read at."""
    from monitor.collectors.registry import health, sync_sources
    from monitor.loop.registry import with_thresholds

    ctx = open_context(config, database)
    if _no_sources(ctx.settings):
        return
    with ctx.db.begin() as connection:
        sync_sources(connection, ctx.settings.sources)
        listing = health(connection, ctx.settings)
        with_thresholds(ctx, connection, listing)
    if json_output:
        print_json(listing)
        return
    table = Table(title="Источники")
    for column in (
        "Источник",
        "Тип",
        "Адрес",
        "Поток, порог",
        "Состояние",
        "Успех",
        "Ошибка",
        "Сбоев подряд",
        "Следующий опрос",
        "Постов",
    ):
        table.add_column(column, overflow="fold")
    for row in listing:
        error = row["last_error"] or "—"
        if row["last_error_at"]:
            error = f"{local(ctx.settings, row['last_error_at'])} {error}"
        status = REPORT_STATUS.get(row["status"], row["status"])
        if row["parked_until"]:
            status += f" до {local(ctx.settings, row['parked_until'])}"
        table.add_row(
            row["name"],
            KIND_NAMES.get(row["kind"], row["kind"]),
            row["address"],
            _stream_cell(row["stream"], row["relevance_threshold"]),
            status,
            local(ctx.settings, row["last_success_at"]),
            error,
            str(row["consecutive_failures"]),
            local(ctx.settings, row["next_poll_at"]) if row["enabled"] else "—",
            str(row["posts"]),
        )
    console.print(table)


def _stream_cell(stream: str, threshold: float | None) -> str:
    name = STREAM_NAMES.get(stream, stream)
    return name if threshold is None else f"{name} · {threshold:g}"


@app.command(
    help="Работать без присмотра: опрашивать источники, обрабатывать посты, проверять сроки.",
)
def run(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Run unattended: collect sources on their intervals, process posts, check deadlines."""
    from monitor.scheduler import Scheduler, stop_on_signals

    ctx = open_context(config, database)
    setup_logging(logging.INFO)
    ctx.db  # fail now, with a clear message, when the store is not migrated  # noqa: B018
    stop = threading.Event()
    stop_on_signals(stop)
    console.print(
        f"Otklik работает: источников {len(ctx.settings.sources)}. "
        "Остановить: Ctrl-C или SIGTERM (после текущего шага)."
    )
    Scheduler(ctx, stop=stop).run()
    console.print("Остановлено.")
