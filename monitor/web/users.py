"""Users of the web page and the API: roles, argon2 password hashes, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, insert, select, update

from monitor.errors import InputError, NotFound
from monitor.incidents.audit import SYSTEM, record_event
from monitor.incidents.routing import recipient_id
from monitor.store.tables import recipients, users
from monitor.web.session_store import revoke_user_sessions

ROLES = ("admin", "officer", "recipient", "analyst")
ROLE_NAMES = {
    "admin": "администратор",
    "officer": "оператор",
    "recipient": "получатель",
    "analyst": "аналитик",
}
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1000
TOKEN_PREFIX = "otk_"

_hasher = PasswordHasher()
_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    # Verified when the name is unknown, so that a wrong name costs as long as a wrong password.
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash("otklik-dummy-password"))
    return _dummy[1]


@dataclass(frozen=True)
class User:
    """A signed-in person or system; `scope` is the recipient it is confined to."""

    id: int
    name: str
    role: str
    recipient_id: int | None
    recipient_code: str | None
    recipient_name: str | None
    active: bool
    has_token: bool

    @property
    def scope(self) -> int | None:
        """The recipient whose incidents alone this user sees, or None for all."""
        return self.recipient_id if self.role == "recipient" else None

    @property
    def role_name(self) -> str:
        """The role in Russian."""
        return ROLE_NAMES.get(self.role, self.role)


def _query():
    return select(
        users,
        recipients.c.code.label("recipient_code"),
        recipients.c.name.label("recipient_name"),
    ).select_from(users.outerjoin(recipients, recipients.c.id == users.c.recipient_id))


def _user(row) -> User:
    return User(
        id=row.id,
        name=row.name,
        role=row.role,
        recipient_id=row.recipient_id,
        recipient_code=row.recipient_code,
        recipient_name=row.recipient_name,
        active=bool(row.active),
        has_token=row.api_token_hash is not None,
    )


def hash_password(password: str) -> str:
    """An argon2 hash of a password that is long enough."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputError(f"Пароль короче {MIN_PASSWORD_CHARS} символов")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InputError("Пароль слишком длинный")
    return _hasher.hash(password)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200 or any(ch.isspace() for ch in name):
        raise InputError("Имя пользователя: от 1 до 200 символов, без пробелов")
    return name


def add_user(
    engine: Engine,
    name: str,
    role: str,
    password: str,
    *,
    now: datetime,
    recipient_code: str | None = None,
    actor: str = SYSTEM,
) -> User:
    """Create a user; a `recipient` user must name its recipient, the others must not.

    The audit log records who added whom (never the password).
    """
    name = _check_name(name)
    if role not in ROLES:
        raise InputError(f"Неизвестная роль: {role} (есть: {', '.join(ROLES)})")
    if role == "recipient" and not recipient_code:
        raise InputError("Пользователю с ролью recipient нужен получатель (--recipient)")
    if role != "recipient" and recipient_code:
        raise InputError("Получатель указывается только для роли recipient")
    password_hash = hash_password(password)
    with engine.begin() as connection:
        if connection.execute(select(users.c.id).where(users.c.name == name)).first():
            raise InputError(f"Пользователь {name} уже есть")
        owner = recipient_id(connection, recipient_code) if recipient_code else None
        connection.execute(
            insert(users).values(
                name=name,
                role=role,
                recipient_id=owner,
                password_hash=password_hash,
                active=True,
                created_at=now,
            )
        )
        payload = {"user": name, "role": role, "recipient": recipient_code}
        _audit(connection, "user_added", actor, now, payload)
        return _user(connection.execute(_query().where(users.c.name == name)).one())


def list_users(connection: Connection) -> list[User]:
    """Every user, by name."""
    return [_user(row) for row in connection.execute(_query().order_by(users.c.name))]


def get_user(connection: Connection, user_id: int) -> User | None:
    """The user with this id, or None."""
    row = connection.execute(_query().where(users.c.id == user_id)).first()
    return _user(row) if row else None


def user_by_name(connection: Connection, name: str) -> User:
    """The user with this name; NotFound when there is none."""
    row = connection.execute(_query().where(users.c.name == name)).first()
    if row is None:
        raise NotFound(f"Пользователь не найден: {name}")
    return _user(row)


def check_password(connection: Connection, name: str, password: str) -> User | None:
    """The active user whose password this is, or None (same cost either way)."""
    row = connection.execute(select(users).where(users.c.name == name)).first()
    stored = row.password_hash if row is not None and row.password_hash else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.password_hash or not row.active:
        return None
    return user_by_name(connection, name)


def set_password(engine: Engine, name: str, password: str, *, actor: str = SYSTEM) -> None:
    """Give a user a new password (their open sessions end); audited without the password."""
    password_hash = hash_password(password)
    with engine.begin() as connection:
        _update(connection, name, password_hash=password_hash)
        _end_sessions(connection, name)
        _audit(connection, "user_password_set", actor, None, {"user": name})


def set_active(engine: Engine, name: str, active: bool, *, actor: str = SYSTEM) -> None:
    """Let a user in or lock them out (their open sessions and API token stop working)."""
    with engine.begin() as connection:
        _update(connection, name, active=active)
        if not active:
            _end_sessions(connection, name)
        kind = "user_unlocked" if active else "user_locked"
        _audit(connection, kind, actor, None, {"user": name})


def _audit(
    connection: Connection, kind: str, actor: str, now: datetime | None, payload: dict
) -> None:
    """One audit event about a user account, in the caller's transaction (no incident)."""
    at = now or datetime.now(UTC)
    record_event(connection, incident_id=None, kind=kind, at=at, actor=actor, payload=payload)


def _update(connection: Connection, name: str, **values) -> None:
    result = connection.execute(update(users).where(users.c.name == name).values(**values))
    if result.rowcount == 0:
        raise NotFound(f"Пользователь не найден: {name}")


def _end_sessions(connection: Connection, name: str) -> None:
    """Revoke the user's open page sessions, in the caller's transaction."""
    user_id = connection.execute(select(users.c.id).where(users.c.name == name)).scalar_one()
    revoke_user_sessions(connection, user_id, datetime.now(UTC))


def _token_hash(token: str) -> str:
    # Tokens are long random strings: a fast hash is enough, and it can be looked up.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(engine: Engine, name: str, *, actor: str = SYSTEM) -> str:
    """A new API token for the user (the old one stops working); shown once, stored hashed."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as connection:
        _update(connection, name, api_token_hash=_token_hash(token))
        _audit(connection, "user_token_issued", actor, None, {"user": name})
    return token


def user_by_token(connection: Connection, token: str) -> User | None:
    """The active user holding this API token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = connection.execute(
        _query().where(users.c.api_token_hash == _token_hash(token)).where(users.c.active)
    ).first()
    return _user(row) if row else None


def ensure_admin(engine: Engine, name: str, password: str, *, now: datetime) -> User:
    """Create an admin, or make an existing user an active admin with this password (demo)."""
    with engine.connect() as connection:
        exists = connection.execute(select(users.c.id).where(users.c.name == name)).first()
    if exists is None:
        return add_user(engine, name, "admin", password, now=now)
    password_hash = hash_password(password)
    with engine.begin() as connection:
        _update(
            connection,
            name,
            role="admin",
            recipient_id=None,
            active=True,
            password_hash=password_hash,
        )
        _end_sessions(connection, name)
        return user_by_name(connection, name)
