"""Substring search over incident titles, indexed the way each database can.

SQLite: an FTS5 table with the trigram tokenizer (`incidents_fts`, external content over
`incidents`), kept in sync by triggers on `incidents`, so that every writer — grouping, bulk
loads, benchmarks — indexes what it writes in its own transaction. The trigram tokenizer folds
case for Cyrillic as well as Latin; a quoted phrase matches a substring of at least 3 characters.
Shorter queries, or a database without the table, fall back to a case-insensitive LIKE scan.

PostgreSQL: a GIN index with `gin_trgm_ops` on `incidents.title` (extension pg_trgm), which the
planner uses for ILIKE by itself; without the extension, ILIKE scans.

These objects are dialect-specific DDL, created by migration 0002, and so are not part of
`monitor.store.tables`; `include_name` keeps them out of the migrations-vs-tables comparison.
A later migration that rebuilds `incidents` on SQLite (batch mode copies the table) drops the
triggers and must create them again (their DDL is in migration 0002; tests/test_store.py checks
that they exist).
"""

from __future__ import annotations

import weakref

from sqlalchemy import ColumnElement, Connection, Engine, literal_column, select, text

from monitor.store.tables import incidents

FTS_TABLE = "incidents_fts"
TRGM_INDEX = "ix_incidents_title_trgm"
MIN_TRIGRAM_CHARS = 3

TRIGGER_NAMES = tuple(f"{FTS_TABLE}_{what}" for what in ("insert", "delete", "update"))

_has_fts: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic name filter: leave the search index objects out of autogenerate comparisons."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (type_ == "index" and name == TRGM_INDEX)


def _fts_ready(connection: Connection) -> bool:
    engine = connection.engine
    if _has_fts.get(engine):
        return True
    # Only a found table is remembered: a database migrated later in this process counts.
    ready = (
        connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
            {"name": FTS_TABLE},
        ).first()
        is not None
    )
    if ready:
        _has_fts[engine] = True
    return ready


def phrase(query: str) -> str:
    """An FTS5 query matching `query` as one literal phrase (quotes doubled)."""
    return '"' + query.replace('"', '""') + '"'


def title_contains(connection: Connection, query: str) -> ColumnElement[bool]:
    """SQL condition: the incident's title contains `query`, ignoring case (Cyrillic too)."""
    if (
        connection.dialect.name == "sqlite"
        and len(query) >= MIN_TRIGRAM_CHARS
        and "\x00" not in query  # FTS5's query parser ends a string at NUL
        and _fts_ready(connection)
    ):
        matches = (
            select(literal_column("rowid"))
            .select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=phrase(query)))
        )
        return incidents.c.id.in_(matches)
    # PostgreSQL answers ILIKE from the trigram index when it exists.
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return incidents.c.title.ilike(f"%{escaped}%", escape="\\")
