"""Reporting periods: whole local days in the centre's time zone, an ISO week or a range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from monitor.config import Settings
from monitor.errors import InputError

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
# Days a period may cover: the years a post can have (monitor/storable.py), so that every
# bound, a baseline before it and the day after it are dates; and at most ten years at once.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2099, 12, 31)
MAX_DAYS = 3660
MONTHS_GENITIVE = tuple(
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
)


@dataclass(frozen=True, slots=True)
class Period:
    """Local days `first`..`last` (inclusive) in `zone`; `start`/`end` bound them in UTC."""

    first: date
    last: date
    zone: str

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InputError(f"Конец периода {self.last} раньше начала {self.first}")
        if self.first < FIRST_DAY or self.last > LAST_DAY:
            raise InputError(
                f"Период {self.first}–{self.last} вне допустимых дат "
                f"({FIRST_DAY.isoformat()} — {LAST_DAY.isoformat()})"
            )

    @property
    def tz(self) -> ZoneInfo:
        """The time zone the days are counted in."""
        return ZoneInfo(self.zone)

    @property
    def start(self) -> datetime:
        """The first moment of the period (UTC)."""
        return datetime.combine(self.first, time(), self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period (UTC)."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.tz).astimezone(UTC)

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.last - self.first).days + 1

    def dates(self) -> list[date]:
        """Every local day of the period."""
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def previous(self, days: int | None = None) -> Period:
        """The `days` (default: as many as this one has) just before this period."""
        length = days or self.days
        before = self.first - timedelta(days=1)
        return Period(self.first - timedelta(days=length), before, self.zone)

    def label(self) -> str:
        """Russian label: «16–22 ноября 2026 г.» or «16 ноября — 3 декабря 2026 г.»."""
        first, last = self.first, self.last
        if first == last:
            return f"{_day(last)} {last.year} г."
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{_day(last)} {last.year} г."
        head = _day(first) + (f" {first.year} г." if first.year != last.year else "")
        return f"{head} — {_day(last)} {last.year} г."

    def week_name(self) -> str | None:
        """`2026-W47` when the period is exactly one ISO week, else None."""
        year, week, weekday = self.first.isocalendar()
        if weekday == 1 and self.days == 7:
            return f"{year}-W{week:02d}"
        return None

    def as_dict(self) -> dict[str, str]:
        """The period for JSON output."""
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.zone,
        }


def _day(day: date) -> str:
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"


def centre_zone(settings: Settings) -> str:
    """The time zone days are counted in: the calendar's, else the centre's."""
    return settings.calendar.timezone or settings.timezone or "UTC"


def iso_week(text: str, zone: str) -> Period:
    """The ISO week `2026-W47` (Monday to Sunday)."""
    match = _WEEK.match(text.strip())
    if not match:
        raise InputError(f"Неделя указывается как 2026-W47, а не {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise InputError(
            f"Неделя {text.strip()} вне допустимых дат "
            f"({FIRST_DAY.isoformat()} — {LAST_DAY.isoformat()})"
        )
    try:
        monday = date.fromisocalendar(year, week, 1)
        sunday = monday + timedelta(days=6)
    except (ValueError, OverflowError):
        raise InputError(f"В {year} году нет недели {week}") from None
    return Period(monday, sunday, zone)


def parse_day(text: str) -> date:
    """A date written as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"Неверная дата: {text!r} (нужен формат ГГГГ-ММ-ДД)") from None


def last_full_week(now: datetime, zone: str) -> Period:
    """The last ISO week that has ended by `now`."""
    today = now.astimezone(ZoneInfo(zone)).date()
    monday = today - timedelta(days=today.weekday() + 7)
    return Period(monday, monday + timedelta(days=6), zone)


def last_days(now: datetime, zone: str, days: int) -> Period:
    """The `days` local days ending with today."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return Period(today - timedelta(days=days - 1), today, zone)


def resolve_period(
    *,
    zone: str,
    now: datetime,
    week: str | None = None,
    first: str | None = None,
    last: str | None = None,
    default_days: int | None = None,
) -> Period:
    """The period a user asked for: a week, a from/to range, or the default.

    The default is the last complete ISO week, or the last `default_days` days up to today
    when `default_days` is given. A range missing its end runs to today; missing its
    start, it is one day long.
    """
    if week and (first or last):
        raise InputError("Укажите либо --week, либо --from/--to")
    if week:
        return iso_week(week, zone)
    if first or last:
        today = now.astimezone(ZoneInfo(zone)).date()
        end = parse_day(last) if last else today
        start = parse_day(first) if first else end
        period = Period(start, end, zone)
        if period.days > MAX_DAYS:
            raise InputError(f"Период длиннее {MAX_DAYS} дней: выберите короче")
        return period
    if default_days:
        return last_days(now, zone, default_days)
    return last_full_week(now, zone)
