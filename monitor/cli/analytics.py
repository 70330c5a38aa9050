"""Analytics commands: `heatmap`, `ratings`, `growth`, `problems`, `report weekly`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from monitor.analytics.heatmap import cell_incidents, heat_map, heat_table
from monitor.analytics.labels import territory_name
from monitor.analytics.period import Period, centre_zone, resolve_period
from monitor.analytics.ratings import RANKING_RULE, recipient_ratings
from monitor.analytics.wording import change, hours, number, percent, signed
from monitor.cli.app import (
    ConfigOption,
    DatabaseOption,
    JsonOption,
    NowOption,
    app,
    open_context,
)
from monitor.cli.render import console, local, print_json
from monitor.context import Context
from monitor.errors import InputError
from monitor.incidents.lifecycle import RISK_NAMES, STATUS_NAMES
from monitor.incidents.routing import recipient_id as find_recipient

if TYPE_CHECKING:
    from monitor.analytics.growth import GrowthReport

# Growth, problems and the note need SciPy, scikit-learn, matplotlib and python-docx: they
# are imported inside their commands so that every other command starts fast.

report_app = typer.Typer(help="Отчёты для главы администрации.", no_args_is_help=True)
app.add_typer(report_app, name="report")

WeekOption = Annotated[
    str | None, typer.Option("--week", help="Неделя ISO, например 2026-W47", show_default=False)
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", help="Первый день (ГГГГ-ММ-ДД, местное время)", show_default=False),
]
ToOption = Annotated[
    str | None,
    typer.Option(
        "--to", help="Последний день включительно (по умолчанию сегодня)", show_default=False
    ),
]
RecipientOption = Annotated[
    str | None,
    typer.Option("--recipient", help="Только инциденты этого получателя (код)", show_default=False),
]


def _period(ctx: Context, week, first, last, default_days: int | None = None) -> Period:
    return resolve_period(
        zone=centre_zone(ctx.settings),
        now=ctx.now(),
        week=week,
        first=first,
        last=last,
        default_days=default_days,
    )


def _scope(ctx: Context, code: str | None) -> int | None:
    if code is None:
        return None
    with ctx.db.connect() as connection:
        return find_recipient(connection, code)


def _check_sector(ctx: Context, sector: str | None) -> None:
    known = {s.code for s in ctx.settings.sectors}
    if sector is not None and known and sector not in known:
        raise InputError(f"Неизвестный сектор: {sector} (есть: {', '.join(sorted(known))})")


@app.command(help="Инциденты по секторам и территориям с изменением к предыдущему периоду.")
def heatmap(
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    sector: Annotated[str | None, typer.Option(help="С --territory: инциденты клетки")] = None,
    territory: Annotated[
        str | None,
        typer.Option(help="С --sector: территория клетки («не определена» — без территории)"),
    ] = None,
    recipient: RecipientOption = None,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Incidents by sector × territory, with the change against the previous period."""
    ctx = open_context(config, database, now)
    period = _period(ctx, week, first, last)
    scope = _scope(ctx, recipient)
    _check_sector(ctx, sector)
    if (sector is None) != (territory is None):
        raise InputError("Чтобы открыть клетку карты, укажите и --sector, и --territory")
    with ctx.db.connect() as connection:
        if sector is not None:
            listing = cell_incidents(
                connection, period, sector=sector, territory=territory, recipient_id=scope
            )
            if as_json:
                print_json({"period": period.as_dict(), "incidents": [asdict(i) for i in listing]})
                return
            _print_cell(ctx, period, sector, territory, listing)
            return
        heat = heat_map(connection, ctx.settings, period, recipient_id=scope)
    if as_json:
        print_json(heat.as_dict())
        return
    # Each territory column needs about ten characters: as many as the terminal holds.
    fits = max(2, min(12, (console.width - 44) // 10))
    table = heat_table(heat, territories=fits)
    grid = Table(title=f"Инциденты за {period.label()} (изменение к предыдущему периоду)")
    grid.add_column("Сектор", min_width=16, max_width=24, overflow="fold")
    for name in table.territories:
        grid.add_column(name, justify="right", overflow="fold", min_width=5)
    grid.add_column("Всего", justify="right", no_wrap=True)
    grid.add_column("±", justify="right", no_wrap=True)
    for (code, name), counts in zip(table.sectors, table.counts, strict=True):
        total, before = heat.sector_total(code)
        grid.add_row(
            name, *(str(v) if v else "" for v in counts), str(total), signed(total - before)
        )
    console.print(grid)
    if len(heat.territories) > fits:
        console.print(
            f"Территорий с инцидентами: {len(heat.territories)}; показаны {fits} крупнейших, "
            "остальные в столбце «остальные». Все — в более широком окне, с --json или на "
            "странице «Тепловая карта»; клетка — --sector S --territory T."
        )
    console.print(
        f"Всего: {number(heat.total)} ({change(heat.total, heat.previous_total)}; "
        f"в предыдущем периоде {number(heat.previous_total)})"
    )


def _print_cell(ctx: Context, period: Period, sector: str, territory: str | None, listing) -> None:
    names = {s.code: s.name for s in ctx.settings.sectors}
    table = Table(
        title=f"{names.get(sector, sector)} · {territory_name(territory)} за {period.label()}"
    )
    for column in ("№", "Зарегистрирован", "Риск", "Статус", "Получатель", "Постов", "Суть"):
        table.add_column(column, no_wrap=column != "Суть")
    for item in listing:
        table.add_row(
            str(item.id),
            local(ctx.settings, item.created_at),
            RISK_NAMES.get(item.risk, item.risk),
            STATUS_NAMES.get(item.status, item.status),
            item.recipient_code or "—",
            str(item.posts_count),
            item.title,
        )
    console.print(table)
    console.print(f"Инцидентов в клетке: {number(len(listing))}")


@app.command(
    "ratings",
    help="Рейтинг получателей: инциденты, время первого ответа, доли в срок и окончательных.",
)
def ratings_command(
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    recipient: RecipientOption = None,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Rating of recipients: volume, time to first response, on-time and final-answer shares."""
    ctx = open_context(config, database, now)
    period = _period(ctx, week, first, last)
    scope = _scope(ctx, recipient)
    with ctx.db.connect() as connection:
        rows = recipient_ratings(connection, period, now=ctx.now(), recipient_id=scope)
    if as_json:
        print_json(
            {
                "period": period.as_dict(),
                "rule": RANKING_RULE,
                "ratings": [r.as_dict() for r in rows],
            }
        )
        return
    table = Table(title=f"Рейтинг получателей за {period.label()}")
    for column in (
        "Место",
        "Получатель",
        "Инцидентов",
        "Медиана 1-го ответа",
        "Среднее",
        "В срок",
        "Окончат. ответ",
        "Возвращено",
        "Довольны (из реакций)",
        "Переоткрыто",
        "Медиана устойчивого решения",
    ):
        table.add_column(column, justify="left" if column == "Получатель" else "right")
    for r in rows:
        table.add_row(
            str(r.rank),
            r.name,
            number(r.incidents),
            hours(r.median_first_response_hours),
            hours(r.mean_first_response_hours),
            percent(r.on_time_share),
            percent(r.answered_share),
            percent(r.rework_share),
            f"{percent(r.satisfaction_share)} ({number(r.with_reaction)})",
            percent(r.reopened_share),
            hours(r.median_fix_hours),
        )
    console.print(table)
    console.print(
        "В срок = отвечено в срок ÷ (все отвеченные + открытые просроченные). " + RANKING_RULE + "."
    )


@app.command(
    "growth",
    help="Аномальный рост по секторам и территориям против их базовой линии (по умолчанию 7 дней).",
)
def growth_command(
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    recipient: RecipientOption = None,
    show_all: Annotated[bool, typer.Option("--all", help="Показать и ряды без роста")] = False,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Growth alerts per sector and sector × territory against their baseline (default 7 days)."""
    from monitor.analytics.growth import growth_report

    ctx = open_context(config, database, now)
    period = _period(ctx, week, first, last, default_days=7)
    scope = _scope(ctx, recipient)
    with ctx.db.connect() as connection:
        report = growth_report(connection, ctx.settings, period, recipient_id=scope)
    if as_json:
        print_json(report.as_dict())
        return
    _print_growth(report, show_all)


def _print_growth(report: GrowthReport, show_all: bool) -> None:
    console.print(f"Рост за {report.period.label()}")
    if report.note:
        console.print(report.note)
        return
    console.print(report.test_description)
    shown = report.series if show_all else report.alerts
    if not report.alerts:
        console.print("Аномального роста не выявлено.")
    if not shown:
        return
    table = Table()
    for column in ("Ряд", "Сигналов", "Ожидалось", "p", "q", "Рост", "Что растёт"):
        table.add_column(column, justify="left" if column in ("Ряд", "Что растёт") else "right")
    for series in shown:
        drivers = "; ".join(f"{d.name} ({d.count})" for d in series.drivers[:9])
        table.add_row(
            ("[bold red]▲[/] " if series.alert else "") + series.title,
            number(series.test.observed),
            number(series.test.expected, 1),
            f"{series.test.p_value:.1e}",
            f"{series.q_value:.1e}",
            "да" if series.alert else "",
            drivers,
        )
    console.print(table)


@app.command("problems", help="Проблемы каждого сектора: категории инцидентов с примерами.")
def problems_command(
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    sector: Annotated[
        str | None, typer.Option(help="Только этот сектор (код); по умолчанию все")
    ] = None,
    recipient: RecipientOption = None,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Problem categories of each sector, found by clustering the incidents' texts."""
    from monitor.analytics.problems import problems_by_sector

    ctx = open_context(config, database, now)
    period = _period(ctx, week, first, last)
    scope = _scope(ctx, recipient)
    _check_sector(ctx, sector)
    with ctx.db.connect() as connection:
        found = problems_by_sector(
            connection,
            ctx.settings,
            period,
            sectors=[sector] if sector else None,
            recipient_id=scope,
        )
    if as_json:
        print_json({"period": period.as_dict(), "sectors": [s.as_dict() for s in found]})
        return
    if not found:
        console.print(f"За {period.label()} инцидентов нет.")
    for item in found:
        table = Table(title=f"{item.sector_name}: {number(item.incidents)} за {period.label()}")
        for column in ("Проблема", "Инцидентов", "Доля", "Пример"):
            table.add_column(
                column, justify="right" if column in ("Инцидентов", "Доля") else "left"
            )
        for category in item.categories:
            table.add_row(
                category.name,
                number(category.count),
                percent(category.share),
                f"№ {category.example_id}: {category.example_title}",
            )
        console.print(table)


@report_app.command(
    "weekly",
    help="Еженедельная аналитическая записка (DOCX или HTML) для главы администрации.",
)
def report_weekly(
    out: Annotated[
        Path, typer.Option("--out", help="Файл записки: .docx или .html", show_default=False)
    ],
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """The weekly analytical note (DOCX or HTML) for the head of the administration."""
    from monitor.analytics.report import note_writer, write_note
    from monitor.analytics.weekly import build_weekly_note

    note_writer(out)  # a wrong extension fails before the work, not after
    ctx = open_context(config, database, now)
    period = _period(ctx, week, first, last)
    note = build_weekly_note(ctx.db, ctx.settings, period, now=ctx.now())
    path = write_note(note, out)
    console.print(f"Записка за {period.label()} сохранена: {path}")
