"""One scan for information risks: detect, save under stable keys, notify once.

`otklik risks scan` (and `otklik run`, every `risks.scan_minutes`) reads the posts of the
last `risks.spread.window_hours` with their reach history, runs the three detectors, saves
what they found (monitor/risks/store.py) and queues one notification per risk whose score
reaches `risks.notify_score`, to the centre (`notify.centre`, else `routing.fallback`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from monitor.context import Context
from monitor.incidents.grouping import make_title
from monitor.incidents.similarity import signature
from monitor.notify.outbox import Addressee, Outbox
from monitor.notify.templates import duration_words
from monitor.risks.copies import CopyCandidate, Story, find_stories
from monitor.risks.history import PruneReport, load_trajectories, prune_history
from monitor.risks.negativity import detect_negativity, load_negativity_model
from monitor.risks.spread import SpreadFinding, detect_spread
from monitor.risks.store import KINDS, Finding, save_findings
from monitor.store.tables import info_risks, posts, recipients

log = logging.getLogger(__name__)
TIES = {"repost": "репосты", "link": "общая ссылка", "text": "почти тот же текст"}


@dataclass
class ScanReport:
    """What one scan found and did."""

    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    new: int = 0
    updated: int = 0
    notifications: int = 0
    pruned: PruneReport = field(default_factory=PruneReport)
    negativity_scored: bool = False


def scan(ctx: Context, now: datetime | None = None, *, prune: bool = False) -> ScanReport:
    """Find the information risks of the recent posts, save them, notify; with `prune`, also
    thin and drop old reach history (`otklik run` does it once a day)."""
    now = now or ctx.now()
    settings = ctx.settings.risks
    report = ScanReport()
    since = now - timedelta(hours=settings.spread.window_hours)
    model = load_negativity_model(ctx)
    with ctx.db.connect() as connection:
        findings = spread_findings(connection, settings.spread, since)
        findings += copies_findings(connection, settings.copies, since)
        if model is not None:
            findings += detect_negativity(connection, settings.negativity, model, since)
            report.negativity_scored = True
    for finding in findings:
        report.found[finding.kind] += 1
    with ctx.db.begin() as connection:
        saved = save_findings(connection, findings, now)
        report.new, report.updated = len(saved.new), saved.updated
        report.notifications = notify_risks(ctx, connection, now)
        if prune:
            report.pruned = prune_history(connection, settings.history, now)
    return report


def spread_findings(connection: Connection, settings, since: datetime) -> list[Finding]:
    """Fast spread among the posts published since `since`, as risks."""
    found = detect_spread(load_trajectories(connection, since), settings)
    if not found:
        return []
    ids = [f.post_id for f in found]
    has_views = {}
    for start in range(0, len(ids), 500):
        rows = connection.execute(
            select(posts.c.id, posts.c.views).where(posts.c.id.in_(ids[start : start + 500]))
        )
        has_views.update({row.id: row.views is not None for row in rows})
    return [_spread_finding(f, settings.min_ratio, bool(has_views.get(f.post_id))) for f in found]


def _spread_finding(found: SpreadFinding, min_ratio: float, views: bool) -> Finding:
    what = "просмотры" if views else "реакции"
    span = duration_words(timedelta(hours=found.hours))
    reason = (
        f"{what} ×{found.growth:.0f} за {span} (с {found.start:.0f} до {found.end:.0f}) "
        f"в возрасте {found.age_hours:.0f} ч; обычно для источника ×{found.usual_factor:.1f}: "
        f"в {found.ratio:.0f} раз быстрее обычного"
    )
    return Finding(
        kind="spread",
        key=f"spread:{found.post_id}",
        strength=found.ratio / min_ratio,
        reason=reason,
        post_id=found.post_id,
        post_ids=[found.post_id],
        details={
            "ratio": round(found.ratio, 2),
            "z": round(found.z, 1),
            "hours": round(found.hours, 2),
            "from": found.start,
            "to": found.end,
            "age_hours": round(found.age_hours, 2),
            "metric": "views" if views else "reactions",
        },
    )


def copy_candidates(
    connection: Connection, since: datetime, lemmatizer=None
) -> list[CopyCandidate]:
    """The posts (not comments) published since `since`, with their content lemmas."""
    rows = connection.execute(
        select(
            posts.c.id,
            posts.c.source_id,
            posts.c.external_id,
            posts.c.published_at,
            posts.c.text,
            posts.c.repost_of_external_id,
        )
        .where(posts.c.published_at >= since, posts.c.parent_external_id.is_(None))
        .order_by(posts.c.published_at, posts.c.id)
    )
    return [
        CopyCandidate(
            row.id,
            row.source_id,
            row.external_id,
            row.published_at,
            row.text,
            signature(row.text, lemmatizer),
            row.repost_of_external_id,
        )
        for row in rows
    ]


def copies_findings(
    connection: Connection, settings, since: datetime, lemmatizer=None
) -> list[Finding]:
    """Stories copied into many sources among the posts published since `since`, as risks."""
    return [
        story_finding(story, settings.min_sources)
        for story in find_stories(copy_candidates(connection, since, lemmatizer), settings)
    ]


def story_finding(story: Story, min_sources: int) -> Finding:
    """A story copied into many sources as a risk."""
    ties = ", ".join(f"{TIES[kind]}: {count}" for kind, count in story.ties.most_common())
    span = duration_words(story.last_at - story.first_at)
    reason = f"та же история в {story.sources} источниках за {span}" + (
        f" ({ties})" if ties else ""
    )
    first = story.post_ids[0]
    return Finding(
        kind="copies",
        key=f"copies:{min(story.post_ids)}",
        strength=story.sources / min_sources,
        reason=reason,
        post_id=first,
        post_ids=story.post_ids,
        sources_count=story.sources,
        details={"hours": round(story.hours, 2), "ties": dict(story.ties)},
    )


def centre_addressee(ctx: Context, connection: Connection) -> Addressee | None:
    """Who is told of risks: `notify.centre`, else `routing.fallback`."""
    code = ctx.settings.notify.centre or ctx.settings.routing.fallback
    row = connection.execute(select(recipients).where(recipients.c.code == code)).first()
    if row is None:
        return None
    return Addressee(row.id, row.code, row.name, row.email, row.telegram_chat_id)


def notify_risks(ctx: Context, connection: Connection, now: datetime) -> int:
    """Queue one notification per open risk at or over `risks.notify_score` (kept by key)."""
    addressee = centre_addressee(ctx, connection)
    if addressee is None:
        return 0
    rows = connection.execute(
        select(info_risks, posts.c.text, posts.c.url)
        .join(posts, posts.c.id == info_risks.c.post_id)
        .where(info_risks.c.status == "open")
        .where(info_risks.c.score >= ctx.settings.risks.notify_score)
    ).all()
    outbox = Outbox(ctx.settings, now)
    for row in rows:
        outbox.add(
            "info_risk",
            str(row.id),
            addressee,
            incident_id=row.incident_id,
            context=_context(ctx, row),
        )
    return outbox.flush(connection)


def _context(ctx: Context, row: Any):
    base = ctx.settings.notify.web_base_url
    return lambda: {
        "risk": {
            "id": row.id,
            "kind_name": KINDS[row.kind],
            "score": f"{row.score:.0f}",
            "reason": row.reason,
            "posts_count": row.posts_count,
            "sources_count": row.sources_count,
            "title": make_title(row.text),
            "url": row.url,
            "incident_id": row.incident_id,
            "link": f"{base.rstrip('/')}/risks/{row.id}" if base else None,
        }
    }


def summary_lines(report: ScanReport) -> Sequence[str]:
    """The scan's result in Russian, for the CLI."""
    found = ", ".join(f"{KINDS[kind]}: {count}" for kind, count in report.found.items())
    lines = [
        f"Найдено рисков — {found}.",
        f"Новых: {report.new}, обновлено: {report.updated}, уведомлений: {report.notifications}.",
    ]
    if report.pruned.thinned or report.pruned.dropped:
        lines.append(
            f"История охвата: прорежено точек {report.pruned.thinned}, "
            f"удалено {report.pruned.dropped}."
        )
    if not report.negativity_scored:
        lines.append("Модель негатива не найдена: негатив к власти не оценивался.")
    return lines
