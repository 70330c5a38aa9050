"""Deadline commands: `tick`, `incident pause/resume`, `notify send`."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.cli.app import (
    ActorOption,
    ConfigOption,
    DatabaseOption,
    NowOption,
    actor_name,
    app,
    open_context,
)
from monitor.cli.core import incident_app
from monitor.cli.render import console, local
from monitor.incidents import pausing

notify_app = typer.Typer(help="Уведомления по почте и в Telegram.", no_args_is_help=True)
app.add_typer(notify_app, name="notify")


@app.command(help="Проверить все открытые инциденты: просрочки, эскалации, уведомления.")
def tick(
    send: Annotated[
        bool, typer.Option("--send", help="Заодно отправить уведомления, срок которых наступил")
    ] = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Check every open incident once: mark overdue, escalate, queue notifications."""
    from monitor.incidents.deadlines import tick as run_tick

    ctx = open_context(config, database, now)
    report = run_tick(ctx, ctx.now())
    console.print(
        f"Проверено открытых инцидентов: {report.checked}, просрочено впервые: "
        f"{report.overdue_marked}, снято с просрочки: {report.overdue_cleared}, "
        f"эскалаций: {report.escalations}, уведомлений в очереди: {report.notifications_queued}"
    )
    if send:
        from monitor.notify import deliver_pending

        _print_delivery(deliver_pending(ctx, ctx.now()))


@notify_app.command(
    "send",
    help="Отправить уведомления, срок которых наступил (неудачные повторяются позже).",
)
def notify_send(
    now: NowOption = None, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Send the queued notifications that are due (failed sends wait and retry)."""
    from monitor.notify import deliver_pending

    ctx = open_context(config, database, now)
    _print_delivery(deliver_pending(ctx, ctx.now()))


def _print_delivery(report) -> None:
    console.print(
        f"Отправлено уведомлений: {report.sent}, отложено до повтора: {report.deferred}, "
        f"не доставлено: {report.failed}, пропущено: {report.skipped}"
    )


@incident_app.command("pause", help="Приостановить инцидент (ожидание): часы сроков стоят.")
def incident_pause(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[
        str | None, typer.Option(help="Чего ждёт инцидент (автора, другого ведомства)")
    ] = None,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Put an incident in `waiting`: its deadline clock stops."""
    ctx = open_context(config, database, now)
    pausing.pause(ctx.db, incident_id, actor=actor_name(actor), now=ctx.now(), reason=reason)
    console.print(f"Инцидент {incident_id} ожидает, отсчёт сроков остановлен")


@incident_app.command(
    "resume",
    help="Вернуть инцидент в работу; сроки сдвигаются на время ожидания.",
)
def incident_resume(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Take an incident out of `waiting`; its deadlines move by the time it waited."""
    ctx = open_context(config, database, now)
    values = pausing.resume(
        ctx.db, ctx.settings, incident_id, actor=actor_name(actor), now=ctx.now()
    )
    s = ctx.settings
    console.print(
        f"Инцидент {incident_id} возобновлён. Срок первого ответа: "
        f"{local(s, values['first_response_due'])}, окончательного: "
        f"{local(s, values['final_answer_due'])}"
    )
