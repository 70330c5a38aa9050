"""Negativity toward the authorities: threads where the model hears anger, mockery, distrust
of the administration or calls to collective action.

Each post and comment published in the window is scored by the negativity model
(`classifier.negativity`, `risks.negativity.model`); a call to collective action
(`calls_to_action`, by its wording) counts whatever its score. A thread (a post and its
comments) is a risk when at least `min_texts` of its texts reach `threshold`, or when its
post alone reaches `single_threshold` and has at least `min_views` views.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection, select

from classifier.negativity import NegativityModel, calls_to_action
from classifier.package import ModelError
from monitor.config import NegativitySettings
from monitor.context import Context
from monitor.errors import ConfigError
from monitor.risks.store import Finding
from monitor.store.tables import posts

log = logging.getLogger(__name__)


def load_negativity_model(ctx: Context) -> NegativityModel | None:
    """The configured negativity model; None when none is configured or shipped."""
    name = ctx.settings.risks.negativity.model
    if not name:
        return None
    folder = ctx.path(name)
    if not (folder / "meta.json").is_file():
        log.warning("no negativity model in %s: negativity is not scored", folder)
        return None
    try:
        return NegativityModel.load(folder)
    except ModelError as exc:
        raise ConfigError(f"Модель негатива {folder}: {exc}") from None


def detect_negativity(
    connection: Connection,
    settings: NegativitySettings,
    model: NegativityModel,
    since: datetime,
) -> list[Finding]:
    """Threads with negativity toward the authorities among texts published since `since`."""
    rows = connection.execute(
        select(
            posts.c.id,
            posts.c.source_id,
            posts.c.external_id,
            posts.c.parent_external_id,
            posts.c.text,
            posts.c.views,
        )
        .where(posts.c.published_at >= since)
        .order_by(posts.c.id)
    ).all()
    if not rows:
        return []
    scores = model.predict_proba([row.text for row in rows])
    roots = {(row.source_id, row.external_id): row.id for row in rows if not row.parent_external_id}
    threads: dict[int, list[tuple[int, str, float]]] = defaultdict(list)
    texts_in: dict[int, int] = defaultdict(int)
    views_of = {row.id: row.views or 0 for row in rows}
    for row, probabilities in zip(rows, scores, strict=True):
        root = roots.get((row.source_id, row.parent_external_id), row.id)
        if row.parent_external_id and root == row.id:
            continue  # a comment whose post is older than the window: its post is not read
        texts_in[root] += 1
        # A call to collective action is a risk by its wording, whatever the model says.
        action = calls_to_action(row.text)
        risk = max(probabilities, settings.threshold) if action else probabilities
        label = "action" if action else "negative"
        if risk >= settings.threshold:
            threads[root].append((row.id, label, risk))
    findings = []
    for root, negative in threads.items():
        loud = any(
            post_id == root and score >= settings.single_threshold for post_id, _, score in negative
        ) and (views_of.get(root, 0) >= settings.min_views > 0)
        if len(negative) < settings.min_texts and not loud:
            continue
        strength = max(len(negative) / settings.min_texts, 1.0 if loud else 0.0)
        actions = sum(1 for _, label, _ in negative if label == "action")
        reason = f"{len(negative)} из {texts_in[root]} текстов обсуждения — недовольство властью"
        if actions:
            reason += f", из них призывов к коллективным действиям: {actions}"
        if loud:
            reason += f"; у публикации {views_of[root]} просмотров"
        findings.append(
            Finding(
                kind="negativity",
                key=f"negativity:{root}",
                strength=strength,
                reason=reason,
                post_id=root,
                post_ids=[post_id for post_id, _, _ in sorted(negative, key=lambda n: -n[2])],
                details={
                    "negative": len(negative),
                    "actions": actions,
                    "texts": texts_in[root],
                    "mean_score": round(sum(n[2] for n in negative) / len(negative), 3),
                },
            )
        )
    return findings
