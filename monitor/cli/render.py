"""Printing for the CLI: JSON for machines, rich tables in Russian for people."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.config import Settings
from monitor.incidents.lifecycle import RISK_NAMES, STATUS_NAMES

# Wide when piped, so tables stay readable in logs and files.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    """Print data as JSON (datetimes in ISO 8601 with offset), UTF-8, not escaped."""
    print(json.dumps(data, default=_default, ensure_ascii=False, indent=2))


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


def queue_table(settings: Settings, rows: list[dict], title: str) -> Table:
    """The queue as a table an officer reads."""
    table = Table(title=title, show_lines=False, expand=False)
    for column in ("№", "Риск", "Сектор", "Территория", "Статус", "Получатель", "Срок ответа"):
        table.add_column(column, no_wrap=True)
    table.add_column("Постов", justify="right", no_wrap=True)
    table.add_column("Суть", overflow="ellipsis", no_wrap=True, max_width=60)
    for row in rows:
        mark = "[bold red]просрочен[/] " if row.get("overdue") else ""
        table.add_row(
            str(row["id"]),
            RISK_NAMES.get(row["risk"], row["risk"]),
            sector_name(settings, row["sector"]),
            escape(row.get("territory") or "—"),
            STATUS_NAMES.get(row["status"], row["status"]),
            row.get("recipient_code") or "—",
            mark + local(settings, row.get("first_response_due")),
            str(row.get("posts_count")),
            escape(row["title"]),
        )
    return table
