"""The incident lifecycle: statuses and the transitions each action may make."""

from __future__ import annotations

from monitor.errors import TransitionError

STATUSES = (
    "new",
    "assigned",
    "in_progress",
    "waiting",
    "answered",
    "closed",
    "rejected",
    "reopened",
)
# `reopened`: the resident was not satisfied with the answer (or an officer reopened it).
OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting", "reopened")
STATUS_NAMES = {
    "new": "новый",
    "assigned": "назначен",
    "in_progress": "в работе",
    "waiting": "ожидание",
    "answered": "дан ответ",
    "closed": "закрыт",
    "rejected": "отклонён",
    "reopened": "переоткрыт",
}
RISK_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
RISK_NAMES = {"low": "низкий", "medium": "средний", "high": "высокий", "critical": "критический"}

# action -> statuses it may start from
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "assign": ("new", "assigned", "in_progress", "waiting", "reopened"),
    "start": ("assigned",),
    "interim_answer": ("new", "assigned", "in_progress", "waiting", "reopened"),
    "final_answer": ("new", "assigned", "in_progress", "waiting", "reopened"),
    "pause": ("new", "assigned", "in_progress", "reopened"),
    "resume": ("waiting",),
    "close": ("answered", "new", "assigned", "in_progress", "waiting", "reopened"),
    "reject": ("new", "assigned", "in_progress", "waiting", "reopened"),
    "reclassify": ("new", "assigned", "in_progress", "waiting", "answered", "reopened"),
    "reopen": ("answered", "closed", "rejected"),
    # Publishing an answer where the resident wrote (monitor/publish/) changes no status.
    "publish": (
        "new",
        "assigned",
        "in_progress",
        "waiting",
        "answered",
        "closed",
        "reopened",
    ),
}
ACTION_NAMES = {
    "assign": "назначить",
    "start": "взять в работу",
    "interim_answer": "дать промежуточный ответ",
    "final_answer": "дать ответ",
    "pause": "приостановить",
    "resume": "возобновить",
    "close": "закрыть",
    "reject": "отклонить",
    "reclassify": "изменить классификацию",
    "reopen": "переоткрыть",
    "publish": "опубликовать ответ",
}


def check_transition(action: str, status: str, incident_id: int) -> None:
    """Raise TransitionError unless `action` is allowed from `status`."""
    if status not in ALLOWED_FROM[action]:
        raise TransitionError(
            f"Инцидент {incident_id} в статусе «{STATUS_NAMES.get(status, status)}»: "
            f"нельзя {ACTION_NAMES[action]}"
        )


def risk_up(risk: str, steps: int, ceiling: str) -> str:
    """Raise a risk by `steps` levels but not above `ceiling` (never lowers it)."""
    order = list(RISK_RANK)
    raised = min(RISK_RANK[risk] + steps, RISK_RANK[ceiling])
    return order[max(raised, RISK_RANK[risk])]
