"""wall.createComment through the collectors' VK session and retrier; errors in Russian."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jconfig
import vk_api

from monitor.collectors.errors import CollectorError
from monitor.collectors.http import Retrier, VkSession, check_status
from monitor.config import Settings

CENTRE_TOKEN = "OTKLIK_VK_TOKEN"
RETRYABLE_CODES = {6, 9, 10}  # too many requests, flood control, VK's internal error

# What each documented error of wall.createComment means for the officer, and what to do.
ADVICE = {
    5: "Токен VK недействителен или истёк: выпустите новый ключ доступа сообщества (право "
    "«стена») и задайте его в переменной {variable}, затем повторите публикацию.",
    7: "У токена нет права писать от имени сообщества: дайте ключу доступа право «стена» "
    "или используйте ключ администратора, затем повторите.",
    15: "Комментарии к записи закрыты или стена недоступна: ответьте жителю по ссылке "
    "другим способом (личное сообщение) — текст ответа сохранён.",
    14: "VK требует ввести капчу: опубликуйте ответ вручную по ссылке или повторите позже.",
    100: "VK не принял параметры: вероятно, запись или комментарий удалены. Проверьте ссылку; "
    "текст ответа сохранён, его можно отправить жителю иначе.",
    213: "Нет доступа к комментариям записи (закрыты для сообщества): ответьте вручную по ссылке.",
    222: "VK не разрешает ссылки в этом комментарии: уберите ссылки из текста и опубликуйте снова.",
    223: "В ветке слишком много ответов: опубликуйте ответ под самой записью или вручную.",
}


class PublishFailure(CollectorError):
    """A publication that failed: VK's code (or HTTP), a Russian message with what to do."""

    def __init__(self, message: str, code: str, retryable: bool = False) -> None:
        super().__init__(message, retryable=retryable)
        self.code = code


def token_variable(recipient_code: str | None) -> str:
    """OTKLIK_VK_TOKEN_<CODE>: the recipient's own page token variable."""
    suffix = re.sub(r"[^A-Z0-9]", "_", (recipient_code or "").upper())
    return f"{CENTRE_TOKEN}_{suffix}"


def advice(code: int, variable: str) -> str:
    """The Russian message for a VK error code."""
    text = ADVICE.get(code)
    if text is None:
        return f"VK вернул ошибку {code}: повторите позже или ответьте вручную по ссылке."
    return text.format(variable=variable)


@dataclass(frozen=True)
class Voice:
    """Who answers: the community id (from_group) and the token variable that holds its key."""

    group_id: int | None
    variable: str


class VkCommenter:
    """Posts one comment; each attempt is reported to `on_attempt` (for the audit log)."""

    def __init__(self, settings: Settings, retrier: Retrier) -> None:
        self.settings = settings
        self.retrier = retrier

    def send(
        self,
        voice: Voice,
        values: dict[str, Any],
        on_attempt: Callable[[str | None, str | None], None],
    ) -> dict[str, Any]:
        """Call wall.createComment with retries; the response or a PublishFailure."""
        token = os.environ.get(voice.variable)
        if not token:
            raise PublishFailure(
                f"Не задан токен VK: переменная окружения {voice.variable}. Задайте ключ "
                "доступа сообщества и повторите публикацию.",
                "token",
            )
        session = VkSession(self.settings.collectors.vk.base_url, self.settings.collectors.http)
        api = vk_api.VkApi(
            token=token,
            api_version=self.settings.collectors.vk.api_version,
            session=session,
            config=jconfig.MemoryConfig,
        )
        api.error_handlers = {}
        api.RPS_DELAY = self.settings.collectors.vk.min_interval_seconds
        params = dict(values)
        if voice.group_id:
            params["from_group"] = voice.group_id

        def attempt() -> dict[str, Any]:
            try:
                result = self._call(api, params, voice.variable)
            except CollectorError as error:
                code = getattr(error, "code", None)
                on_attempt(str(code) if code else "network", str(error))
                raise
            on_attempt(None, None)
            return result

        try:
            return self.retrier.run(attempt, "VK wall.createComment")
        finally:
            session.close()

    @staticmethod
    def _call(api: vk_api.VkApi, params: dict[str, Any], variable: str) -> dict[str, Any]:
        try:
            result = api.method("wall.createComment", params)
        except vk_api.ApiError as exc:
            code = exc.code
            if code in RETRYABLE_CODES:
                raise PublishFailure(f"VK: ошибка {code}, повтор", str(code), True) from None
            raise PublishFailure(advice(code, variable), str(code)) from None
        except vk_api.ApiHttpError as exc:
            try:
                check_status(exc.response.status_code, "VK", exc.response.headers)
            except CollectorError as error:
                raise PublishFailure(
                    f"VK недоступен ({error}); ответ сохранён, повторите позже.",
                    f"http{exc.response.status_code}",
                    error.retryable,
                ) from None
            raise PublishFailure("VK: неверный ответ", "http", True) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise PublishFailure(f"VK: неверный ответ ({exc})", "response", True) from None
        if not isinstance(result, dict) or not isinstance(result.get("comment_id"), int):
            raise PublishFailure("VK: в ответе нет comment_id", "response", True)
        return result
