"""Signing in: the password check behind growing delays per source, counted in the store.

A source is the client's address, and each name tried from that address. Every attempt is
counted before its password is checked, by a conditional UPDATE of the source's row in a
transaction every server process shares, so concurrent requests cannot slip past the
limit: a source's first attempts pass at once (`login_max_failures` for a name from one
address, `ADDRESS_FACTOR` times that for the address), each later one only after a delay
that doubles from `login_delay_seconds` up to `login_window_minutes`. A window without
attempts forgets the source. The account itself is never locked, so a guesser cannot keep
its owner out: from another address the owner is not delayed at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monitor.config import WebSettings
from monitor.errors import AccessDenied
from monitor.store.tables import UTCDateTime, login_throttle
from monitor.web.users import User, check_password

# One address may try several names (a shared office), so it gets more attempts.
ADDRESS_FACTOR = 4
WHOLE_ADDRESS = " "  # the `name` of an address's own row: never a name, names are stripped
LONGEST_DOUBLING = 30  # 2**30 times any first delay is past every window


class LoginLocked(AccessDenied):
    """Too many failed attempts from this source: it must wait `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"Слишком много неудачных попыток входа. Повторите через {_wait_words(retry_after)}."
        )


@dataclass(frozen=True)
class Source:
    """Where attempts come from: an address, or a name from an address, and its free tries."""

    address: str
    name: str
    free_attempts: int


def _wait_words(seconds: int) -> str:
    return f"{seconds} с" if seconds < 60 else f"{math.ceil(seconds / 60)} мин"


def delay_after(failures: int, free_attempts: int, web: WebSettings) -> timedelta:
    """How long a source waits after its `failures`-th counted attempt."""
    if failures < free_attempts:
        return timedelta(0)
    doublings = min(failures - free_attempts, LONGEST_DOUBLING)
    seconds = min(web.login_delay_seconds * 2**doublings, web.login_window_minutes * 60)
    return timedelta(seconds=seconds)


def sources(web: WebSettings, name: str, address: str) -> list[Source]:
    """The sources an attempt counts against: its address, and the name from that address."""
    return [
        Source(address, WHOLE_ADDRESS, web.login_max_failures * ADDRESS_FACTOR),
        Source(address, name, web.login_max_failures),
    ]


def _row(source: Source):
    return and_(login_throttle.c.address == source.address, login_throttle.c.name == source.name)


def count_attempt(
    connection: Connection, web: WebSettings, attempt: list[Source], now: datetime
) -> None:
    """Count one attempt against each source, in the caller's transaction.

    Raises LoginLocked when a source must still wait; the caller's transaction then rolls
    back, so a refused attempt counts against nothing.
    """
    forget_before = now - timedelta(minutes=web.login_window_minutes)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    column = login_throttle.c
    for source in attempt:
        fresh = {"failures": 0, "last_at": now, "next_allowed_at": now}
        connection.execute(
            dialect.insert(login_throttle)
            .values(address=source.address, name=source.name, **fresh)
            .on_conflict_do_nothing(index_elements=["address", "name"])
        )
        # Atomic on both stores: PostgreSQL re-checks the condition on the row it waited
        # for, SQLite runs one writer at a time.
        failures = connection.execute(
            update(login_throttle)
            .where(_row(source))
            .where(or_(column.next_allowed_at <= now, column.last_at < forget_before))
            .values(
                failures=case((column.last_at < forget_before, 1), else_=column.failures + 1),
                last_at=now,
            )
            .returning(column.failures)
        ).scalar()
        if failures is None:
            allowed_at = connection.execute(
                select(column.next_allowed_at).where(_row(source))
            ).scalar_one()
            raise LoginLocked(max(1, math.ceil((allowed_at - now).total_seconds())))
        connection.execute(
            update(login_throttle)
            .where(_row(source))
            .values(next_allowed_at=now + delay_after(failures, source.free_attempts, web))
        )


def forgive_attempt(connection: Connection, attempt: list[Source], now: datetime) -> None:
    """After a right password: the name starts afresh, the address gets its attempt back."""
    column = login_throttle.c
    address, name = attempt  # in the order `sources` gives them
    connection.execute(delete(login_throttle).where(_row(name)))
    connection.execute(
        update(login_throttle)
        .where(_row(address))
        .values(
            failures=case((column.failures > 0, column.failures - 1), else_=0),
            # Back under its free attempts: no wait is owed for this one.
            next_allowed_at=case(
                (column.failures <= address.free_attempts, literal(now, UTCDateTime())),
                else_=column.next_allowed_at,
            ),
        )
    )


def authenticate(
    engine: Engine, web: WebSettings, name: str, password: str, address: str, now: datetime
) -> User:
    """The user these credentials belong to; AccessDenied otherwise, LoginLocked when limited."""
    name = name.strip()[:200]
    attempt = sources(web, name, address[:100])
    forget_before = now - timedelta(minutes=web.login_window_minutes)
    with engine.begin() as connection:
        connection.execute(delete(login_throttle).where(login_throttle.c.last_at < forget_before))
    with engine.begin() as connection:
        count_attempt(connection, web, attempt, now)
    with engine.connect() as connection:
        user = check_password(connection, name, password)
    if user is None:
        raise AccessDenied("Неверное имя пользователя или пароль")
    with engine.begin() as connection:
        forgive_attempt(connection, attempt, now)
    return user
