"""Sessions in a signed, HttpOnly, SameSite cookie: a random token that names the session
stored on the server (monitor/web/session_store.py), and the CSRF token of its forms."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "otklik_session"
SECRET_ENV = "OTKLIK_WEB_SECRET"
log = logging.getLogger(__name__)


@dataclass
class Session:
    """The browser's session: its server-side token once signed in, and its CSRF token."""

    token: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    changed: bool = False

    def sign_in(self, token: str) -> None:
        """Start a signed-in session; a fresh CSRF token guards against fixation."""
        self.token = token
        self.csrf = secrets.token_urlsafe(24)
        self.changed = True

    def sign_out(self) -> None:
        """Forget the session token and the CSRF token."""
        self.token = None
        self.csrf = secrets.token_urlsafe(24)
        self.changed = True

    def csrf_matches(self, token: str | None) -> bool:
        """Whether a submitted form carries this session's CSRF token."""
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self.csrf.encode())


def signing_secret() -> str:
    """The cookie signing key from OTKLIK_WEB_SECRET, or a random one for this process."""
    secret = os.environ.get(SECRET_ENV)
    if secret:
        return secret
    log.warning("%s is not set: sessions end when the server restarts", SECRET_ENV)
    return secrets.token_urlsafe(32)


class SessionCodec:
    """Turns sessions into signed cookie values and back."""

    def __init__(self, secret: str, max_age_seconds: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="otklik-session")
        self.max_age_seconds = max_age_seconds

    def load(self, cookie: str | None) -> Session:
        """The session in a cookie; a new empty one when it is missing, forged or expired."""
        if cookie:
            try:
                data = self._serializer.loads(cookie, max_age=int(self.max_age_seconds))
                token = data["t"]
                if token is not None and not isinstance(token, str):
                    raise TypeError("session token")
                return Session(token=token, csrf=str(data["c"]))
            except (BadSignature, KeyError, TypeError, ValueError):
                pass
        return Session(changed=True)

    def dump(self, session: Session) -> str:
        """The signed cookie value of a session."""
        return self._serializer.dumps({"t": session.token, "c": session.csrf})
