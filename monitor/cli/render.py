"""Printing for the CLI: JSON for machines, rich tables in Russian for people."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.config import Settings
from monitor.incidents.lifecycle import RISK_NAMES, STATUS_NAMES

# Wide when piped, so tables stay readable in logs and files (COLUMNS still wins).
console = Console(
    highlight=False, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 200
)


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    """Print data as JSON (datetimes in ISO 8601 with offset), UTF-8, not escaped."""
    print(json.dumps(data, default=_default, ensure_ascii=False, indent=2))


def figure(value: float | None) -> str:
    """A share or score to three decimals, a count whole, «—» for none."""
    if value is None:
        return "—"
    return f"{value:.3f}" if value <= 1 else f"{value:.0f}"


def local(settings: Settings, moment: datetime | None) -> str:
    """A moment in the centre's time zone, short."""
    if moment is None:
        return "—"
    zone = ZoneInfo(settings.timezone) if settings.timezone else UTC
    return moment.astimezone(zone).strftime("%d.%m %H:%M")


def sector_name(settings: Settings, code: str | None) -> str:
    """Russian name of a sector code."""
    names = {s.code: s.name for s in settings.sectors}
    return names.get(code or "", code or "—")


WIDE_QUEUE = 120  # below this many columns the queue folds sector, place and recipient


def queue_table(
    settings: Settings, rows: list[dict], title: str, width: int | None = None
) -> Table:
    """The queue as a table an officer reads: the number always whole, at any width.

    From `WIDE_QUEUE` columns every field has its own column; below it (an 80-column
    terminal) sector, territory, status and recipient go under the title, so that the
    number, the risk and the deadline keep their room.
    """
    wide = (width or console.width) >= WIDE_QUEUE
    table = Table(title=title, show_lines=not wide, expand=not wide)
    id_width = max((len(str(row["id"])) for row in rows), default=1)
    table.add_column("№", no_wrap=True, min_width=max(id_width, 2), justify="right")
    table.add_column("Риск", no_wrap=True, min_width=11)
    if wide:
        for column in ("Сектор", "Территория", "Статус", "Получатель"):
            table.add_column(column, no_wrap=True, max_width=28, overflow="ellipsis")
    table.add_column("Срок ответа", no_wrap=True, min_width=11)
    if wide:
        table.add_column("Постов", justify="right", no_wrap=True)
    table.add_column("Суть", overflow="fold", ratio=1, min_width=20)
    for row in rows:
        deadline = local(settings, row.get("first_response_due"))
        if row.get("overdue"):
            deadline = "[bold red]просрочен[/]" + (" " if wide else "\n") + deadline
        risk = RISK_NAMES.get(row["risk"], row["risk"])
        where = [
            escape(sector_name(settings, row["sector"])),
            escape(row.get("territory") or "—"),
            STATUS_NAMES.get(row["status"], row["status"]),
            escape(row.get("recipient_code") or "—"),
        ]
        title = escape(row["title"])
        posts_count = str(row.get("posts_count"))
        if wide:
            table.add_row(str(row["id"]), risk, *where, deadline, posts_count, title)
        else:
            details = " · ".join([*where, f"постов: {posts_count}"])
            table.add_row(str(row["id"]), risk, deadline, f"{title}\n[dim]{details}[/]")
    return table
