"""The incident page: posts, the model's decision, deadlines, history, and the actions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from monitor.errors import AccessDenied, InputError, TransitionError
from monitor.incidents.lifecycle import ALLOWED_FROM, RISK_RANK
from monitor.incidents.queue import get_incident
from monitor.publish.service import incident_publications
from monitor.publish.targets import targets
from monitor.satisfaction.reactions import incident_reactions
from monitor.store.tables import recipients
from monitor.web.access import can
from monitor.web.actions import ACTIONS, DONE, ActionRequest, perform
from monitor.web.answers import KIND_NAMES, template_values, templates_for
from monitor.web.deps import checked_form, context, page_user
from monitor.web.display import Display
from monitor.web.errors import classify
from monitor.web.render import render
from monitor.web.users import User

router = APIRouter(include_in_schema=False)
IncidentId = Path(ge=1, le=2**31 - 1)


def _page(
    request: Request, user: User, incident_id: int, *, status: int = 200, **extra
) -> Response:
    ctx = context(request)
    display: Display = request.app.state.templates.env.globals["d"]
    with ctx.db.connect() as connection:
        incident = get_incident(connection, incident_id, ctx.now(), recipient_id=user.scope)
        answer_templates = templates_for(connection, incident["sector"])
        published = {
            "targets": targets(connection, incident_id),
            "publications": incident_publications(connection, incident_id),
            "reactions": incident_reactions(connection, incident_id),
        }
        recipient_choices = connection.execute(
            select(recipients.c.code, recipients.c.name)
            .where(recipients.c.active)
            .order_by(recipients.c.name)
        ).all()
    values = template_values(incident, display.sector_name(incident["sector"]))
    answers = [(template, template.render(values)) for template in answer_templates]
    # An interim answer first; once the first response is given, the final one.
    kind = "interim" if incident["first_response_at"] is None else "final"
    chosen = next((n for n, (t, _) in enumerate(answers) if t.kind == kind), 0)
    allowed = {
        action
        for action in ACTIONS
        if can(user, action) and incident["status"] in ALLOWED_FROM[action]
    }
    return render(
        request,
        "incident.html",
        user=user,
        status=status,
        incident=incident,
        allowed=allowed,
        answers=answers,
        answer_kind=kind,
        answer_chosen=chosen,
        kind_names=KIND_NAMES,
        recipient_choices=recipient_choices if "assign" in allowed else [],
        sectors=context(request).settings.sectors,
        risks=list(reversed(RISK_RANK)),
        territories=[place.name for place in context(request).settings.territories],
        **published,
        **extra,
    )


@router.get("/incidents/{incident_id}")
def incident_page(
    request: Request,
    incident_id: int = IncidentId,
    done: str | None = None,
    user: User = Depends(page_user),
) -> Response:
    """One incident in full, with the actions this user may take now."""
    return _page(request, user, incident_id, flash=DONE.get(done or ""))


@router.post("/incidents/{incident_id}/act")
def incident_act(
    request: Request,
    incident_id: int = IncidentId,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Do one action from the page's forms, then show the page again."""
    action = form.get("action", "")
    if action == "answer":  # one answer form; its kind picks interim or final
        action = "interim_answer" if form.get("kind") == "interim" else "final_answer"
    wanted = ActionRequest(
        action=action,
        recipient=form.get("recipient"),
        text=form.get("text"),
        reason=form.get("reason"),
        sector=form.get("sector"),
        risk=form.get("risk"),
        territory=form.get("territory"),
        publish=form.get("publish") == "1",
        target=form.get("target"),
        kind=form.get("kind") or "final",
    )
    try:
        perform(context(request), user, incident_id, wanted)
    except (InputError, TransitionError, AccessDenied) as exc:
        # NotFound is not caught: another recipient's incident stays a plain 404.
        return _page(request, user, incident_id, status=classify(exc)[0], error=str(exc))
    return RedirectResponse(f"/incidents/{incident_id}?done={action}", status_code=303)
