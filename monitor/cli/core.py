"""The spine commands: init, ingest, process, queue, incident actions, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
from monitor.cli.render import console, escape, local, print_json, queue_table, sector_name
from monitor.cli.web import demo_login
from monitor.context import Context
from monitor.errors import InputError
from monitor.incidents import service
from monitor.incidents.history import EventWording
from monitor.incidents.lifecycle import RISK_NAMES, STATUS_NAMES
from monitor.incidents.queue import QueueFilter, count_incidents, get_incident, list_incidents
from monitor.incidents.routing import sync_recipients
from monitor.ingest import ingest_file
from monitor.store import upgrade
from monitor.summary import queue_summary

incident_app = typer.Typer(help="Просмотр инцидента и действия с ним.", no_args_is_help=True)
app.add_typer(incident_app, name="incident")


def progress_bar() -> Progress:
    """The progress bar used for long work."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # a pipe or a log gets no bar and no blank line
    )


def init_store(ctx: Context) -> None:
    """Create or migrate the database and load recipients from config."""
    upgrade(ctx.engine)
    with ctx.engine.begin() as connection:
        sync_recipients(connection, ctx.settings)


@app.command(help="Создать или обновить базу данных (миграции).")
def init(config: ConfigOption = None, database: DatabaseOption = None) -> None:
    """Create or migrate the database (Alembic migrations)."""
    ctx = open_context(config, database)
    init_store(ctx)
    console.print(f"База готова: {ctx.settings.database.url}")


@app.command(help="Загрузить посты из файла JSONL; повторная загрузка ничего не дублирует.")
def ingest(
    file: Annotated[Path, typer.Argument(help="Файл постов JSONL")],
    source: Annotated[
        str | None,
        typer.Option("--source", help="Имя источника для сохранения (по умолчанию file:ИМЯ)"),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option(
            "--skip-bad",
            help="Пропускать испорченные строки с предупреждением, а не останавливаться",
        ),
    ] = False,
    replay: Annotated[
        bool,
        typer.Option(
            "--replay", help="Считать посты собранными в момент публикации (исторические данные)"
        ),
    ] = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Store posts from a JSONL file; running it twice stores nothing twice."""
    ctx = open_context(config, database)
    if not file.is_file():
        raise InputError(f"Файл не найден: {file}")
    engine = ctx.db
    with progress_bar() as bar:
        task = bar.add_task(f"Загрузка {escape(file.name)}", total=None)
        report = ingest_file(
            engine,
            file,
            source_name=source,
            skip_bad=skip_bad,
            replay=replay,
            progress=lambda n: bar.advance(task, n),
            now=ctx.now(),
        )
    stored = report.stored
    console.print(
        f"Прочитано {report.read}, новых {stored.inserted}, "
        f"обновлён охват {stored.reach_updated}, без изменений {stored.unchanged}, "
        f"пропущено строк {len(report.skipped)}"
    )
    for number, problem in report.skipped[:20]:
        console.print(f"  строка {number}: {escape(problem)}")


def run_process(ctx: Context) -> None:
    """Process pending posts with a progress bar and print what was done."""
    from monitor.pipeline import pending_count, process_pending

    with ctx.db.connect() as connection:
        total = pending_count(connection)
    with progress_bar() as bar:
        task = bar.add_task("Классификация и группировка", total=total)
        report = process_pending(ctx, progress=lambda n: bar.advance(task, n))
    console.print(
        f"Обработано постов: {report.classified}, сигналов: {report.relevant}, "
        f"новых инцидентов: {report.incidents_created}, "
        f"постов в инцидентах: {report.posts_grouped}"
    )


@app.command(
    help="Классифицировать новые посты, сгруппировать в инциденты, направить, назначить сроки.",
)
def process(
    now: NowOption = None, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Classify unclassified posts, group them into incidents, route, set deadlines."""
    run_process(open_context(config, database, now))


@app.command(help="Очередь инцидентов: самые срочные и новые первыми.")
def queue(
    status: Annotated[
        str | None, typer.Option(help="open (по умолчанию), all или один статус")
    ] = None,
    sector: Annotated[str | None, typer.Option(help="Код сектора")] = None,
    risk: Annotated[str | None, typer.Option(help="low, medium, high или critical")] = None,
    territory: Annotated[str | None, typer.Option(help="Территория")] = None,
    recipient: Annotated[str | None, typer.Option(help="Код получателя")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Только просроченные")] = False,
    limit: Annotated[int, typer.Option(help="Сколько строк показать")] = 50,
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """The incident queue, most urgent and newest first."""
    ctx = open_context(config, database, now)
    flt = QueueFilter(
        status=status,
        sector=sector,
        risk=risk,
        territory=territory,
        recipient=recipient,
        overdue=overdue,
        limit=limit,
    )
    flt.validate({s.code for s in ctx.settings.sectors})
    with ctx.db.connect() as connection:
        rows = list_incidents(connection, flt, ctx.now())
        total = count_incidents(connection, flt, ctx.now()) if len(rows) == limit else len(rows)
    if as_json:
        print_json(rows)
    elif not rows:
        console.print("Очередь пуста: нет инцидентов с такими условиями")
    else:
        console.print(
            queue_table(ctx.settings, rows, f"Очередь инцидентов: {len(rows)} из {total}")
        )
        if total > len(rows):
            console.print(
                f"Показаны первые {len(rows)} из {total}, самые срочные. Остальные: "
                f"--limit {total}, или сузьте выборку (--sector, --risk, --territory, "
                "--recipient, --overdue)"
            )


@incident_app.command(
    "show",
    help="Один инцидент: публикации, классификация, получатель, сроки, история.",
)
def incident_show(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: JsonOption = False,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """One incident: its posts, classification, recipient, deadlines, history."""
    ctx = open_context(config, database, now)
    with ctx.db.connect() as connection:
        incident = get_incident(connection, incident_id, ctx.now())
    if as_json:
        print_json(incident)
        return
    s = ctx.settings
    console.print(f"[bold]Инцидент {incident['id']}[/]: {escape(incident['title'])}")
    console.print(
        escape(
            f"Сектор: {sector_name(s, incident['sector'])}"
            + (f" · проблема: {incident['category']}" if incident.get("category") else "")
            + " · риск: "
            f"{RISK_NAMES[incident['risk']]} · территория: {incident['territory'] or '—'}"
            f" · статус: {STATUS_NAMES[incident['status']]}"
        )
    )
    console.print(escape(f"Получатель: {incident['recipient_name'] or '—'}"))
    console.print(
        f"Срок первого ответа: {local(s, incident['first_response_due'])} · "
        f"окончательного: {local(s, incident['final_answer_due'])}"
        + (" · [bold red]просрочен[/]" if incident["overdue"] else "")
    )
    for post in incident["posts"]:
        header = (
            f"{post['role']} · {post['source_name']} · {post['author_name'] or '—'}"
            f" · {local(s, post['published_at'])} · {post['url'] or ''}"
        )
        console.print("\n" + escape(header))
        console.print("  " + escape(post["text"][:500]))
    console.print("\n[bold]История[/]")
    wording = EventWording(s)
    for event in incident["history"]:
        console.print("  " + escape(wording.event_line(event)))


@incident_app.command("assign", help="Назначить или переназначить инцидент получателю.")
def incident_assign(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    recipient: Annotated[str, typer.Argument(help="Код получателя")],
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Assign or reassign an incident to a recipient."""
    ctx = open_context(config, database, now)
    service.assign(ctx.db, incident_id, recipient, actor=actor_name(actor), now=ctx.now())
    console.print(f"Инцидент {incident_id} назначен: {recipient}")


@incident_app.command("answer", help="Записать промежуточный или окончательный ответ.")
def incident_answer(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    text: Annotated[str, typer.Option("--text", help="Текст ответа")],
    interim: Annotated[bool, typer.Option("--interim", help="Промежуточный ответ")] = False,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Record an interim or a final answer."""
    ctx = open_context(config, database, now)
    service.answer(
        ctx.db,
        incident_id,
        text,
        interim=interim,
        actor=actor_name(actor),
        now=ctx.now(),
        settings=ctx.settings,
    )
    console.print(
        f"Ответ по инциденту {incident_id} сохранён" + (" (промежуточный)" if interim else "")
    )


@incident_app.command("close", help="Закрыть инцидент.")
def incident_close(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Close an incident."""
    ctx = open_context(config, database, now)
    service.close(ctx.db, incident_id, actor=actor_name(actor), now=ctx.now())
    console.print(f"Инцидент {incident_id} закрыт")


@incident_app.command(
    "reject",
    help="Отклонить инцидент как нерелевантный (его посты станут разметкой).",
)
def incident_reject(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str | None, typer.Option(help="Причина")] = None,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Reject an incident as not relevant (its posts become labels)."""
    ctx = open_context(config, database, now)
    service.reject(ctx.db, incident_id, actor=actor_name(actor), now=ctx.now(), reason=reason)
    console.print(f"Инцидент {incident_id} отклонён как нерелевантный")


@incident_app.command(
    "reclassify",
    help="Исправить сектор, риск или территорию; сроки следуют новому риску.",
)
def incident_reclassify(
    incident_id: Annotated[int, typer.Argument(metavar="ID")],
    sector: Annotated[str | None, typer.Option(help="Код нового сектора")] = None,
    risk: Annotated[str | None, typer.Option(help="Новый риск")] = None,
    territory: Annotated[str | None, typer.Option(help="Новая территория")] = None,
    actor: ActorOption = None,
    now: NowOption = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Correct sector, risk or territory; deadlines follow the new risk."""
    ctx = open_context(config, database, now)
    changes = service.reclassify(
        ctx.db,
        ctx.settings,
        incident_id,
        actor=actor_name(actor),
        now=ctx.now(),
        sector=sector,
        risk=risk,
        territory=territory,
    )
    console.print(f"Инцидент {incident_id}: изменено {', '.join(changes) or 'ничего'}")


def print_summary(ctx: Context) -> None:
    """Print what an officer reads first."""
    s = ctx.settings
    with ctx.db.connect() as connection:
        summary = queue_summary(connection, ctx.now())
    console.print(f"\n[bold]{s.centre_name}: сводка на {local(s, ctx.now())}[/]")
    console.print(
        f"Постов: {summary.posts}, классифицировано: {summary.classified}, "
        f"сигналов жителей: {summary.relevant}"
    )
    console.print(
        f"Открытых инцидентов: {summary.open_incidents}, из них просрочено: "
        f"[bold red]{summary.overdue_count}[/]"
    )
    for title, counts, names in (
        ("По секторам", summary.by_sector, lambda c: sector_name(s, c)),
        ("По уровню риска", summary.by_risk, lambda c: RISK_NAMES.get(c, c)),
        ("По получателям", summary.by_recipient, lambda c: c),
    ):
        console.print(f"\n[bold]{title}[/]")
        for key, count in counts.items():
            console.print(f"  {names(key):<60} {count:>5}")
    if summary.overdue:
        console.print(queue_table(s, summary.overdue, "Просроченные инциденты"))


@app.command(help="Сводка очереди для оператора.")
def summary(
    now: NowOption = None, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Print the officer's summary of the queue."""
    print_summary(open_context(config, database, now))


@app.command(
    help="Демонстрация: база, образец постов к сегодняшнему дню, обработка, сроки, сводка.",
)
def demo(
    now: NowOption = None, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """Init, ingest the sample (moved up to the present), process, check deadlines, summarise."""
    from monitor.demo import play_officers, store_sample
    from monitor.incidents.deadlines import tick

    ctx = open_context(config, database, now)
    ctx.classifier  # noqa: B018  (a model that does not load fails before anything is stored)
    init_store(ctx)
    report = store_sample(ctx)
    console.print(
        f"Образец: неделя из {report.present.read} постов (новых {report.present.stored.inserted})"
        f" и четыре недели истории из тех же текстов ({report.history.read} постов, новых "
        f"{report.history.stored.inserted})"
    )
    run_process(ctx)
    play_officers(ctx, report)
    console.print(
        f"Работа операторов за прошлые недели: отвечено {report.answered}, "
        f"отклонено {report.rejected}"
    )
    checked = tick(ctx)
    console.print(
        f"Проверка сроков: просрочено {checked.overdue_marked}, эскалаций {checked.escalations}, "
        f"уведомлений в очереди {checked.notifications_queued}"
    )
    print_summary(ctx)
    demo_login(ctx, config, database)
