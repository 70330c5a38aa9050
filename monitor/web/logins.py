"""Signing in: password check behind a limit on failed attempts per name and per address."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select

from monitor.config import WebSettings
from monitor.errors import AccessDenied
from monitor.store.tables import login_failures
from monitor.web.users import User, check_password

# One address may try several names (a shared office), so it gets more attempts.
ADDRESS_FACTOR = 4


class LoginLocked(AccessDenied):
    """Too many failed attempts: signing in is refused for a while."""


def _failures(connection, column, value: str, since: datetime) -> int:
    return connection.execute(
        select(func.count())
        .select_from(login_failures)
        .where(column == value)
        .where(login_failures.c.at >= since)
    ).scalar_one()


def authenticate(
    engine: Engine, web: WebSettings, name: str, password: str, address: str, now: datetime
) -> User:
    """The user these credentials belong to; AccessDenied otherwise, LoginLocked when limited."""
    name = name.strip()[:200]
    address = address[:100]
    window = timedelta(minutes=web.login_window_minutes)
    since = now - window
    with engine.connect() as connection:
        locked = (
            _failures(connection, login_failures.c.name, name, since) >= web.login_max_failures
            or _failures(connection, login_failures.c.address, address, since)
            >= web.login_max_failures * ADDRESS_FACTOR
        )
        if locked:
            minutes = round(web.login_window_minutes)
            raise LoginLocked(
                f"Слишком много неудачных попыток входа. Попробуйте снова через {minutes} мин."
            )
        user = check_password(connection, name, password)
    with engine.begin() as connection:
        if user is None:
            connection.execute(delete(login_failures).where(login_failures.c.at < since))
            connection.execute(insert(login_failures).values(name=name, address=address, at=now))
        else:
            connection.execute(delete(login_failures).where(login_failures.c.name == name))
    if user is None:
        raise AccessDenied("Неверное имя пользователя или пароль")
    return user
