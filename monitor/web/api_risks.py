"""JSON API of information risks: the list, one risk, and the actions on it (Bearer token)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from monitor.web.access import require
from monitor.web.api_incidents import ERRORS
from monitor.web.deps import api_user, context
from monitor.web.risksview import RiskRequest, counts, perform_risk, risk_view, risk_views
from monitor.web.schemas import Out, Risk
from monitor.web.users import User

router = APIRouter(prefix="/api", tags=["risks"], responses=ERRORS)
RiskId = Path(ge=1, le=2**31 - 1, description="Risk number")
Status = Literal["open", "handled", "dismissed", "all"]
Kind = Literal["spread", "copies", "negativity"]


class RiskPostOut(Out):
    id: int
    external_id: str
    source: str
    url: str | None
    text: str
    published_at: datetime
    author_name: str | None
    views: int | None
    likes: int | None
    reposts: int | None
    comments: int | None


class ReachPointOut(Out):
    at: datetime
    views: int | None
    likes: int | None
    reposts: int | None
    comments: int | None


class RiskOut(Out):
    id: int
    kind: str
    kind_name: str
    score: float = Field(description="0..100: 50 at the detection threshold")
    reason: str = Field(description="Why this is a risk, in Russian")
    status: str
    status_name: str
    post_id: int = Field(description="The main post (the one that spread, the original)")
    incident_id: int | None
    sources_count: int
    posts_count: int
    details: dict | None
    detected_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    note: str | None
    posts: list[RiskPostOut]
    reach_history: list[ReachPointOut] = Field(description="Reach of the main post over time")


class RiskPage(Out):
    counts_by_status: dict[str, int]
    limit: int
    offset: int
    items: list[RiskOut]


class NoteIn(BaseModel):
    note: str | None = Field(None, max_length=5000, description="What was done, or why no risk")


class LinkIn(BaseModel):
    incident_id: int = Field(ge=1, le=2**31 - 1, description="The incident the risk is about")


class RiskIncidentIn(BaseModel):
    sector: str | None = Field(None, max_length=50, description="Sector (default: the model's)")
    risk: Risk | None = Field(None, description="Risk level (default: the model's)")


class RiskActionResult(Out):
    message: str
    risk: RiskOut


@router.get("/risks", response_model=RiskPage)
def risks(
    request: Request,
    status: Status = "open",
    kind: Kind | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
    user: User = Depends(api_user),
) -> dict:
    """Information risks by score, highest first (admin, officer, analyst)."""
    require(user, "view_risks")
    with context(request).db.connect() as connection:
        items = risk_views(connection, None if status == "all" else status, kind, limit, offset)
        by_status = counts(connection)
    return {"counts_by_status": by_status, "limit": limit, "offset": offset, "items": items}


@router.get("/risks/{risk_id}", response_model=RiskOut)
def risk(request: Request, risk_id: int = RiskId, user: User = Depends(api_user)) -> dict:
    """One risk with its posts (copies) and the reach history of its main post."""
    require(user, "view_risks")
    with context(request).db.connect() as connection:
        return risk_view(connection, risk_id)


def _act(request: Request, user: User, risk_id: int, wanted: RiskRequest) -> dict:
    require(user, "view_risks")
    message = perform_risk(context(request), user, risk_id, wanted)
    with context(request).db.connect() as connection:
        return {"message": message, "risk": risk_view(connection, risk_id)}


@router.post("/risks/{risk_id}/handle", response_model=RiskActionResult)
def handle(request: Request, body: NoteIn, risk_id: int = RiskId, user=Depends(api_user)):
    """Mark the risk handled; the note of what was done is required (admin, officer)."""
    return _act(request, user, risk_id, RiskRequest("handle", note=body.note))


@router.post("/risks/{risk_id}/dismiss", response_model=RiskActionResult)
def dismiss(request: Request, body: NoteIn, risk_id: int = RiskId, user=Depends(api_user)):
    """Dismiss the risk: kept as a label that it was no risk (admin, officer)."""
    return _act(request, user, risk_id, RiskRequest("dismiss", note=body.note))


@router.post("/risks/{risk_id}/link", response_model=RiskActionResult)
def link(request: Request, body: LinkIn, risk_id: int = RiskId, user=Depends(api_user)):
    """Tie the risk to an existing incident (admin, officer)."""
    return _act(request, user, risk_id, RiskRequest("link", incident_id=body.incident_id))


@router.post("/risks/{risk_id}/incident", response_model=RiskActionResult)
def incident(request: Request, body: RiskIncidentIn, risk_id: int = RiskId, user=Depends(api_user)):
    """Create an incident from the risk's main post and link them (admin, officer)."""
    wanted = RiskRequest("incident", sector=body.sector, risk=body.risk)
    return _act(request, user, risk_id, wanted)
