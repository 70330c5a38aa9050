"""Acting on an incident from the page or the API: visibility, role, then the service call."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.context import Context
from monitor.errors import InputError
from monitor.incidents import pausing, service
from monitor.incidents.queue import get_incident
from monitor.incidents.reopening import reopen
from monitor.publish.service import publish
from monitor.web.access import require
from monitor.web.users import User

ACTIONS = (
    "assign",
    "interim_answer",
    "final_answer",
    "pause",
    "resume",
    "close",
    "reject",
    "reclassify",
    "publish",
    "reopen",
)
DONE = {
    "assign": "Инцидент назначен",
    "interim_answer": "Промежуточный ответ сохранён",
    "final_answer": "Ответ сохранён",
    "pause": "Инцидент приостановлен: часы сроков остановлены",
    "resume": "Инцидент возобновлён",
    "close": "Инцидент закрыт",
    "reject": "Инцидент отклонён как нерелевантный",
    "reclassify": "Классификация исправлена и сохранена как разметка",
    "publish": "Публикация обработана: её состояние — в разделе «Ответ жителю»",
    "reopen": "Инцидент переоткрыт: новый срок ответа назначен",
}


@dataclass
class ActionRequest:
    """One action on one incident, with whatever that action needs."""

    action: str
    recipient: str | None = None
    text: str | None = None
    reason: str | None = None
    sector: str | None = None
    risk: str | None = None
    territory: str | None = None
    publish: bool = False  # also publish the answer where the resident wrote
    target: str | None = None  # the post or comment to answer under
    kind: str = "final"


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def perform(ctx: Context, user: User, incident_id: int, request: ActionRequest) -> str:
    """Do the action as `user`; returns the Russian confirmation.

    The incident is looked up in the user's scope first, so another recipient's incident
    is NotFound whatever the action, before the role is even considered.
    """
    if request.action not in ACTIONS:
        raise InputError(f"Неизвестное действие: {request.action}")
    now = ctx.now()
    with ctx.db.connect() as connection:
        get_incident(connection, incident_id, now, recipient_id=user.scope)
    require(user, request.action)
    engine, scope, actor = ctx.db, user.scope, user.name
    reason = _blank_to_none(request.reason)
    match request.action:
        case "assign":
            recipient = _blank_to_none(request.recipient)
            if not recipient:
                raise InputError("Выберите получателя")
            service.assign(
                engine, incident_id, recipient, actor=actor, now=now, scope_recipient_id=scope
            )
        case "interim_answer" | "final_answer":
            service.answer(
                engine,
                incident_id,
                request.text or "",
                interim=request.action == "interim_answer",
                actor=actor,
                now=now,
                settings=ctx.settings,
                scope_recipient_id=scope,
            )
            if request.publish:
                _publish(ctx, user, incident_id, request, now)
        case "publish":
            _publish(ctx, user, incident_id, request, now)
        case "reopen":
            reopen(
                engine,
                ctx.settings,
                incident_id,
                reason=reason,
                actor=actor,
                now=now,
                scope_recipient_id=scope,
            )
        case "pause":
            pausing.pause(
                engine, incident_id, actor=actor, now=now, reason=reason, scope_recipient_id=scope
            )
        case "resume":
            pausing.resume(
                engine, ctx.settings, incident_id, actor=actor, now=now, scope_recipient_id=scope
            )
        case "close":
            service.close(engine, incident_id, actor=actor, now=now)
        case "reject":
            service.reject(engine, incident_id, actor=actor, now=now, reason=reason)
        case "reclassify":
            service.reclassify(
                engine,
                ctx.settings,
                incident_id,
                actor=actor,
                now=now,
                sector=_blank_to_none(request.sector),
                risk=_blank_to_none(request.risk),
                territory=_blank_to_none(request.territory),
            )
    return DONE[request.action]


def _publish(ctx: Context, user: User, incident_id: int, request: ActionRequest, now) -> None:
    kind = "interim" if request.action == "interim_answer" else request.kind
    publish(
        ctx.db,
        ctx.settings,
        incident_id,
        request.text or "",
        kind=kind if kind in ("interim", "final") else "final",
        target=_blank_to_none(request.target),
        actor=user.name,
        now=now,
        scope_recipient_id=user.scope,
    )
