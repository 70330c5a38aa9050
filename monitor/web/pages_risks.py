"""The «Инфориски» page: open risks by score, each with its reach chart, copies and actions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from monitor.errors import AccessDenied, InputError, TransitionError
from monitor.incidents.lifecycle import RISK_RANK
from monitor.risks.actions import DONE
from monitor.risks.store import KINDS, STATUSES
from monitor.web.access import require
from monitor.web.deps import checked_form, context, page_user
from monitor.web.errors import classify
from monitor.web.render import render
from monitor.web.risksview import RiskRequest, counts, perform_risk, risk_view, risk_views
from monitor.web.users import User

router = APIRouter(include_in_schema=False)
RiskId = Path(ge=1, le=2**31 - 1)
PAGE = 30


def _choices(request: Request) -> dict:
    return {
        "kinds": KINDS,
        "statuses": STATUSES,
        "sectors": context(request).settings.sectors,
        "levels": list(reversed(RISK_RANK)),
    }


@router.get("/risks")
def risks_page(
    request: Request,
    status: str = Query("open", max_length=20),
    kind: str = Query("", max_length=20),
    page: int = Query(1, ge=1, le=10_000),
    user: User = Depends(page_user),
) -> Response:
    """Risks of one status (open by default), highest score first."""
    require(user, "view_risks")
    ctx = context(request)
    chosen = status if status in STATUSES else "open"
    with ctx.db.connect() as connection:
        risks = risk_views(
            connection, chosen, kind if kind in KINDS else None, PAGE + 1, (page - 1) * PAGE
        )
        by_status = counts(connection)
    return render(
        request,
        "risks.html",
        user=user,
        active="risks",
        risks=risks[:PAGE],
        more=len(risks) > PAGE,
        page=page,
        chosen_status=chosen,
        kind=kind if kind in KINDS else "",
        by_status=by_status,
        flash=DONE.get(request.query_params.get("done", "")),
        **_choices(request),
    )


def _one(request: Request, user: User, risk_id: int, *, status: int = 200, **extra) -> Response:
    with context(request).db.connect() as connection:
        risk = risk_view(connection, risk_id)
    return render(
        request,
        "risk.html",
        user=user,
        active="risks",
        status=status,
        risk=risk,
        **_choices(request),
        **extra,
    )


@router.get("/risks/{risk_id}")
def risk_page(
    request: Request,
    risk_id: int = RiskId,
    done: str | None = None,
    user: User = Depends(page_user),
) -> Response:
    """One risk: reason, reach chart, every post (copies) and the actions."""
    require(user, "view_risks")
    return _one(request, user, risk_id, flash=DONE.get(done or ""))


@router.post("/risks/{risk_id}/act")
def risk_act(
    request: Request,
    risk_id: int = RiskId,
    form: dict[str, str] = Depends(checked_form),
    user: User = Depends(page_user),
) -> Response:
    """Do one action from the risk's forms, then show the risk again."""
    require(user, "view_risks")
    action = form.get("action", "")
    incident = (form.get("incident_id") or "").strip()
    try:
        if incident and not incident.isdigit():
            raise InputError("Номер инцидента — целое число")
        wanted = RiskRequest(
            action=action,
            note=form.get("note"),
            incident_id=int(incident) if incident else None,
            sector=form.get("sector"),
            risk=form.get("risk"),
        )
        perform_risk(context(request), user, risk_id, wanted)
    except (InputError, TransitionError, AccessDenied) as exc:
        return _one(request, user, risk_id, status=classify(exc)[0], error=str(exc))
    return RedirectResponse(f"/risks/{risk_id}?done={action}", status_code=303)
