"""Information risk commands: `risks` (the list) and its subcommands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from monitor.cli.app import (
    ActorOption,
    ConfigOption,
    DatabaseOption,
    JsonOption,
    NowOption,
    actor_name,
    app,
    open_context,
)
from monitor.cli.render import console, local, print_json
from monitor.risks.store import KINDS, STATUSES, dismissal_labels, get_risk, list_risks

# The scan (the negativity model), the history (NumPy) and the actions (lemmas) are imported
# inside the commands that use them, so that every other command starts fast.

risks_app = typer.Typer(
    help="Инфориски: быстрое распространение, копии по источникам, негатив к власти. "
    "Без подкоманды: открытые риски по убыванию оценки.",
)
app.add_typer(risks_app, name="risks")

StatusOption = Annotated[
    str,
    typer.Option("--status", help="open (по умолчанию), handled, dismissed или all"),
]
KindOption = Annotated[
    str | None, typer.Option("--kind", help="spread, copies или negativity", show_default=False)
]
RiskId = Annotated[int, typer.Argument(metavar="ID", help="Risk number")]


def _list(ctx, status: str, kind: str | None, limit: int, json_output: bool) -> None:
    with ctx.db.connect() as connection:
        rows = list_risks(
            connection, status=None if status == "all" else status, kind=kind, limit=limit
        )
    if json_output:
        print_json([_public(row) for row in rows])
        return
    if not rows:
        console.print("Рисков нет")
        return
    table = Table(title="Информационные риски")
    for column in (
        "№",
        "Оценка",
        "Вид",
        "Статус",
        "Причина",
        "Публ.",
        "Ист.",
        "Инцидент",
        "Найден",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            f"{row['score']:.0f}",
            KINDS[row["kind"]],
            STATUSES[row["status"]],
            row["reason"],
            str(row["posts_count"]),
            str(row["sources_count"]),
            str(row["incident_id"] or "—"),
            local(ctx.settings, row["detected_at"]),
        )
    console.print(table)


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "kind_name": KINDS[row["kind"]], "status_name": STATUSES[row["status"]]}


@risks_app.callback(invoke_without_command=True)
def risks(
    typer_ctx: typer.Context,
    status: StatusOption = "open",
    kind: KindOption = None,
    limit: Annotated[int, typer.Option(help="Сколько рисков показать", min=1)] = 50,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Information risks by score, highest first (default: the open ones)."""
    if typer_ctx.invoked_subcommand is None:
        _list(open_context(config, database), status, kind, limit, json_output)


@risks_app.command("list", help="Инфориски по убыванию оценки (то же, что otklik risks).")
def risks_list(
    status: StatusOption = "open",
    kind: KindOption = None,
    limit: Annotated[int, typer.Option(help="Сколько рисков показать", min=1)] = 50,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Information risks by score, highest first (the same as `otklik risks`)."""
    _list(open_context(config, database), status, kind, limit, json_output)


@risks_app.command(
    "scan", help="Найти риски среди свежих постов, сохранить их и поставить уведомления в очередь."
)
def risks_scan(
    prune: Annotated[
        bool, typer.Option("--prune", help="Заодно проредить и удалить старую историю охвата")
    ] = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Look for risks among the recent posts, save them and queue notifications."""
    from monitor.risks.scan import scan, summary_lines

    ctx = open_context(config, database, now)
    for line in summary_lines(scan(ctx, ctx.now(), prune=prune)):
        console.print(line)


@risks_app.command(
    "show", help="Один риск: причина, посты (копии) и история охвата главного поста."
)
def risks_show(
    risk_id: RiskId,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """One risk: its reason, posts (copies) and the reach history of its main post."""
    from monitor.risks.history import reach_series

    ctx = open_context(config, database)
    with ctx.db.connect() as connection:
        risk = get_risk(connection, risk_id)
        history = reach_series(connection, [risk["post_id"]])[risk["post_id"]]
    if json_output:
        points = [
            {
                "at": p.at,
                "views": p.views,
                "likes": p.likes,
                "reposts": p.reposts,
                "comments": p.comments,
            }
            for p in history
        ]
        print_json({**_public(risk), "reach_history": points})
        return
    s = ctx.settings
    console.print(
        f"Риск №{risk['id']}: {KINDS[risk['kind']]}, оценка {risk['score']:.0f}, "
        f"{STATUSES[risk['status']]}"
    )
    console.print(risk["reason"])
    if risk["incident_id"]:
        console.print(f"Инцидент: №{risk['incident_id']}")
    if risk["note"]:
        console.print(f"Заметка: {risk['note']}")
    if history:
        points = ", ".join(f"{local(s, p.at)} — {p.measure}" for p in history[-8:])
        console.print(f"Охват главной публикации: {points}")
    for post in risk["posts"]:
        console.print(
            f"- [{post['source']}] {local(s, post['published_at'])} "
            f"{post['url'] or post['external_id']}: {post['text'][:160]}",
            markup=False,
        )


@risks_app.command("handle", help="Отметить риск отработанным с заметкой о том, что сделано.")
def risks_handle(
    risk_id: RiskId,
    note: Annotated[str, typer.Option("--note", help="Что сделано (обязательно)")],
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Mark a risk handled, with a note of what was done."""
    from monitor.risks import actions

    ctx = open_context(config, database, now)
    actions.handle(ctx.db, risk_id, note, actor=actor_name(actor), now=ctx.now())
    console.print(f"{actions.DONE['handle']}: №{risk_id}")


@risks_app.command("dismiss", help="Отклонить риск: он сохранится как разметка «это не риск».")
def risks_dismiss(
    risk_id: RiskId,
    note: Annotated[str | None, typer.Option("--note", help="Почему это не риск")] = None,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Dismiss a risk: it is kept as a label that this was no risk."""
    from monitor.risks import actions

    ctx = open_context(config, database, now)
    actions.dismiss(ctx.db, risk_id, note, actor=actor_name(actor), now=ctx.now())
    console.print(f"{actions.DONE['dismiss']}: №{risk_id}")


@risks_app.command("link", help="Связать риск с существующим инцидентом.")
def risks_link(
    risk_id: RiskId,
    incident_id: Annotated[int, typer.Argument(metavar="INCIDENT", help="Incident number")],
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Tie a risk to an existing incident."""
    from monitor.risks import actions

    ctx = open_context(config, database, now)
    actions.link(ctx.db, risk_id, incident_id, actor=actor_name(actor), now=ctx.now())
    console.print(f"{actions.DONE['link']}: риск №{risk_id} → инцидент №{incident_id}")


@risks_app.command("incident", help="Создать инцидент из главного поста риска и связать их.")
def risks_incident(
    risk_id: RiskId,
    sector: Annotated[str | None, typer.Option(help="Сектор (по умолчанию — по модели)")] = None,
    risk: Annotated[
        str | None, typer.Option(help="Уровень риска (по умолчанию — по модели)")
    ] = None,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create an incident from the risk's main post and link them."""
    from monitor.risks import actions

    ctx = open_context(config, database, now)
    incident_id = actions.open_incident(
        ctx.db,
        ctx.settings,
        risk_id,
        actor=actor_name(actor),
        now=ctx.now(),
        sector=sector,
        risk=risk,
    )
    console.print(f"{actions.DONE['incident']}: №{incident_id}")


@risks_app.command("prune", help="Проредить и удалить старую историю охвата (risks.history).")
def risks_prune(
    now: NowOption = None, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Thin and drop old reach history (risks.history)."""
    from monitor.risks.history import prune_history

    ctx = open_context(config, database, now)
    with ctx.db.begin() as connection:
        report = prune_history(connection, ctx.settings.risks.history, ctx.now())
    console.print(f"Прорежено точек охвата: {report.thinned}, удалено старых: {report.dropped}")


@risks_app.command(
    "labels", help="Записать посты отклонённых рисков как разметку (не риск) для переобучения."
)
def risks_labels(
    out: Annotated[Path, typer.Option("--out", help="Файл JSONL для записи")],
    kind: KindOption = "negativity",
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Write the posts of dismissed risks as labels (no risk) for retraining."""
    ctx = open_context(config, database)
    with ctx.db.connect() as connection:
        rows = [row for row in dismissal_labels(connection) if kind is None or row["kind"] == kind]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    console.print(f"Записано меток «не риск»: {len(rows)} в {out}")
