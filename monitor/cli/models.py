"""The model registry on the command line: list, evaluate, promote, roll back, thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

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
from monitor.config.base import check_stream
from monitor.context import Context
from monitor.errors import ConfigError, InputError
from monitor.streams import STREAM_NAMES

if TYPE_CHECKING:
    from monitor.loop import fair

# The registry, the fair check and the model (scikit-learn, NumPy) are imported inside the
# commands that use them, so that every other command starts fast.

models_app = typer.Typer(help="Реестр моделей: сравнить, сделать рабочей, откатить.")
app.add_typer(models_app, name="models")
out = Console(highlight=False)


@models_app.command("list", help="Зарегистрированные модели; рабочая отмечена.")
def models_list(
    as_json: JsonOption = False, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Registered models; the one in use is marked."""
    from monitor.loop import registry

    ctx = open_context(config, database)
    with ctx.db.connect() as connection:
        rows = registry.list_models(connection)
        current = registry.current_model(connection)
        by_stream = _thresholds(ctx, connection)
    listed = [
        {
            "name": row.name,
            "path": row.path,
            "model_version": row.model_version,
            "trained_at": row.trained_at,
            "centre_labels": ((row.data or {}).get("centre") or {}).get("rows"),
            "relevance_threshold": row.relevance_threshold,
            "stream_thresholds": row.stream_thresholds or {},
            "promoted_at": row.promoted_at,
            "promoted_by": row.promoted_by,
            "in_use": current is not None and row.id == current.id,
            "check": row.metrics,
        }
        for row in rows
    ]
    streams = {
        stream: {"threshold": chosen.value, "origin": chosen.origin}
        for stream, chosen in (by_stream or {}).items()
    }
    if as_json:
        print_json(
            {"configured": ctx.settings.classifier.model, "models": listed, "streams": streams}
        )
        return
    if current is None:
        out.print(f"Используется модель из настроек: {ctx.settings.classifier.model}")
    table = Table(title="Модели центра")
    for column in ("", "имя", "версия", "метки центра", "порог", "продвинута", "F1 проверки"):
        table.add_column(column)
    for item in listed:
        check = item["check"] or {}
        table.add_row(
            "●" if item["in_use"] else "",
            item["name"],
            item["model_version"],
            str(item["centre_labels"] or 0),
            _thresholds_cell(item["relevance_threshold"], item["stream_thresholds"]),
            f"{item['promoted_at']:%Y-%m-%d %H:%M} {item['promoted_by']}"
            if item["promoted_at"]
            else "",
            figure(check.get("f1")),
        )
    out.print(table)
    if by_stream:
        out.print(
            "Пороги релевантности по потокам сейчас: "
            + "; ".join(
                f"{STREAM_NAMES[stream]} ({stream}) {chosen.value:g} — {ORIGINS[chosen.origin]}"
                for stream, chosen in by_stream.items()
            )
        )


ORIGINS = {
    "registry": "реестр моделей",
    "config": "classifier.relevance_thresholds",
    "model": "единый порог модели",
}


def _thresholds(ctx: Context, connection) -> dict | None:
    """Each stream's threshold in use; None when the model's meta.json cannot be read."""
    from monitor.loop import registry

    try:
        return registry.thresholds_in_use(ctx, connection)
    except ConfigError:
        return None


def _thresholds_cell(single: float | None, by_stream: dict[str, float]) -> str:
    parts = [] if single is None else [f"{single:g}"]
    parts += [f"{stream} {value:g}" for stream, value in sorted(by_stream.items())]
    return ", ".join(parts)


def _evaluate_pair(ctx: Context, name: str) -> tuple[dict, dict, fair.FairCheck]:
    """The fair check of a registered model and of the model in use."""
    from monitor.classify import load_classifier
    from monitor.loop import fair, registry

    with ctx.db.connect() as connection:
        row = registry.get_model(connection, name)
        current = registry.current_model(connection)
        check = fair.fair_check(connection, ctx.settings, None)
    scores = fair.evaluate_on_check(
        load_classifier(registry.settings_for(ctx.settings, row)), check
    )
    in_use = fair.evaluate_on_check(
        load_classifier(registry.settings_for(ctx.settings, current)), check
    )
    in_use["name"] = current.name if current is not None else ctx.settings.classifier.model
    scores["name"] = name
    with ctx.db.begin() as connection:
        registry.save_metrics(connection, name, scores)
    return scores, in_use, check


def _print_pair(scores: dict, in_use: dict) -> None:
    table = Table(
        title=f"Честная проверка: {scores['n']} постов аудита ({scores['signals']} сигналов)"
    )
    for column in ("модель", "порог", "точность", "полнота", "F1", "постов в день", "сектор"):
        table.add_column(column)
    for item in (scores, in_use):
        table.add_row(
            item["name"],
            f"{item['threshold']:g}",
            figure(item["precision"]),
            figure(item["recall"]),
            figure(item["f1"]),
            f"{item['flagged_per_day']:g}",
            figure(item["sector_accuracy"]),
        )
    out.print(table)


@models_app.command(
    "evaluate",
    help="Оценить модель на проверенных аудитом постах центра, на которых она не училась.",
)
def models_evaluate(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    as_json: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Score a model on the centre's audit-labelled posts it did not train on (the fair check)."""
    ctx = open_context(config, database)
    scores, in_use, _ = _evaluate_pair(ctx, name)
    if as_json:
        print_json({"model": scores, "in_use": in_use})
    else:
        _print_pair(scores, in_use)


def _better_or_equal(scores: dict, in_use: dict) -> bool:
    return (scores["f1"] or 0.0) >= (in_use["f1"] or 0.0)


@models_app.command(
    "promote", help="Сделать модель рабочей для process и run (со следующей порции)."
)
def models_promote(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    force: Annotated[
        bool, typer.Option("--force", help="Сделать рабочей, даже если на честной проверке хуже")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Почему (обязательно с --force)")
    ] = None,
    actor: ActorOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Make a model the one process and run use (from their next batch)."""
    from monitor.loop import registry

    ctx = open_context(config, database)
    if force and not (reason and reason.strip()):
        raise InputError("--force требует --reason: почему модель продвигается без проверки")
    scores, in_use, check = _evaluate_pair(ctx, name)
    _print_pair(scores, in_use)
    if not force:
        if check.n == 0:
            raise InputError(
                "Нет размеченных постов аудита для честной проверки: разметьте очередь audit "
                "(otklik review suggest --queue audit) или используйте --force --reason"
            )
        if not _better_or_equal(scores, in_use):
            raise InputError(
                f"Модель {name} хуже используемой на честной проверке (F1 {figure(scores['f1'])} "
                f"против {figure(in_use['f1'])}); продвижение отменено. "
                "Настоять: --force --reason"
            )
    with ctx.db.begin() as connection:
        registry.promote(
            connection,
            name,
            actor=actor_name(actor),
            at=ctx.now(),
            reason=reason,
            evidence={"forced": force, "check": {"model": scores, "previous": in_use}},
        )
    typer.echo(f"Модель {name} используется с следующей партии обработки")


@models_app.command(
    "rollback", help="Отозвать продвинутую модель: снова работает предыдущая (или из настроек)."
)
def models_rollback(
    actor: ActorOption = None, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Withdraw the promoted model: the previous one (or the configured) is used again."""
    from monitor.loop import registry

    ctx = open_context(config, database)
    with ctx.db.begin() as connection:
        back = registry.rollback(connection, actor=actor_name(actor), at=ctx.now())
    typer.echo(f"Откат выполнен; используется {back or ctx.settings.classifier.model}")


@models_app.command(
    "threshold", help="Задать порог релевантности модели под целевую полноту по разметке аудита."
)
def models_threshold(
    name: Annotated[str, typer.Argument(help="Registered model name")],
    recall: Annotated[
        float | None,
        typer.Option("--recall", min=0.01, max=1.0, help="Целевая полнота на потоке"),
    ] = None,
    stream: Annotated[
        str | None,
        typer.Option(
            "--stream",
            help="Порог только для одного потока (community, official, news, search, appeals), "
            "по постам аудита этого потока; без него — единый порог модели",
        ),
    ] = None,
    clear: Annotated[
        bool,
        typer.Option(
            "--clear",
            help="Снять заданный порог (с --stream — порог потока): снова действует порог "
            "из конфигурации",
        ),
    ] = False,
    as_json: JsonOption = False,
    actor: ActorOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Set a model's relevance threshold (or one stream's) for a target recall, from the
    audit labels; `--clear` removes it."""
    from monitor.classify import load_classifier
    from monitor.loop import fair, registry

    if stream is not None:
        try:
            check_stream(stream)
        except ValueError as exc:
            raise InputError(f"--stream: {exc}") from None
    if clear == (recall is not None):
        raise InputError("Укажите либо --recall, либо --clear")
    ctx = open_context(config, database)
    if clear:
        with ctx.db.begin() as connection:
            registry.set_threshold(
                connection, name, None, actor=actor_name(actor), at=ctx.now(), stream=stream
            )
        whose = name if stream is None else f"{name} для потока {stream}"
        if as_json:
            print_json({"model": name, "stream": stream, "threshold": None})
        else:
            typer.echo(f"Порог {whose} снят: действует порог из конфигурации")
        return
    with ctx.db.connect() as connection:
        row = registry.get_model(connection, name)
        check = fair.fair_check(connection, ctx.settings, None, only=stream)
    if int(check.gold.sum()) == 0:
        where = "" if stream is None else f" потока {stream}"
        raise InputError(
            f"В честной проверке{where} нет ни одного сигнала: разметьте очередь audit"
        )
    model = load_classifier(registry.settings_for(ctx.settings, row))
    proba, _ = fair.model_scores(model, check)
    point = fair.threshold_for_recall(proba, check, recall)
    if point is None:
        raise InputError(f"Полнота {recall} недостижима ни при каком пороге")
    with ctx.db.begin() as connection:
        registry.set_threshold(
            connection,
            name,
            point["threshold"],
            actor=actor_name(actor),
            at=ctx.now(),
            stream=stream,
            target_recall=recall,
            check=point,
        )
    if as_json:
        print_json(
            {"model": name, "stream": stream, "target_recall": recall, "n": check.n, **point}
        )
        return
    whose = name if stream is None else f"{name} для потока {stream}"
    typer.echo(
        f"Порог {whose}: {point['threshold']:g}. Оценка в потоке: "
        f"полнота {figure(point['recall'])}, "
        f"точность {figure(point['precision'])}, постов в день для дежурного "
        f"{point['flagged_per_day']:g} (по {check.n} размеченным постам аудита)"
    )
