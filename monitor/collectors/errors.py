"""The one family of collector errors; the runner turns each into a source's health."""

from __future__ import annotations

from datetime import datetime

from monitor.errors import OtklikError


class CollectorError(OtklikError):
    """A source could not be read this time; by default worth retrying."""

    retryable = True

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class RateLimited(CollectorError):
    """The source asks us to slow down; `retry_after` seconds if it said how long."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExhausted(CollectorError):
    """A daily quota is spent: the source is parked until `until`."""

    retryable = False

    def __init__(self, message: str, *, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class SourceUnavailable(CollectorError):
    """The source is closed, deleted or has no public view: marked unavailable."""

    retryable = False


class NeedsOperator(CollectorError):
    """Only a person can fix this (token, captcha, validation): an alert is recorded."""

    retryable = False


class Interrupted(CollectorError):
    """The scheduler is stopping; the source is left as it was."""

    retryable = False


class MalformedItem(ValueError):
    """One item of a response cannot be read; it is skipped with this reason."""
