"""Information risks for the page and the API: what is shown, and acting with role checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from monitor.context import Context
from monitor.errors import InputError
from monitor.risks import actions
from monitor.risks.history import reach_series
from monitor.risks.store import KINDS, STATUSES, count_risks, get_risk, list_risks
from monitor.web.access import require
from monitor.web.sparkline import sparkline
from monitor.web.users import User


@dataclass
class RiskRequest:
    """One action on one risk, with what that action needs."""

    action: str
    note: str | None = None
    incident_id: int | None = None
    sector: str | None = None
    risk: str | None = None


def risk_views(
    connection: Connection, status: str | None, kind: str | None, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """Risks with their posts and the reach history of their main post."""
    rows = list_risks(connection, status=status, kind=kind, limit=limit, offset=offset)
    return [risk_view(connection, row["id"]) for row in rows]


def risk_view(connection: Connection, risk_id: int) -> dict[str, Any]:
    """One risk with names, posts, reach history and its chart."""
    risk = get_risk(connection, risk_id)
    history = reach_series(connection, [risk["post_id"]])[risk["post_id"]]
    main = risk["posts"][0] if risk["posts"] else None
    risk["kind_name"] = KINDS[risk["kind"]]
    risk["status_name"] = STATUSES[risk["status"]]
    risk["reach_history"] = [
        {
            "at": point.at,
            "views": point.views,
            "likes": point.likes,
            "reposts": point.reposts,
            "comments": point.comments,
        }
        for point in history
    ]
    risk["chart"] = sparkline(
        [(point.at, point.measure) for point in history],
        label=f"Охват публикации риска №{risk['id']} по времени",
        start=main["published_at"] if main else None,
    )
    return risk


def counts(connection: Connection) -> dict[str, int]:
    """Risks per status, every status present."""
    found = count_risks(connection)
    return {status: found.get(status, 0) for status in STATUSES}


def perform_risk(ctx: Context, user: User, risk_id: int, wanted: RiskRequest) -> str:
    """Do the action as `user` (admins and officers); returns the Russian confirmation."""
    if wanted.action not in actions.ACTIONS:
        raise InputError(f"Неизвестное действие: {wanted.action}")
    require(user, "act_risks")
    engine, now, actor = ctx.db, ctx.now(), user.name
    match wanted.action:
        case "handle":
            actions.handle(engine, risk_id, wanted.note, actor=actor, now=now)
        case "dismiss":
            actions.dismiss(engine, risk_id, wanted.note, actor=actor, now=now)
        case "link":
            if wanted.incident_id is None:
                raise InputError("Укажите номер инцидента")
            actions.link(engine, risk_id, wanted.incident_id, actor=actor, now=now)
        case "incident":
            actions.open_incident(
                engine,
                ctx.settings,
                risk_id,
                actor=actor,
                now=now,
                sector=wanted.sector or None,
                risk=wanted.risk or None,
            )
    return actions.DONE[wanted.action]
