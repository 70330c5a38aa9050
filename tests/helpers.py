"""Helpers shared by tests: run the CLI in-process and read what it printed."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.cli import main
from monitor.records import Author, PostRecord, Reach


@dataclass
class CliResult:
    """Exit code and output of one CLI run."""

    code: int
    out: str
    err: str


def run_cli(capsys, *args: str) -> CliResult:
    """Run `otklik ARGS` in this process, as a user would, and capture its output."""
    argv = sys.argv
    sys.argv = ["otklik", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def record(
    external_id: str,
    text: str = "текст",
    *,
    at: str = "2026-11-16T10:00:00+03:00",
    author: str | None = "u1",
    views: int | None = None,
    parent: str | None = None,
    repost_of: str | None = None,
    territory: str | None = None,
) -> PostRecord:
    """A post record for tests."""
    return PostRecord(
        external_id=external_id,
        network="vk",
        text=text,
        published_at=datetime.fromisoformat(at),
        author=Author(id=author, name=author),
        reach=Reach(views=views),
        parent_id=parent,
        repost_of=repost_of,
        territory=territory,
        raw={"id": external_id},
    )


def moment(text: str) -> datetime:
    """An aware datetime from ISO text (naive means UTC)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
