"""Shapes of the JSON API, as the OpenAPI schema shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Risk = Literal["low", "medium", "high", "critical"]


class Out(BaseModel):
    """Base of every response: extra keys from the store are dropped."""

    model_config = ConfigDict(extra="ignore")


class ErrorOut(Out):
    error: str = Field(description="Machine-readable kind: not_found, forbidden, invalid, ...")
    message: str = Field(description="What went wrong, in Russian")


class IncidentOut(Out):
    id: int
    title: str
    sector: str
    sector_name: str
    risk: str
    risk_name: str
    territory: str | None
    status: str
    status_name: str
    recipient_code: str | None
    recipient_name: str | None
    created_at: datetime
    updated_at: datetime
    last_post_at: datetime
    first_response_due: datetime | None
    final_answer_due: datetime | None
    first_response_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    escalation_level: int
    paused_at: datetime | None
    paused_seconds: int
    posts_count: int
    authors_count: int


class IncidentPage(Out):
    total: int = Field(description="Incidents matching the filters")
    limit: int
    offset: int
    counts_by_status: dict[str, int]
    counts_by_risk: dict[str, int]
    items: list[IncidentOut]


class ClassificationOut(Out):
    model_version: str
    relevant: bool
    relevance_proba: float
    sector: str | None
    sector_top: list[tuple[str, float]] | None = Field(description="Sectors with probabilities")
    risk_text: str | None = Field(description="Risk from the text alone")
    risk: str | None = Field(description="Risk after the reach rules")
    entities: list[dict[str, Any]] | None
    territory: str | None
    category: str | None = Field(None, description="Problem category inside the sector")


class PostOut(Out):
    id: int
    source_name: str
    network: str
    external_id: str
    url: str | None
    author_id: str | None
    author_name: str | None
    author_audience: int | None
    published_at: datetime
    collected_at: datetime
    text: str
    parent_external_id: str | None
    repost_of_external_id: str | None
    views: int | None
    likes: int | None
    reposts: int | None
    comments: int | None
    incident_id: int | None = None
    role: str | None = Field(None, description="origin, duplicate, repost or comment")
    classification: ClassificationOut | None


class EventOut(Out):
    id: int
    at: datetime
    actor: str
    kind: str
    kind_name: str
    payload: dict[str, Any] | None


class IncidentDetail(IncidentOut):
    category: str | None = Field(None, description="Most common problem category of its posts")
    posts: list[PostOut]
    history: list[EventOut]


class ActionResult(Out):
    message: str
    incident: IncidentOut


class In(BaseModel):
    """A request body: JSON types as the schema says them, no coercion (`0` is no boolean)."""

    model_config = ConfigDict(strict=True)


class AssignIn(In):
    recipient: str = Field(min_length=1, max_length=100, description="Recipient code")


class AnswerIn(In):
    text: str = Field(min_length=1, max_length=20_000, description="Answer to the resident")
    interim: bool = Field(False, description="An interim (first) answer rather than the final")


class PublishIn(In):
    text: str = Field(min_length=1, max_length=4096, description="Answer to publish in VK")
    interim: bool = Field(False, description="An interim answer rather than the final")
    target: str | None = Field(
        None, max_length=300, description="External id of the post or comment to answer under"
    )


class ReasonIn(In):
    reason: str | None = Field(None, max_length=2000, description="Why, for the history")


class ReclassifyIn(In):
    sector: str | None = Field(None, max_length=50, description="Correct sector code")
    risk: Risk | None = Field(None, description="Correct risk")
    territory: str | None = Field(None, max_length=200, description="Correct territory")


class RecipientOut(Out):
    code: str
    name: str
    kind: str
    parent_code: str | None
    active: bool
    email: str | None = Field(None, description="Shown to the centre's staff only")
    telegram_chat_id: str | None = Field(None, description="Shown to the centre's staff only")
    open_incidents: int
    overdue: int = Field(description="Open incidents past a deadline")
    on_time_share: float | None = Field(description="Answered on time ÷ (answered + overdue)")


class SourceOut(Out):
    name: str
    kind: str
    address: str
    territory: str | None
    enabled: bool
    configured: bool
    status: str
    status_name: str
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    posts: int


class UserOut(Out):
    name: str
    role: str
    recipient_code: str | None


class TemplateOut(Out):
    id: int | None = Field(description="None for a built-in template (none stored yet)")
    sector: str | None = Field(description="None: offered for every sector")
    sector_name: str | None
    kind: str = Field(description="interim or final")
    kind_name: str
    title: str
    body: str = Field(description="Placeholders: $title, $territory, $recipient, $sector, $id")
    built_in: bool
