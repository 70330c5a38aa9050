"""Reading posts from JSONL files into the store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from monitor.errors import InputError
from monitor.records import PostRecord, record_from_dict
from monitor.storable import parse_json_line
from monitor.store.posts import StoreResult, ensure_source, store_posts

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one file brought: stored, refreshed, skipped lines with reasons."""

    read: int = 0
    stored: StoreResult = field(default_factory=StoreResult)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def read_jsonl(
    path: Path,
    *,
    skip_bad: bool = False,
    report: IngestReport | None = None,
    now: datetime | None = None,
) -> Iterator[PostRecord]:
    """Yield records from a JSONL file; a bad line is an error, or a logged skip."""
    report = report if report is not None else IngestReport()
    if not path.exists():
        raise InputError(f"Файл не найден: {path}")
    if path.is_dir():
        raise InputError(f"Это папка, а не файл: {path}")
    with path.open("rb") as handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            try:
                record = record_from_dict(parse_json_line(raw_line, first=number == 1), now=now)
            except InputError as exc:
                problem = str(exc)
            else:
                report.read += 1
                yield record
                continue
            if not skip_bad:
                raise InputError(f"{path}, строка {number}: {problem}")
            log.info("%s, строка %d пропущена: %s", path, number, problem)  # the CLI lists them
            report.skipped.append((number, problem))


def ingest_file(
    engine: Engine,
    path: Path,
    *,
    source_name: str | None = None,
    network: str = "file",
    skip_bad: bool = False,
    replay: bool = False,
    shift: timedelta | None = None,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Store a JSONL file's posts, all or nothing; safe to run twice.

    Posts go under `source_name`, else the record's own `source_name`, else `file:NAME`.

    `replay` stores each post as collected when it was published; `shift` moves every
    publication time (the demo moves its sample week up to the present).
    """
    report = IngestReport()
    default_name = f"file:{path.name}"
    records = read_jsonl(path, skip_bad=skip_bad, report=report, now=now)
    if shift:
        records = (replace(r, published_at=r.published_at + shift) for r in records)
    source_ids: dict[str, int] = {}
    with engine.begin() as connection:

        def flush(chunk: list[PostRecord]) -> None:
            by_source: dict[str, list[PostRecord]] = {}
            for record in chunk:
                name = source_name or str(record.raw.get("source_name") or default_name)
                by_source.setdefault(name, []).append(record)
            for name, records_of_source in by_source.items():
                if name not in source_ids:
                    source_ids[name] = ensure_source(
                        connection,
                        name,
                        records_of_source[0].network if name != default_name else network,
                        address=str(path),
                    )
                report.stored.add(
                    store_posts(
                        connection,
                        source_ids[name],
                        records_of_source,
                        collected_at=now,
                        replay=replay,
                    )
                )
            if progress:
                progress(len(chunk))

        chunk: list[PostRecord] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= 2000:
                flush(chunk)
                chunk = []
        if chunk:
            flush(chunk)
    return report
