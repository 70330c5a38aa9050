"""What the store can take: the limits of its columns, checked once at the edge.

Every post enters through `record_from_dict` (JSONL files) or a collector's batch; both end
here, so a record the store cannot take (a counter beyond its integer column, a moment
that has no UTC form, an id longer than its column, a NUL that PostgreSQL refuses, a lone
surrogate that no encoding takes) is refused with a reason before it reaches a statement,
never half way through a transaction.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from monitor.errors import InputError

# Column limits (monitor/store/tables.py): String lengths and a 32-bit INTEGER.
ID_CHARS = 300
URL_CHARS = 1000
AUTHOR_ID_CHARS = 200
AUTHOR_NAME_CHARS = 300
TERRITORY_CHARS = 200
SOURCE_NAME_CHARS = 200
MAX_COUNT = 2**31 - 1
# Moments a post can have: social networks did not exist before 1970, and analytics count
# ISO weeks, so a year far ahead is a broken clock, not a post.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_DEPTH = 64
SURROGATE = re.compile("[\ud800-\udfff]")


def is_row_id(value: int) -> bool:
    """Whether a number can be a row id at all (the store's ids are 32-bit, from 1)."""
    return 1 <= value <= MAX_COUNT


def clean_string(value: str) -> str:
    """A string every database stores: no NUL, lone surrogates replaced by U+FFFD."""
    if value.isascii():
        return value.replace("\x00", "") if "\x00" in value else value
    return SURROGATE.sub("\ufffd", value.replace("\x00", ""))


def clean_json(data: Any) -> Any:
    """A copy of parsed JSON that both databases' JSON columns take.

    Strings are cleaned, non-finite numbers (which JSON cannot write) become null; nesting
    deeper than MAX_DEPTH is refused.
    """
    return _clean(data, 0)


def _clean(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return clean_string(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int)) or value is None:
        return value
    if depth >= MAX_DEPTH:
        raise InputError(f"слишком глубокая вложенность JSON (больше {MAX_DEPTH})")
    if isinstance(value, dict):
        return {clean_string(str(k)): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item, depth + 1) for item in value]
    return clean_string(str(value))


def parse_json_line(line: bytes, *, first: bool = False) -> Any:
    """One JSONL line parsed; every way it can be broken is an InputError with a reason."""
    try:
        text = line.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError:
        raise InputError("текст не в кодировке UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"неверный JSON (позиция {exc.pos})") from None
    except RecursionError:
        raise InputError("слишком глубокая вложенность JSON") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise InputError("неверный JSON (слишком длинное число)") from None


def count(value: Any, what: str) -> int | None:
    """A counter (reach, audience): a whole number from 0 to the store's integer limit."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InputError(f"{what}: ожидалось число, получено {_show(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise InputError(f"{what}: ожидалось целое число, получено {_show(value)}")
        value = int(value)
    elif isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise InputError(f"{what}: ожидалось число, получено {_show(value)}") from None
    elif not isinstance(value, int):
        raise InputError(f"{what}: ожидалось число, получено {_show(value)}")
    if value < 0:
        raise InputError(f"{what}: отрицательное значение {_show(value)}")
    if value > MAX_COUNT:
        raise InputError(f"{what}: слишком большое значение (больше {MAX_COUNT})")
    return value


def moment(value: datetime, what: str = "published_at") -> datetime:
    """An aware moment within the years a post can have, in UTC."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InputError(f"{what}: дата вне допустимого диапазона ({value.isoformat()})") from None
    if not EARLIEST <= utc < LATEST:
        raise InputError(f"{what}: дата вне допустимого диапазона 1970–2099 ({value.isoformat()})")
    return utc


def unix_moment(seconds: Any, what: str = "published_at") -> datetime:
    """Unix seconds (int or float) as a moment; NaN, infinities and far years are refused."""
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise InputError(f"{what}: неверная дата {_show(seconds)}")
    try:
        value = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise InputError(f"{what}: дата вне допустимого диапазона ({_show(seconds)})") from None
    return moment(value, what)


def text_field(value: str | None, what: str, limit: int, *, identifier: bool = True) -> str | None:
    """A short text column: an identifier with a NUL or over its length is refused."""
    if value is None:
        return None
    if identifier and ("\x00" in value or SURROGATE.search(value)):
        raise InputError(f"{what}: недопустимый символ в значении {_show(value)}")
    value = clean_string(value)
    if len(value) > limit:
        if not identifier:
            return value[:limit]
        raise InputError(f"{what}: длиннее {limit} символов")
    return value or None


def storable(record, *, raw_clean: bool = False):
    """The record as the store takes it, or an InputError saying why it cannot be stored."""
    author = record.author
    return replace(
        record,
        external_id=text_field(record.external_id, "id", ID_CHARS) or _missing("id"),
        text=clean_string(record.text),
        published_at=moment(record.published_at),
        url=text_field(record.url, "url", URL_CHARS),
        author=replace(
            author,
            id=text_field(author.id, "author.id", AUTHOR_ID_CHARS),
            name=text_field(author.name, "author.name", AUTHOR_NAME_CHARS, identifier=False),
            audience=count(author.audience, "author.audience"),
        ),
        reach=replace(
            record.reach,
            **{
                key: count(getattr(record.reach, key), f"reach.{key}")
                for key in ("views", "likes", "reposts", "comments")
            },
        ),
        parent_id=text_field(record.parent_id, "parent_id", ID_CHARS),
        repost_of=text_field(record.repost_of, "repost_of", ID_CHARS),
        territory=text_field(record.territory, "territory", TERRITORY_CHARS),
        raw=record.raw if raw_clean else clean_json(record.raw),
    )


def source_name(value: Any) -> str | None:
    """A record's own `source_name`: a short name without NUL, or None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"source_name: ожидалась строка, получено {_show(value)}")
    return text_field(str(value), "source_name", SOURCE_NAME_CHARS)


def _missing(what: str) -> str:
    raise InputError(f"нет поля {what}")


def _show(value: Any) -> str:
    """A value for a message: short, and safe to print."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
