"""From store rows to API shapes: Russian names added, classification columns nested."""

from __future__ import annotations

from typing import Any

from monitor.web.display import Display

_CLASSIFICATION = {
    "model_version": "model_version",
    "relevant": "relevant",
    "relevance_proba": "relevance_proba",
    "model_sector": "sector",
    "sector_top": "sector_top",
    "model_risk_text": "risk_text",
    "model_risk": "risk",
    "entities": "entities",
    "model_territory": "territory",
    "model_category": "category",
}


def incident_out(incident: dict[str, Any], display: Display) -> dict[str, Any]:
    """An incident row with the Russian names of its sector, risk and status."""
    return {
        **incident,
        "sector_name": display.sector_name(incident["sector"]),
        "risk_name": display.risk_name(incident["risk"]),
        "status_name": display.status_name(incident["status"]),
    }


def post_out(post: dict[str, Any]) -> dict[str, Any]:
    """A post with its latest classification nested (None when not classified yet)."""
    out = {key: value for key, value in post.items() if key not in _CLASSIFICATION}
    if post.get("model_version") is None:
        out["classification"] = None
    else:
        out["classification"] = {new: post.get(old) for old, new in _CLASSIFICATION.items()}
    return out


def event_out(event: dict[str, Any], display: Display) -> dict[str, Any]:
    """An audit event with its Russian name."""
    return {**event, "kind_name": display.event_name(event["kind"])}


def incident_detail(incident: dict[str, Any], display: Display) -> dict[str, Any]:
    """An incident with its posts and history, as the API gives it."""
    return {
        **incident_out(incident, display),
        "posts": [post_out(post) for post in incident["posts"]],
        "history": [event_out(event, display) for event in incident["history"]],
    }
