"""Commands of answers where residents wrote: publish, reopen, read reactions."""

from __future__ import annotations

from typing import Annotated

import typer

from monitor.analytics.wording import hours, percent
from monitor.cli.analytics import FromOption, ToOption, WeekOption, _period
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

# Publishing (vk-api), reactions (the model) and the page alerts (notifications) are imported
# inside their commands, so that every other command starts fast.


@incident_app.command(
    "publish",
    help="Опубликовать ответ под постом или комментарием жителя в VK (один раз, в журнале).",
)
def incident_publish(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    text: Annotated[str, typer.Option("--text", help="Текст ответа для публикации")],
    target: Annotated[
        str | None,
        typer.Option("--target", help="Внешний id поста или комментария, под которым ответить"),
    ] = None,
    interim: Annotated[bool, typer.Option("--interim", help="Промежуточный ответ")] = False,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Publish an answer under the resident's VK post or comment (once; retried; audited)."""
    ctx = open_context(config, database, now)
    from monitor.publish.service import publish

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


@incident_app.command(
    "reopen",
    help="Переоткрыть отвеченный, закрытый или отклонённый инцидент с новым сроком ответа.",
)
def incident_reopen(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="Почему инцидент переоткрыт")],
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


@app.command(
    "reactions",
    help="Прочитать реакции жителей на недавние ответы; недовольство переоткрывает инцидент.",
)
def reactions_command(
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Read residents' reactions to recent answers; not satisfied reopens the incident."""
    ctx = open_context(config, database, now)
    from monitor.satisfaction.reactions import scan

    report = scan(ctx, ctx.now())
    if as_json:
        print_json(report.__dict__)
        return
    console.print(
        f"Прочитано реакций: {report.read}; довольны: {report.satisfied}, не довольны: "
        f"{report.not_satisfied}, без ясной реакции: {report.unclear}; переоткрыто: "
        f"{len(report.reopened)}"
    )


@app.command(
    "pages",
    help="Госпаблики: доля ответов в комментариях, медиана времени ответа, без ответа, конфликты.",
)
def pages_command(
    week: WeekOption = None,
    first: FromOption = None,
    last: ToOption = None,
    notify: Annotated[
        bool, typer.Option("--notify", help="Поставить в очередь уведомления о сигналах без ответа")
    ] = False,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Official pages (госпаблики): answered share, median answer time, unanswered, conflicts."""
    from monitor.official.alerts import queue_unanswered
    from monitor.official.stats import all_pages, model_reader

    ctx = open_context(config, database, now)
    period = _period(ctx, week, first, last)
    with ctx.db.connect() as connection:
        found = all_pages(connection, ctx.settings, period, reader=model_reader(ctx.settings))
    queued = queue_unanswered(ctx, ctx.now()) if notify else None
    if as_json:
        print_json(
            {
                "period": period.as_dict(),
                "pages": [
                    {
                        "name": s.page.name,
                        "recipient": s.page.recipient,
                        "posts": s.posts,
                        "comments": s.comments,
                        "signals": len(s.signals),
                        "answered": s.answered,
                        "answered_share": s.answered_share,
                        "median_answer_hours": s.median_answer_hours,
                        "unanswered": [{"url": u.url, "text": u.text} for u in s.unanswered],
                        "conflicts": [
                            {"kind": c.kind, "url": c.url, "answer": c.answer} for c in s.conflicts
                        ],
                    }
                    for s in found
                ],
                "notifications_queued": queued,
            }
        )
        return
    if not found:
        console.print("Официальные страницы не указаны (official_pages.pages)")
    for s in found:
        console.print(
            escape(
                f"{s.page.name}: постов {s.posts}, комментариев {s.comments}, вопросов и жалоб "
                f"{len(s.signals)}, отвечено {percent(s.answered_share)}, медиана ответа "
                f"{hours(s.median_answer_hours)}, без ответа {len(s.unanswered)}, "
                f"конфликтов {len(s.conflicts)}"
            )
        )
        for signal in s.unanswered[:10]:
            console.print(escape(f"  без ответа: {signal.url or ''} «{signal.text[:100]}»"))
    if queued is not None:
        console.print(f"Уведомлений поставлено в очередь: {queued}")
