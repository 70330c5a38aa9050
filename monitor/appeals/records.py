"""The appeal record (the shape of spb_portal.jsonl), validated once at the edge."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.errors import InputError

ANSWER_KINDS = ("interim", "answer")
OUTCOMES = ("satisfied", "closed_automatically", "open")
MAX_TEXT = 100_000


@dataclass(frozen=True, slots=True)
class Answer:
    """An official answer: interim or final, by an answering body."""

    at: datetime
    kind: str
    by: str
    text: str


@dataclass(frozen=True, slots=True)
class Followup:
    """What the resident wrote after an answer (the portal: not satisfied)."""

    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Appeal:
    """One appeal with its timeline."""

    external_id: str
    system: str
    text: str
    published_at: datetime
    sector: str
    district: str | None
    extra: dict[str, Any]
    answers: tuple[Answer, ...]
    followups: tuple[Followup, ...]
    outcome: str
    content_hash: str


def _moment(value: Any, zone: ZoneInfo, what: str) -> datetime:
    if not isinstance(value, str) or not value:
        raise InputError(f"{what}: нет даты")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what}: неверная дата {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what}: пустой текст")
    return value.strip()[:MAX_TEXT]


def parse_appeal(line: str, *, zone: ZoneInfo, sectors: set[str]) -> Appeal:
    """One JSON line as an Appeal; InputError in Russian saying what is wrong."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise InputError(f"не JSON ({exc})") from None
    if not isinstance(record, dict):
        raise InputError("запись не объект")
    external_id = record.get("id")
    if not isinstance(external_id, str) or not external_id.strip():
        raise InputError("нет поля id")
    answers = []
    for number, item in enumerate(record.get("answers") or [], start=1):
        if not isinstance(item, dict) or item.get("kind") not in ANSWER_KINDS:
            raise InputError(f"ответ {number}: kind должен быть interim или answer")
        answers.append(
            Answer(
                _moment(item.get("at"), zone, f"ответ {number}"),
                item["kind"],
                str(item.get("by") or "").strip() or "не указан",
                _text(item.get("text"), f"ответ {number}"),
            )
        )
    followups = []
    for number, item in enumerate(record.get("followups") or [], start=1):
        if not isinstance(item, dict):
            raise InputError(f"отклик {number} не объект")
        followups.append(
            Followup(
                _moment(item.get("at"), zone, f"отклик {number}"),
                _text(item.get("text"), f"отклик {number}"),
            )
        )
    outcome = record.get("outcome") or "open"
    if outcome not in OUTCOMES:
        raise InputError(f"неизвестный outcome: {outcome!r}")
    sector = record.get("sector")
    district = record.get("district")
    return Appeal(
        external_id=external_id.strip(),
        system=str(record.get("source") or "appeals"),
        text=_text(record.get("text"), "текст обращения"),
        published_at=_moment(record.get("published_at"), zone, "published_at"),
        sector=sector if sector in sectors else "other",
        district=district.strip() if isinstance(district, str) and district.strip() else None,
        extra={
            key: record.get(key)
            for key in ("category", "reason", "address", "lat", "lon")
            if record.get(key) not in (None, "")
        },
        answers=tuple(sorted(answers, key=lambda a: a.at)),
        followups=tuple(sorted(followups, key=lambda f: f.at)),
        outcome=outcome,
        content_hash=hashlib.sha256(line.strip().encode()).hexdigest(),
    )
