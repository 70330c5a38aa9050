"""`review stats`: what the audit says about the stream of a period."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from monitor.analytics.period import Period
from monitor.config import Settings
from monitor.loop.estimates import StratumSample, share, stream_estimates
from monitor.loop.queues import ACCEPTED, REJECTED, Audit, labelled_counts, stream


def review_stats(connection: Connection, settings: Settings, period: Period) -> dict[str, Any]:
    """Stream precision, recall and missed signals with intervals; sector accuracy."""
    items = stream(connection, period)
    audit = Audit.of(connection, items)

    def stratum(name: str) -> StratumSample:
        prefix = audit.prefix[name]
        signals = sum(1 for p in prefix if audit.labels[p.post_id].relevant)
        return StratumSample(len(audit.order[name]), len(prefix), signals)

    estimates = stream_estimates(
        stratum(ACCEPTED), stratum(REJECTED), level=settings.review.confidence
    )
    # Sector accuracy: every reviewed signal the model also called a signal, whatever queue.
    judged = [
        p.sector == audit.labels[p.post_id].sector
        for p in items
        if p.relevant
        and p.post_id in audit.labels
        and audit.labels[p.post_id].relevant
        and audit.labels[p.post_id].sector
    ]
    return {
        "period": period.as_dict(),
        "posts": len(items),
        "accepted": len(audit.order[ACCEPTED]),
        "rejected": len(audit.order[REJECTED]),
        "labelled": len(audit.labels),
        "audit": estimates,
        "sector_accuracy": share(sum(judged), len(judged), settings.review.confidence),
        "label_rows": labelled_counts(connection),
    }
