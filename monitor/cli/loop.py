"""The analysts' loop on the command line: review and labels (models: monitor/cli/models.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from monitor.cli.analytics import FromOption, ToOption, WeekOption
from monitor.cli.app import (
    ActorOption,
    ConfigOption,
    DatabaseOption,
    JsonOption,
    actor_name,
    app,
    open_context,
)
from monitor.cli.render import figure, print_json
from monitor.context import Context
from monitor.errors import InputError
from monitor.loop import labels, queues
from monitor.loop.stats import review_stats

if TYPE_CHECKING:
    pass

# The registry, the fair check and the model (scikit-learn, NumPy) are imported inside the
# commands that use them, so that every other command starts fast.

review_app = typer.Typer(help="Разметка: посты для разметки и оценки качества потока.")
labels_app = typer.Typer(help="Разметка центра: загрузка и выгрузка.")
app.add_typer(review_app, name="review")
app.add_typer(labels_app, name="labels")
out = Console(highlight=False)


def _review_period(ctx: Context, week, first, last):
    return queues.review_period(ctx.settings, ctx.now(), week=week, first=first, last=last)


@review_app.command(
    "suggest", help="Следующие посты для разметки (id как при загрузке, текст, решение модели)."
)
def review_suggest(
    queue: Annotated[
        str, typer.Option("--queue", help="uncertain, audit или corrections")
    ] = "uncertain",
    n: Annotated[int, typer.Option("--n", min=1, max=10_000, help="Сколько постов")] = 20,
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """The next posts to label (id as ingested, text, the model's decision)."""
    from monitor.loop import registry

    ctx = open_context(config, database)
    period = _review_period(ctx, week, first, last)
    with ctx.db.connect() as connection:
        threshold = registry.current_threshold(ctx, connection)
        items = queues.suggest(
            connection, ctx.settings, queue=queue, period=period, threshold=threshold, n=n
        )
    if as_json:
        for item in items:
            typer.echo(json.dumps(item, ensure_ascii=False, default=str))
        return
    table = Table(title=f"Очередь «{queue}»: {len(items)} постов, {period.label()}")
    for column in ("id", "решение модели", "p", "сектор", "текст"):
        table.add_column(column)
    for item in items:
        model = item["model"]
        table.add_row(
            item["id"],
            "сигнал" if model["relevant"] else "не сигнал",
            f"{model['relevance_proba']:.2f}",
            (model["sector"] or "—") if model["relevant"] else "—",
            item["text"][:120],
        )
    out.print(table)


@review_app.command(
    "stats",
    help="Точность и полнота потока по аудиторской выборке с интервалами; точность секторов.",
)
def review_stats_command(
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Stream precision and recall from the audit sample, with intervals; sector accuracy."""
    ctx = open_context(config, database)
    period = _review_period(ctx, week, first, last)
    with ctx.db.connect() as connection:
        stats = review_stats(connection, ctx.settings, period)
    if as_json:
        print_json(stats)
        return
    audit = stats["audit"]
    out.print(
        f"Период: {period.label()}. Постов: {stats['posts']} (сигналов по модели "
        f"{stats['accepted']}, отклонено {stats['rejected']}); размечено {stats['labelled']}."
    )
    out.print(
        f"Выборка аудита: {audit['accepted']['labelled']} из принятых, "
        f"{audit['rejected']['labelled']} из отклонённых"
    )
    level = f"{audit['level']:.0%}"
    for key, name in (
        ("precision", "Точность"),
        ("recall", "Полнота"),
        ("missed_signals", "Пропущено сигналов"),
    ):
        value = audit[key]
        if value["estimate"] is None:
            out.print(f"{name}: нет данных (разметьте очередь audit)")
        else:
            out.print(
                f"{name}: {figure(value['estimate'])} "
                f"({level} интервал {figure(value['low'])}–{figure(value['high'])})"
            )
    sector = stats["sector_accuracy"]
    if sector["estimate"] is not None:
        out.print(
            f"Точность сектора на проверенных сигналах: {sector['estimate']:.3f} "
            f"({figure(sector['low'])}–{figure(sector['high'])}, n={sector['n']})"
        )
    out.print("Метод: точность — Уилсон; полнота — MOVER-R по интервалам Уилсона двух страт.")


@labels_app.command(
    "import", help="Загрузить разметку из файла; повторная загрузка ничего не дублирует."
)
def labels_import(
    path: Annotated[Path, typer.Argument(help="JSONL: id, relevant, sector, risk, territory")],
    actor: ActorOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Store labels from a file; running it twice stores nothing twice."""
    ctx = open_context(config, database)
    if not path.is_file():
        raise InputError(f"Файл не найден: {path}")
    with ctx.db.begin() as connection:
        report = labels.import_labels(
            connection, ctx.settings, path, actor=actor_name(actor), at=ctx.now()
        )
    typer.echo(
        f"Прочитано {report.read}, сохранено {report.stored}, без изменений {report.unchanged}"
    )


@labels_app.command(
    "export",
    help="Выгрузить все размеченные посты с последней меткой (для labels import или train --data).",
)
def labels_export(
    out_path: Annotated[Path, typer.Option("--out", help="Файл JSONL для записи")],
    pseudonymise: Annotated[
        bool,
        typer.Option(
            "--pseudonymise",
            help="Авторы и разметчики — устойчивыми псевдонимами (ключ OTKLIK_PSEUDONYM_KEY); "
            "без имён и ссылок",
        ),
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write every labelled post with its latest label (for `labels import` or `train --data`)."""
    ctx = open_context(config, database)
    count = 0
    with ctx.db.connect() as connection, out_path.open("w", encoding="utf-8") as stream:
        for row in labels.export_rows(connection, pseudonymise=pseudonymise):
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    typer.echo(f"Выгружено меток: {count} → {out_path}")
