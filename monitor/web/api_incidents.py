"""JSON API: the queue, one incident, and the actions on it (Bearer token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from monitor.incidents.queue import get_incident
from monitor.web.actions import ActionRequest, perform
from monitor.web.convert import incident_detail, incident_out
from monitor.web.deps import api_user, context
from monitor.web.queueview import QueueParams, load_queue
from monitor.web.schemas import (
    ActionResult,
    AnswerIn,
    AssignIn,
    ErrorOut,
    IncidentDetail,
    IncidentPage,
    PublishIn,
    ReasonIn,
    ReclassifyIn,
    UserOut,
)
from monitor.web.users import User

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (401, "Нет API-токена или он неверен"),
        (403, "Роль не позволяет"),
        (404, "Не найдено (или принадлежит другому получателю)"),
        (409, "Действие невозможно в текущем статусе"),
        (422, "Неверные данные запроса"),
        (503, "База данных недоступна или занята (store_unavailable): повторите позже"),
    )
}
router = APIRouter(prefix="/api", tags=["incidents"], responses=ERRORS)
IncidentId = Path(ge=1, le=2**31 - 1, description="Incident number")


def _display(request: Request):
    return request.app.state.templates.env.globals["d"]


@router.get("/me", response_model=UserOut, tags=["users"])
def me(user: User = Depends(api_user)) -> dict:
    """The user the token belongs to."""
    return {"name": user.name, "role": user.role, "recipient_code": user.recipient_code}


@router.get("/incidents", response_model=IncidentPage)
def incidents(
    request: Request,
    params: QueueParams = Depends(),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10_000_000),
    user: User = Depends(api_user),
) -> dict:
    """The queue, most urgent first, with the same filters as the page.

    `status` is `open` (default), `all` or one status; `q` searches titles.
    """
    ctx = context(request)
    with ctx.db.connect() as connection:
        view = load_queue(ctx, connection, user, params, limit=limit, offset=offset)
    display = _display(request)
    return {
        "total": view.total,
        "limit": limit,
        "offset": offset,
        "counts_by_status": view.by_status,
        "counts_by_risk": view.by_risk,
        "items": [incident_out(row, display) for row in view.rows],
    }


def _read(request: Request, user: User, incident_id: int) -> dict:
    ctx = context(request)
    with ctx.db.connect() as connection:
        incident = get_incident(connection, incident_id, ctx.now(), recipient_id=user.scope)
    return incident_detail(incident, _display(request))


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def incident(request: Request, incident_id: int = IncidentId, user: User = Depends(api_user)):
    """One incident with its posts, the model's decisions and its history."""
    return _read(request, user, incident_id)


def _act(request: Request, user: User, incident_id: int, wanted: ActionRequest) -> dict:
    message = perform(context(request), user, incident_id, wanted)
    return {"message": message, "incident": _read(request, user, incident_id)}


@router.post("/incidents/{incident_id}/assign", response_model=ActionResult)
def assign(request: Request, body: AssignIn, incident_id: int = IncidentId, user=Depends(api_user)):
    """Assign or reassign to a recipient (admin, officer)."""
    return _act(request, user, incident_id, ActionRequest("assign", recipient=body.recipient))


@router.post("/incidents/{incident_id}/answer", response_model=ActionResult)
def answer(request: Request, body: AnswerIn, incident_id: int = IncidentId, user=Depends(api_user)):
    """Record an interim or the final answer (admin, officer, the incident's recipient)."""
    action = "interim_answer" if body.interim else "final_answer"
    return _act(request, user, incident_id, ActionRequest(action, text=body.text))


@router.post("/incidents/{incident_id}/pause", response_model=ActionResult)
def pause(request: Request, body: ReasonIn, incident_id: int = IncidentId, user=Depends(api_user)):
    """Stop the deadline clock while waiting for the author or another body."""
    return _act(request, user, incident_id, ActionRequest("pause", reason=body.reason))


@router.post("/incidents/{incident_id}/resume", response_model=ActionResult)
def resume(request: Request, incident_id: int = IncidentId, user=Depends(api_user)):
    """Restart the deadline clock; the deadlines move by the time waited."""
    return _act(request, user, incident_id, ActionRequest("resume"))


@router.post("/incidents/{incident_id}/close", response_model=ActionResult)
def close(request: Request, incident_id: int = IncidentId, user=Depends(api_user)):
    """Close the incident (admin, officer)."""
    return _act(request, user, incident_id, ActionRequest("close"))


@router.post("/incidents/{incident_id}/reject", response_model=ActionResult)
def reject(request: Request, body: ReasonIn, incident_id: int = IncidentId, user=Depends(api_user)):
    """Reject as not relevant; its posts become negative labels (admin, officer)."""
    return _act(request, user, incident_id, ActionRequest("reject", reason=body.reason))


@router.post("/incidents/{incident_id}/reclassify", response_model=ActionResult)
def reclassify(
    request: Request, body: ReclassifyIn, incident_id: int = IncidentId, user=Depends(api_user)
):
    """Correct sector, risk or territory; stored as labels for retraining (admin, officer)."""
    wanted = ActionRequest(
        "reclassify", sector=body.sector, risk=body.risk, territory=body.territory
    )
    return _act(request, user, incident_id, wanted)


@router.post("/incidents/{incident_id}/publish", response_model=ActionResult)
def publish(
    request: Request, body: PublishIn, incident_id: int = IncidentId, user=Depends(api_user)
):
    """Publish an answer under the resident's VK post or comment (sent once, retried)."""
    wanted = ActionRequest(
        "publish", text=body.text, target=body.target, kind="interim" if body.interim else "final"
    )
    return _act(request, user, incident_id, wanted)


@router.post("/incidents/{incident_id}/reopen", response_model=ActionResult)
def reopen(request: Request, body: ReasonIn, incident_id: int = IncidentId, user=Depends(api_user)):
    """Reopen an answered, closed or rejected incident with a reason (admin, officer)."""
    return _act(request, user, incident_id, ActionRequest("reopen", reason=body.reason))
