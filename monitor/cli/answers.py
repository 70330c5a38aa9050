"""Commands of answers where residents wrote: publish, reopen, read reactions."""

from __future__ import annotations

from typing import Annotated

import typer

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
from monitor.cli.core import incident_app
from monitor.cli.render import console, escape, local, print_json
from monitor.incidents.reopening import reopen
from monitor.publish.service import publish
from monitor.satisfaction.reactions import scan


@incident_app.command("publish")
def incident_publish(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    text: Annotated[str, typer.Option("--text", help="Answer text to publish")],
    target: Annotated[
        str | None,
        typer.Option("--target", help="External id of the post or comment to answer under"),
    ] = None,
    interim: Annotated[bool, typer.Option("--interim", help="An interim answer")] = False,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Publish an answer under the resident's VK post or comment (once; retried; audited)."""
    ctx = open_context(config, database, now)
    row = publish(
        ctx.db,
        ctx.settings,
        incident_id,
        text,
        kind="interim" if interim else "final",
        target=target,
        actor=actor_name(actor),
        now=ctx.now(),
    )
    if row["state"] == "sent":
        console.print(escape(f"Ответ опубликован: {row['published_url']}"))
        return
    console.print(escape(f"Ответ не опубликован: {row['last_error']}"))
    where = row["target_url"] or row["target_external_id"]
    console.print(escape(f"Текст сохранён; запись: {where}"))
    raise typer.Exit(1)


@incident_app.command("reopen")
def incident_reopen(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="Why the incident is reopened")],
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Reopen an answered, closed or rejected incident with a new answer deadline."""
    ctx = open_context(config, database, now)
    due = reopen(
        ctx.db, ctx.settings, incident_id, reason=reason, actor=actor_name(actor), now=ctx.now()
    )
    console.print(f"Инцидент {incident_id} переоткрыт; новый ответ до {local(ctx.settings, due)}")


@app.command("reactions")
def reactions_command(
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Read residents' reactions to recent answers; not satisfied reopens the incident."""
    ctx = open_context(config, database, now)
    report = scan(ctx, ctx.now())
    if as_json:
        print_json(report.__dict__)
        return
    console.print(
        f"Прочитано реакций: {report.read}; довольны: {report.satisfied}, не довольны: "
        f"{report.not_satisfied}, без ясной реакции: {report.unclear}; переоткрыто: "
        f"{len(report.reopened)}"
    )
