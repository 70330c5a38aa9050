"""The source registry: config's `sources:` mirrored in the store, the collector of each kind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, or_, select, update

from monitor.config import Settings, SourceSettings
from monitor.errors import NotFound
from monitor.store.posts import ensure_source
from monitor.store.tables import posts, sources
from monitor.streams import source_stream

if TYPE_CHECKING:
    from monitor.collectors.base import Collector, Toolkit

# Where each collector lives; its module (and its network client) is imported on first use,
# so that the health listing and the scheduler's bookkeeping need no network library.
COLLECTORS: dict[str, str] = {
    "vk": "monitor.collectors.vk:VkWallCollector",
    "vk_search": "monitor.collectors.vk_search:VkSearchCollector",
    "ok": "monitor.collectors.ok:OkCollector",
    "telegram": "monitor.collectors.telegram:TelegramCollector",
    "rss": "monitor.collectors.rss:RssCollector",
    "file": "monitor.collectors.file:FileCollector",
}


def collector_class(source: SourceSettings) -> type[Collector]:
    """The collector that reads this source."""
    kind = "vk_search" if source.kind == "vk" and (source.keywords or source.geo) else source.kind
    module, name = COLLECTORS[kind].split(":")
    return getattr(import_module(module), name)


def build_collector(source: SourceSettings, settings: Settings, tools: Toolkit) -> Collector:
    """A collector for one source (may fail with NeedsOperator when a token is missing)."""
    return collector_class(source)(source, settings.collectors, tools)


def address_of(source: SourceSettings) -> str:
    """What the source reads, as one line for the store and the `sources` table."""
    if source.address:
        return source.address
    parts = []
    if source.keywords:
        parts.append("поиск: " + ", ".join(source.keywords))
    if source.geo:
        parts.append(f"рядом с {source.geo.latitude}, {source.geo.longitude}")
    return "; ".join(parts)[:500]


def sync_sources(connection: Connection, configured: Sequence[SourceSettings]) -> dict[str, int]:
    """Create or update configured sources; a new kind or address starts a new cursor."""
    ids: dict[str, int] = {}
    for source in configured:
        address = address_of(source)
        poll_seconds = round(source.poll_minutes * 60)
        source_id = ensure_source(
            connection,
            source.name,
            source.kind,
            address=address,
            territory=source.territory,
            poll_interval_s=poll_seconds,
        )
        row = connection.execute(select(sources).where(sources.c.id == source_id)).one()
        changes: dict[str, Any] = {}
        if (row.kind, row.address) != (source.kind, address):
            changes.update(kind=source.kind, address=address, cursor=None, next_poll_at=None)
        if row.territory != source.territory:
            changes["territory"] = source.territory
        if row.poll_interval_s != poll_seconds:
            changes.update(poll_interval_s=poll_seconds, next_poll_at=None)
        if row.enabled != source.enabled:
            changes["enabled"] = source.enabled
        if changes:
            connection.execute(update(sources).where(sources.c.id == source_id).values(changes))
        ids[source.name] = source_id
    return ids


def configured(settings: Settings, names: list[str] | None = None) -> list[SourceSettings]:
    """Configured sources, or the named ones (an unknown name is an error)."""
    if not names:
        return list(settings.sources)
    by_name = {source.name: source for source in settings.sources}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(by_name) or "нет ни одного"
        raise NotFound(f"Источник не найден в настройках: {', '.join(unknown)} (есть: {known})")
    return [by_name[name] for name in names]


def due_sources(connection: Connection, settings: Settings, now: datetime) -> list[SourceSettings]:
    """Enabled configured sources whose poll has come: new ones in config order, then the
    longest waiting first."""
    by_name = {source.name: source for source in settings.sources if source.enabled}
    rows = connection.execute(
        select(sources.c.name)
        .where(sources.c.name.in_(list(by_name)))
        .where(or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= now))
        .order_by(sources.c.next_poll_at.is_(None).desc(), sources.c.next_poll_at, sources.c.id)
    )
    return [by_name[row.name] for row in rows]


def next_due_at(connection: Connection, settings: Settings) -> datetime | None:
    """When the next enabled source is due."""
    names = [source.name for source in settings.sources if source.enabled]
    return connection.execute(
        select(func.min(sources.c.next_poll_at)).where(sources.c.name.in_(names))
    ).scalar()


def health(connection: Connection, settings: Settings) -> list[dict[str, Any]]:
    """Each configured source with its health and the number of posts stored from it."""
    names = [source.name for source in settings.sources]
    counts: dict[int, int] = dict(
        connection.execute(
            select(posts.c.source_id, func.count()).group_by(posts.c.source_id)
        ).all()
    )
    rows = {
        row.name: row
        for row in connection.execute(select(sources).where(sources.c.name.in_(names)))
    }
    configured_sources = {source.name: source for source in settings.sources}
    listing = []
    for name in names:
        row = rows.get(name)
        if row is None:
            continue
        listing.append(
            {
                "name": row.name,
                "kind": row.kind,
                "address": row.address,
                "territory": row.territory,
                "enabled": row.enabled,
                "status": row.status if row.enabled else "disabled",
                "poll_interval_s": row.poll_interval_s,
                "last_success_at": row.last_success_at,
                "last_error_at": row.last_error_at,
                "last_error": row.last_error,
                "consecutive_failures": row.consecutive_failures,
                "next_poll_at": row.next_poll_at,
                "parked_until": row.parked_until,
                "posts": counts.get(row.id, 0),
                "stream": source_stream(settings, configured_sources[name]),
            }
        )
    return listing
