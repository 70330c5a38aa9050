"""A small signed client for the Odnoklassniki REST API (`fb.do`) over the shared HTTP client."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitor.collectors.errors import (
    CollectorError,
    NeedsOperator,
    RateLimited,
    SourceUnavailable,
)
from monitor.collectors.http import HttpClient
from monitor.config import OkCollectorSettings

UNSIGNED = ("access_token", "session_key", "sig")
RATE_CODES = {8, 11}  # flood blocked, limit reached
OPERATOR_CODES = {9, 101, 102, 103, 104}  # IP blocked, bad key, session expired or bad, signature
UNAVAILABLE_CODES = {10, 300}  # permission denied, not found


def md5_hex(text: str) -> str:
    """Lower-case hex MD5 of UTF-8 text."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def signature(parameters: Mapping[str, str], secret: str) -> str:
    """`sig`: the raw parameters but tokens, sorted by name, joined as name=value, plus secret."""
    signed = "".join(
        f"{name}={parameters[name]}" for name in sorted(parameters) if name not in UNSIGNED
    )
    return md5_hex(signed + secret)


@dataclass(frozen=True)
class OkCredentials:
    """Application keys and an optional user session, from the environment only."""

    application_key: str
    application_secret_key: str | None = None
    access_token: str | None = None
    session_secret_key: str | None = None

    @classmethod
    def from_environment(cls) -> OkCredentials:
        """Read OTKLIK_OK_*; missing keys need a person to set them."""
        key = os.environ.get("OTKLIK_OK_APPLICATION_KEY")
        secret = os.environ.get("OTKLIK_OK_APPLICATION_SECRET_KEY")
        session_secret = os.environ.get("OTKLIK_OK_SESSION_SECRET_KEY")
        if not key or not (secret or session_secret):
            raise NeedsOperator(
                "не заданы ключи OK: OTKLIK_OK_APPLICATION_KEY и "
                "OTKLIK_OK_APPLICATION_SECRET_KEY (и OTKLIK_OK_ACCESS_TOKEN для сессии)"
            )
        return cls(key, secret, os.environ.get("OTKLIK_OK_ACCESS_TOKEN"), session_secret)

    def secret(self) -> str:
        """The signing secret: the session's, else derived from the token, else the app's."""
        if self.session_secret_key:
            return self.session_secret_key
        assert self.application_secret_key is not None
        if self.access_token:
            return md5_hex(self.access_token + self.application_secret_key)
        return self.application_secret_key


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ok_error(body: Mapping[str, Any], method: str) -> CollectorError:
    """The collector error for an error body `{error_code, error_msg, error_data}`."""
    code = body.get("error_code")
    text = f"OK {method}: ошибка {code} ({body.get('error_msg')})"
    if code in RATE_CODES:
        return RateLimited(text)
    if code in OPERATOR_CODES:
        return NeedsOperator(text)
    if code in UNAVAILABLE_CODES:
        return SourceUnavailable(text)
    return CollectorError(text, retryable=code not in (100,))


class OkClient:
    """Signs and sends one method call; error bodies become collector errors."""

    def __init__(
        self, http: HttpClient, settings: OkCollectorSettings, credentials: OkCredentials
    ) -> None:
        self.http = http
        self.settings = settings
        self.credentials = credentials

    def signed(self, method: str, parameters: Mapping[str, Any]) -> dict[str, str]:
        """The full parameter set of one call, signed."""
        values = {
            "application_key": self.credentials.application_key,
            "format": "json",
            "method": method,
            **{name: _value(value) for name, value in parameters.items()},
        }
        values["sig"] = signature(values, self.credentials.secret())
        if self.credentials.access_token:
            values["access_token"] = self.credentials.access_token
        return values

    def call(self, method: str, **parameters: Any) -> Any:
        """The body of one method call, retried on flood and limit errors."""

        def attempt() -> Any:
            data = self.signed(method, parameters)
            reply = self.http.once("POST", self.settings.base_url, data=data)
            body = reply.json()
            if isinstance(body, dict) and "error_code" in body:
                raise ok_error(body, method)
            return body

        return self.http.retrier.run(attempt, f"OK {method}")
