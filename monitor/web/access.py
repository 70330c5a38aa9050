"""Who may do what: one table of permissions, checked on the server for every request."""

from __future__ import annotations

from monitor.errors import AccessDenied
from monitor.web.users import User

_WORKERS = frozenset({"admin", "officer"})
_ANSWERERS = frozenset({"admin", "officer", "recipient"})
_EVERYONE = frozenset({"admin", "officer", "recipient", "analyst"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "view_incidents": _EVERYONE,
    "assign": _WORKERS,
    "interim_answer": _ANSWERERS,
    "final_answer": _ANSWERERS,
    "pause": _ANSWERERS,
    "resume": _ANSWERERS,
    "close": _WORKERS,
    "reject": _WORKERS,
    "reclassify": _WORKERS,
    "publish": _ANSWERERS,
    "reopen": _WORKERS,
    "view_sources": frozenset({"admin", "officer", "analyst"}),
    "view_posts": _EVERYONE,
    "view_recipients": _EVERYONE,
    "view_contacts": frozenset({"admin", "officer", "analyst"}),
    "manage_recipients": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
    # Answer templates: officers answer with them and may read the list; admins keep it.
    "view_templates": _WORKERS,
    "manage_templates": frozenset({"admin"}),
    # Information risks: the information agenda is the centre's, not a recipient's.
    "view_risks": frozenset({"admin", "officer", "analyst"}),
    "act_risks": _WORKERS,
    # «Разметка»: analysts and admins label posts for retraining; officers see the estimates.
    "label": frozenset({"admin", "analyst"}),
    "view_review": frozenset({"admin", "analyst", "officer"}),
}

DENIED = {
    "assign": "назначать инциденты",
    "interim_answer": "отвечать на инциденты",
    "final_answer": "отвечать на инциденты",
    "pause": "приостанавливать инциденты",
    "resume": "возобновлять инциденты",
    "close": "закрывать инциденты",
    "reject": "отклонять инциденты",
    "reclassify": "исправлять классификацию",
    "publish": "публиковать ответы",
    "reopen": "переоткрывать инциденты",
    "view_sources": "смотреть источники",
    "manage_recipients": "управлять получателями",
    "manage_users": "управлять пользователями",
    "view_templates": "смотреть шаблоны ответов",
    "manage_templates": "изменять шаблоны ответов",
    "view_risks": "смотреть информационные риски",
    "act_risks": "отрабатывать информационные риски",
    "label": "размечать публикации",
    "view_review": "смотреть оценки качества модели",
}


def can(user: User, permission: str) -> bool:
    """Whether the user's role grants the permission."""
    return user.active and user.role in PERMISSIONS[permission]


def require(user: User, permission: str) -> None:
    """Raise AccessDenied (in Russian) unless the user may do this."""
    if not can(user, permission):
        what = DENIED.get(permission, "делать это")
        raise AccessDenied(f"Роль «{user.role_name}» не позволяет {what}")
