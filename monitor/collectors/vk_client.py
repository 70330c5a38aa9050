"""VK API 5.199 through vk-api: our session, our throttle, VK's errors as collector errors."""

from __future__ import annotations

import json
import os
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jconfig
import vk_api

from monitor.collectors.errors import (
    CollectorError,
    NeedsOperator,
    QuotaExhausted,
    RateLimited,
    SourceUnavailable,
)
from monitor.collectors.http import Retrier, VkSession, check_status
from monitor.config import CollectorsSettings

TOKEN_VARIABLE = "OTKLIK_VK_TOKEN"
EXECUTE_LIMIT = 25

RATE_CODES = {6, 9, 10}  # too many requests, flood control, internal server error
QUOTA_CODES = {29}  # a method's daily quota
UNAVAILABLE_CODES = {15, 18, 30, 203, 212}  # access denied, deleted, private, group closed
OPERATOR_CODES = {5, 14, 17}  # invalid token, captcha, validation required
REQUEST_BUG_CODES = {100, 113}  # wrong parameter, wrong user id


def next_midnight(now: datetime, timezone: str) -> datetime:
    """The start of the next day in the given time zone (when VK's daily quotas renew)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)


def vk_error(code: Any, message: Any, method: str, *, now: datetime, timezone: str):
    """The collector error for one VK error code."""
    text = f"VK {method}: ошибка {code} ({message})"
    if code in RATE_CODES:
        return RateLimited(text)
    if code in QUOTA_CODES:
        return QuotaExhausted(text, until=next_midnight(now, timezone))
    if code in UNAVAILABLE_CODES:
        return SourceUnavailable(text)
    if code in OPERATOR_CODES:
        return NeedsOperator(text)
    if code in REQUEST_BUG_CODES:
        return CollectorError(text, retryable=False)
    return CollectorError(text)


def _literal(values: dict[str, Any]) -> str:
    """An object literal of VKScript (a JSON object)."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


class VkClient:
    """Calls VK methods with bounded retries; `execute` batches up to 25 calls in one."""

    def __init__(
        self,
        settings: CollectorsSettings,
        retrier: Retrier,
        *,
        now,
        timezone: str = "Europe/Moscow",
        token: str | None = None,
    ) -> None:
        token = token or os.environ.get(TOKEN_VARIABLE)
        if not token:
            raise NeedsOperator(f"не задан токен VK: переменная окружения {TOKEN_VARIABLE}")
        self.retrier = retrier
        self.now = now
        self.timezone = timezone
        self.session = VkSession(settings.vk.base_url, settings.http)
        self.vk = vk_api.VkApi(
            token=token,
            api_version=settings.vk.api_version,
            session=self.session,
            config=jconfig.MemoryConfig,
        )
        # The library retries error 6 forever and builds captcha objects from fields that
        # may be missing; every error reaches us instead, and the retrier bounds retries.
        self.vk.error_handlers = {}
        self.vk.RPS_DELAY = settings.vk.min_interval_seconds

    def _error(self, code: Any, message: Any, method: str) -> CollectorError:
        return vk_error(code, message, method, now=self.now(), timezone=self.timezone)

    def _attempt(self, method: str, values: dict[str, Any], raw: bool) -> Any:
        try:
            return self.vk.method(method, values, raw=raw)
        except vk_api.ApiError as exc:
            raise self._error(exc.code, exc.error.get("error_msg"), method) from None
        except vk_api.ApiHttpError as exc:
            check_status(exc.response.status_code, f"VK {method}", exc.response.headers)
            raise CollectorError(f"VK {method}: HTTP {exc.response.status_code}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise CollectorError(f"VK {method}: неверный ответ ({exc})") from None

    def call(self, method: str, **values: Any) -> Any:
        """The `response` of one method; the whole envelope with `raw=True`."""
        raw = bool(values.pop("raw", False))
        result = self.retrier.run(lambda: self._attempt(method, values, raw), f"VK {method}")
        if not raw and not isinstance(result, dict):
            raise CollectorError(f"VK {method}: ожидался объект, получено {type(result).__name__}")
        return result

    def execute(self, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        """Run up to 25 calls in one request; a failed slot holds its collector error."""
        if len(calls) > EXECUTE_LIMIT:
            raise ValueError(f"execute takes at most {EXECUTE_LIMIT} calls")
        slots = ",".join(f"API.{method}({_literal(values)})" for method, values in calls)
        code = f"return [{slots}];"
        envelope = self.call("execute", code=code, raw=True)
        answers = envelope.get("response") if isinstance(envelope, dict) else None
        if not isinstance(answers, list) or len(answers) != len(calls):
            raise CollectorError("VK execute: неверный ответ")
        failures = iter(envelope.get("execute_errors") or [])
        results: list[Any] = []
        for (method, _), slot in zip(calls, answers, strict=True):
            if slot is False:
                error = next(failures, None) or {}
                slot = self._error(error.get("error_code"), error.get("error_msg"), method)
            results.append(slot)
        return results
