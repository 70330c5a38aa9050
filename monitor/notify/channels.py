"""The two ways a message leaves: email over SMTP and Telegram through the Bot API.

A channel's `send` returns on success and raises one of three errors: `Rejected` (this
message will never go: bad address, refused chat), `Deferred` (try this message again
later) or `ChannelDown` (the server cannot be reached: try later, and do not wait on it
for the other messages of this run).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import httpx

from monitor.config import EmailSettings, TelegramSettings

SMTP_PASSWORD_ENV = "OTKLIK_SMTP_PASSWORD"
TELEGRAM_TOKEN_ENV = "OTKLIK_TELEGRAM_BOT_TOKEN"
TELEGRAM_TEXT_LIMIT = 4096


class SendError(Exception):
    """A message was not sent; the text is safe to store (no secrets)."""

    retry_after: float | None = None


class Rejected(SendError):
    """The server refused this message for good."""


class Deferred(SendError):
    """This message may go later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ChannelDown(Deferred):
    """The channel's server is unreachable or failing; skip the channel for this run."""


class Channel(Protocol):
    """One way of sending a message to an address."""

    name: str

    def send(self, address: str, subject: str, body: str, *, message_key: str) -> None:
        """Send one message or raise a SendError."""
        ...


class EmailChannel:
    """Email over SMTP (smtplib); the password only from OTKLIK_SMTP_PASSWORD."""

    name = "email"

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings

    def send(self, address: str, subject: str, body: str, *, message_key: str) -> None:
        """Send one plain-text UTF-8 email."""
        s = self.settings
        message = EmailMessage()
        message["From"] = s.sender
        message["To"] = address
        message["Subject"] = subject
        # A stable id lets a mail system drop the copy if a crash made us send twice.
        message["Message-ID"] = make_msgid(idstring=message_key.replace(":", "."), domain="otklik")
        message.set_content(body)
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            with smtp:
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.username:
                    smtp.login(s.username, os.environ.get(SMTP_PASSWORD_ENV, ""))
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            text = f"SMTP отклонил адрес {address}: {codes}"
            if all(500 <= code < 600 for code in codes):
                raise Rejected(text) from None
            raise Deferred(text) from None
        except smtplib.SMTPResponseException as exc:
            text = f"SMTP {exc.smtp_code}: {_decode(exc.smtp_error)}"
            # A refused login or a closing server is the channel's problem, not the message's.
            if exc.smtp_code == 421 or isinstance(exc, smtplib.SMTPAuthenticationError):
                raise ChannelDown(text) from None
            if 500 <= exc.smtp_code < 600:
                raise Rejected(text) from None
            raise Deferred(text) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelDown(f"SMTP {s.host}:{s.port} недоступен: {exc}") from None


class TelegramChannel:
    """Telegram Bot API `sendMessage` over httpx; the token only from the environment."""

    name = "telegram"

    def __init__(self, settings: TelegramSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.token = os.environ.get(TELEGRAM_TOKEN_ENV, "")
        self.client = client or httpx.Client(
            base_url=settings.base_url, timeout=settings.timeout_seconds
        )

    def send(self, address: str, subject: str, body: str, *, message_key: str) -> None:
        """Send one plain-text message to a chat id."""
        if not self.token:
            raise ChannelDown(f"Не задан токен бота ({TELEGRAM_TOKEN_ENV})")
        text = f"{subject}\n\n{body}"[:TELEGRAM_TEXT_LIMIT]
        try:
            response = self.client.post(
                f"/bot{self.token}/sendMessage",
                json={"chat_id": address, "text": text, "disable_web_page_preview": True},
            )
        except httpx.HTTPError as exc:
            raise ChannelDown(self._clean(f"Telegram недоступен: {exc}")) from None
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.status_code == 200 and data.get("ok"):
            return
        description = self._clean(str(data.get("description") or response.reason_phrase))
        text = f"Telegram {response.status_code}: {description}"
        if response.status_code == 429:
            parameters = data.get("parameters") or {}
            raise Deferred(text, retry_after=_number(parameters.get("retry_after")))
        if response.status_code >= 500 or response.status_code == 200:
            raise ChannelDown(text)
        raise Rejected(text)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def _clean(self, text: str) -> str:
        # httpx errors quote the URL, and the URL holds the token.
        return text.replace(self.token, "***") if self.token else text


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
