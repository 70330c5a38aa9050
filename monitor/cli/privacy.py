"""The `purge` command: authors' personal data past `privacy.retention_days`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from monitor.cli.app import ConfigOption, DatabaseOption, JsonOption, NowOption, app, open_context
from monitor.cli.render import console, print_json
from monitor.privacy import purge as run_purge


@app.command(help="Обезличить авторов постов старше срока хранения (privacy.retention_days).")
def purge(
    now: NowOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Pseudonymise authors' names, ids and links of posts past the retention period."""
    ctx = open_context(config, database, now)
    report = run_purge(ctx.db, ctx.settings, now=ctx.now())
    if json_output:
        print_json({"cutoff": report.cutoff, "posts": report.posts, "authors": report.authors})
        return
    if report.cutoff is None:
        console.print("Срок хранения не задан (privacy.retention_days): ничего не удалено")
        return
    cutoff = report.cutoff.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%d.%m.%Y %H:%M")
    console.print(
        f"Обезличено постов: {report.posts}, авторов: {report.authors} "
        f"(опубликованных раньше {cutoff})"
    )
