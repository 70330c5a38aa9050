"""Problem categories of incidents: the most common category the classifier gave its posts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, select

from monitor.store.tables import classifications, incident_posts

CHUNK = 500  # incident ids per query (IN lists stay short on both databases)


def most_common(categories: Iterable[str | None]) -> str | None:
    """The category most posts carry (ties: the first seen), or None when none has one."""
    counts = Counter(c for c in categories if c)
    return counts.most_common(1)[0][0] if counts else None


def incident_categories(connection: Connection, incident_ids: Sequence[int]) -> dict[int, str]:
    """Each incident's problem category, for incidents whose posts were given one."""
    found: dict[int, list[str | None]] = defaultdict(list)
    ids = sorted(set(incident_ids))
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(
            select(incident_posts.c.incident_id, classifications.c.category)
            .join(classifications, classifications.c.post_id == incident_posts.c.post_id)
            .where(incident_posts.c.incident_id.in_(ids[start : start + CHUNK]))
            .order_by(incident_posts.c.incident_id, classifications.c.id)
        )
        for incident_id, category in rows:
            found[incident_id].append(category)
    result = {}
    for incident_id, categories in found.items():
        category = most_common(categories)
        if category is not None:
            result[incident_id] = category
    return result
