"""The one place for HTTP: timeouts, size limits, status codes, retries with backoff and jitter.

httpx serves OK, Telegram and RSS; vk-api brings its own `requests` session, so
`VkSession` applies the same deadline and size limit to it and points it at the
configured endpoint.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import certifi
import httpx
import requests

from monitor.collectors.errors import (
    CollectorError,
    Interrupted,
    NeedsOperator,
    RateLimited,
    SourceUnavailable,
)
from monitor.config import HttpSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Response:
    """A whole response, read within the deadline."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        """The body decoded by its declared charset (UTF-8 otherwise); bad bytes replaced."""
        found = re.search(r"charset=([\w-]+)", self.headers.get("content-type", ""), re.I)
        try:
            return self.content.decode(found.group(1) if found else "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a broken body is a (retryable) collector error."""
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CollectorError(f"ответ не в формате JSON ({exc})") from None


def read_within(chunks: Iterable[bytes], deadline: float, max_bytes: int) -> bytes:
    """Join body chunks, failing when the deadline passes or the body grows too large."""
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise CollectorError(f"ответ больше {max_bytes // 1_000_000} МБ", retryable=False)
        if time.monotonic() > deadline:
            raise CollectorError("источник отвечает слишком медленно")
    return bytes(body)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds from a Retry-After header given in seconds, else None."""
    value = headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the backoff decides instead


def check_status(status: int, url: str, headers: Mapping[str, str]) -> None:
    """Turn an unsuccessful HTTP status into the matching collector error."""
    if status < 400 or status == 304:
        return
    if status == 429:
        raise RateLimited(f"HTTP 429 от {url}", retry_after=retry_after_seconds(headers))
    if status in (404, 410):
        raise SourceUnavailable(f"HTTP {status}: {url} не найден")
    if status in (401, 403):
        raise NeedsOperator(f"HTTP {status}: нет доступа к {url}")
    raise CollectorError(f"HTTP {status} от {url}", retryable=status >= 500)


class Retrier:
    """Runs an attempt again on retryable errors, waiting with exponential backoff and jitter."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        stop: threading.Event | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.stop = stop or threading.Event()
        self.rng = rng or random.Random()

    def delay(self, attempt: int, error: CollectorError) -> float:
        """Full jitter over an exponential ceiling, never shorter than the source asked."""
        ceiling = min(self.settings.backoff_max_seconds, self.settings.backoff_seconds * 2**attempt)
        wait = self.rng.uniform(0, ceiling)
        asked = getattr(error, "retry_after", None)
        return max(wait, min(asked, self.settings.backoff_max_seconds)) if asked else wait

    def pause(self, seconds: float) -> None:
        """Sleep, returning early with `Interrupted` when the scheduler is stopping."""
        if self.stop.wait(seconds) or self.stop.is_set():
            raise Interrupted("остановка по сигналу")

    def run(self, attempt: Callable[[], T], what: str, *, retries: int | None = None) -> T:
        """Call `attempt` until it succeeds or fails with a final error."""
        retries = self.settings.retries if retries is None else retries
        for number in range(retries + 1):
            if self.stop.is_set():
                raise Interrupted("остановка по сигналу")
            try:
                return attempt()
            except CollectorError as error:
                if not error.retryable or number == retries:
                    raise
                wait = self.delay(number, error)
                log.info("%s: %s; retry %d in %.1f s", what, error, number + 1, wait)
                self.pause(wait)
        raise AssertionError("unreachable")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle is slow."""
    return ssl.create_default_context(cafile=certifi.where())  # the bundle httpx would use


class HttpClient:
    """GET and form POST over httpx with the project's deadline, size limit and retries."""

    def __init__(self, settings: HttpSettings, retrier: Retrier) -> None:
        self.settings = settings
        self.retrier = retrier
        self.max_bytes = int(settings.max_response_mb * 1_000_000)
        self.client = httpx.Client(
            verify=tls_context(),
            timeout=httpx.Timeout(settings.timeout_seconds),
            headers={"User-Agent": settings.user_agent},
            follow_redirects=True,
        )

    def once(self, method: str, url: str, **kwargs: Any) -> Response:
        """One attempt: the whole body within the deadline, status codes as errors."""
        deadline = time.monotonic() + self.settings.timeout_seconds
        try:
            with self.client.stream(method, url, **kwargs) as reply:
                content = read_within(reply.iter_bytes(), deadline, self.max_bytes)
                response = Response(str(reply.url), reply.status_code, reply.headers, content)
        except httpx.TimeoutException:
            raise CollectorError(
                f"нет ответа от {url} за {self.settings.timeout_seconds:g} с"
            ) from None
        except httpx.HTTPError as exc:
            raise CollectorError(f"сетевая ошибка при запросе {url}: {exc}") from None
        check_status(response.status, url, response.headers)
        return response

    def get(self, url: str, **kwargs: Any) -> Response:
        """GET with retries."""
        return self.retrier.run(lambda: self.once("GET", url, **kwargs), url)

    def close(self) -> None:
        """Release connections."""
        self.client.close()


class VkSession(requests.Session):
    """The session vk-api sends through: its fixed endpoint rewritten, deadline and size applied."""

    PREFIXES = ("https://api.vk.ru/method/", "https://api.vk.com/method/")

    def __init__(self, base_url: str, settings: HttpSettings) -> None:
        super().__init__()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.settings = settings
        self.headers["User-Agent"] = settings.user_agent

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):  # type: ignore[override]
        """Send to the configured endpoint and read the whole body within the deadline."""
        url = url.decode() if isinstance(url, bytes) else url
        for prefix in self.PREFIXES:
            if url.startswith(prefix):
                url = self.base_url + url[len(prefix) :]
                break
        kwargs.setdefault("timeout", self.settings.timeout_seconds)
        kwargs["stream"] = True
        deadline = time.monotonic() + self.settings.timeout_seconds
        try:
            reply = super().request(method, url, *args, **kwargs)
            chunks = reply.iter_content(64 * 1024)
            max_bytes = int(self.settings.max_response_mb * 1_000_000)
            reply._content = read_within(chunks, deadline, max_bytes)
        except requests.Timeout:
            raise CollectorError(
                f"нет ответа от VK за {self.settings.timeout_seconds:g} с"
            ) from None
        except requests.RequestException as exc:
            raise CollectorError(f"сетевая ошибка при запросе к VK: {exc}") from None
        return reply
