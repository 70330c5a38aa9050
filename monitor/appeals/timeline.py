"""An appeal's history as an incident: its columns, audit events and reactions, in time order.

The same rules as live incidents: deadlines under the configured SLA from the appeal's
registration; an interim answer is the first response; a final answer answers it; a
follow-up after an answer is a not-satisfied reaction that reopens it with the reopen
deadline; the outcome `satisfied` is a satisfied reaction and closes it, and
`closed_automatically` closes it without a reaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.appeals.records import Appeal
from monitor.config import Settings
from monitor.incidents.calendar import WorkingCalendar
from monitor.incidents.grouping import make_title
from monitor.incidents.lifecycle import RISK_RANK
from monitor.incidents.sla import initial_deadlines


@dataclass
class Plan:
    """What to store for one appeal."""

    incident: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)


def plan(
    appeal: Appeal,
    settings: Settings,
    calendar: WorkingCalendar,
    *,
    recipient_id: int,
    recipient_code: str,
    actor: str,
    now: datetime,
) -> Plan:
    """The incident columns, events and reactions of one appeal."""
    risk = settings.appeals.risk
    first_due, final_due = initial_deadlines(
        settings,
        risk=risk,
        sector=appeal.sector,
        recipient_code=recipient_code,
        registered_at=appeal.published_at,
    )
    state: dict[str, Any] = {
        "status": "assigned",
        "first_response_at": None,
        "answered_at": None,
        "closed_at": None,
        "final_answer_due": final_due,
    }
    result = Plan(incident={})

    def event(kind: str, at: datetime, **payload: Any) -> None:
        result.events.append({"kind": kind, "at": at, "actor": actor, "payload": payload})

    event("imported", appeal.published_at, system=appeal.system, id=appeal.external_id)
    moments = [(a.at, 0, a) for a in appeal.answers] + [(f.at, 1, f) for f in appeal.followups]
    last_answer: datetime | None = None
    for number, (at, is_followup, item) in enumerate(sorted(moments, key=lambda m: m[:2])):
        if not is_followup:
            state["first_response_at"] = state["first_response_at"] or at
            final = item.kind == "answer"
            on_time = at <= (state["final_answer_due"] if final else first_due)
            event(
                "answer" if final else "interim_answer",
                at,
                text=item.text,
                by=item.by,
                on_time=on_time,
            )
            if final:
                state.update(status="answered", answered_at=at)
                last_answer = at
            elif state["status"] != "answered":
                state["status"] = "in_progress"
            continue
        key = f"appeal:{appeal.external_id}:followup:{number}"
        result.reactions.append(_reaction(key, item.text, "not_satisfied", at))
        event("reaction_not_satisfied", at, key=key)
        if state["status"] == "answered":
            due = calendar.add_days(at, settings.satisfaction.reopen_working_days)
            state.update(status="reopened", answered_at=None, final_answer_due=due)
            event(
                "reopened",
                at,
                by="resident",
                reason=item.text[:300],
                final_answer_due=due.isoformat(),
            )
    ended = last_answer or (appeal.answers[-1].at if appeal.answers else None)
    if appeal.outcome == "satisfied" and ended is not None:
        key = f"appeal:{appeal.external_id}:outcome"
        result.reactions.append(
            _reaction(key, "Житель подтвердил решение проблемы", "satisfied", ended)
        )
        event("reaction_satisfied", ended, key=key)
    if appeal.outcome in ("satisfied", "closed_automatically") and ended is not None:
        state.update(status="closed", closed_at=ended)
        event("closed", ended, outcome=appeal.outcome)
    last = max([appeal.published_at, *(m[0] for m in moments)])
    result.incident = {
        "title": make_title(appeal.text),
        "sector": appeal.sector,
        "risk": risk,
        "risk_rank": RISK_RANK[risk],
        "risk_text": None,
        "territory": appeal.district,
        "recipient_id": recipient_id,
        "created_at": appeal.published_at,
        "updated_at": now,
        "last_post_at": last,
        "first_response_due": first_due,
        "overdue": False,
        "escalation_level": 0,
        "posts_count": 1,
        "authors_count": 1,
        "signature": "",
        **state,
    }
    return result


def _reaction(key: str, text: str, verdict: str, at: datetime) -> dict[str, Any]:
    return {
        "key": key,
        "text": text,
        "verdict": verdict,
        "probability": None,
        "origin": "import",
        "at": at,
    }
