"""Signed-in sessions kept in the store, so that the server can end them at once.

The cookie carries a random token; the store keeps only its SHA-256 (`web_sessions.id`),
the user, when it was opened and last seen, when it expires and when it was revoked. Every
page request looks its session up by that key (one primary-key read, no cache), so logging
out, a new password or a lock ends a session in every server process on its next request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import OperationalError

from monitor.store.tables import web_sessions

# `last_seen_at` is a hint for people, not a check: written at most this often per session.
TOUCH_EVERY = timedelta(minutes=5)
log = logging.getLogger(__name__)


def session_id(token: str) -> str:
    """The stored key of a session token (tokens are long and random: a fast hash suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, user_id: int, now: datetime, hours: float) -> str:
    """Store a new session of the user lasting `hours`; its token, for the cookie only."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
        connection.execute(
            insert(web_sessions).values(
                id=session_id(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return token


def live_session(connection: Connection, token: str, now: datetime):
    """The session row of a token when it is neither revoked nor expired, else None."""
    if len(token) > 200:
        return None
    return connection.execute(
        select(web_sessions)
        .where(web_sessions.c.id == session_id(token))
        .where(web_sessions.c.revoked_at.is_(None))
        .where(web_sessions.c.expires_at > now)
    ).first()


def touch_session(engine: Engine, row, now: datetime) -> None:
    """Note that a session was used, at most every TOUCH_EVERY; never fails the request."""
    if now - row.last_seen_at < TOUCH_EVERY:
        return
    try:
        with engine.begin() as connection:
            connection.execute(
                update(web_sessions)
                .where(web_sessions.c.id == row.id)
                .where(web_sessions.c.last_seen_at < now)
                .values(last_seen_at=now)
            )
    except OperationalError as exc:  # a busy store: the hint waits for the next request
        log.info("session last-seen not updated: %s", exc.orig)


def revoke_session(engine: Engine, token: str, now: datetime) -> None:
    """End one session (logging out)."""
    with engine.begin() as connection:
        connection.execute(
            update(web_sessions)
            .where(web_sessions.c.id == session_id(token))
            .where(web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def revoke_user_sessions(connection: Connection, user_id: int, now: datetime) -> int:
    """End every open session of a user, in the caller's transaction; how many were open."""
    return connection.execute(
        update(web_sessions)
        .where(web_sessions.c.user_id == user_id)
        .where(web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
