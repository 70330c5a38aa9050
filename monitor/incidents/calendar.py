"""Working time: the centre's hours in its time zone on the Russian production calendar.

Deadlines are counted in elapsed working time. A working period is one working day's
[start, end] in local time; adding working time to a moment walks these periods, so a
deadline always falls inside one: after its start and no later than its end (a deadline
at 18:00 is the end of that day, not 09:00 of the next). Which days work comes from the
`holidays` package (holidays, days off moved from weekends, transferred working
Saturdays such as 1 November 2025), never from a hand-kept list. On the Russian calendar
the working day before a non-working holiday ends one hour earlier (Labour Code, art. 95;
see monitor/incidents/preholiday.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.incidents.preholiday import SHORTENING, shortened_days

# A calendar with no working day in ten years is a configuration mistake, not a long wait.
MAX_IDLE_DAYS = 3660
ZERO = timedelta(0)


class Clock(Protocol):
    """How deadlines count time: working hours, or around the clock."""

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of counted time after `moment`."""
        ...

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Counted time from `start` to `end` (zero when end is not after start)."""
        ...


class AroundTheClock:
    """Wall-clock time: every hour counts (critical incidents)."""

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """The moment `duration` after `moment`."""
        return moment + max(duration, ZERO)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Elapsed time from `start` to `end`."""
        return max(end - start, ZERO)


def _parse_time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


@dataclass(eq=False)
class WorkingCalendar:
    """Working days and hours of the centre; all moments in and out are timezone-aware."""

    zone: ZoneInfo
    start: time = time(9)
    end: time = time(18)
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    country: str | None = "RU"
    _days: dict[date, bool] = field(default_factory=dict, repr=False)
    _short: dict[int, frozenset[date]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ConfigError("Начало рабочего дня должно быть раньше его конца")
        self._calendar = None
        if self.country:
            try:
                self._calendar = holidays.country_holidays(self.country)
            except NotImplementedError:
                raise ConfigError(
                    f"Производственный календарь страны {self.country!r} неизвестен"
                ) from None
            # The package's weekend is Saturday and Sunday; a centre with other working
            # weekdays keeps the holidays and moved days but its own week.
            self._calendar.weekend = {day - 1 for day in range(1, 8) if day not in self.workdays}

    @property
    def day_length(self) -> timedelta:
        """Length of one working day (on a day without a clock change)."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def is_working_day(self, day: date) -> bool:
        """Whether the centre works on this local date."""
        known = self._days.get(day)
        if known is None:
            if self._calendar is not None:
                known = self._calendar.is_working_day(day)
            else:
                known = day.isoweekday() in self.workdays
            self._days[day] = known
        return known

    def is_shortened_day(self, day: date) -> bool:
        """Whether this local date is a pre-holiday working day, one hour shorter (art. 95)."""
        if (self.country or "").upper() != "RU":
            return False
        year = self._short.get(day.year)
        if year is None:
            year = self._short[day.year] = shortened_days(day.year)
        return day in year

    def period(self, day: date) -> tuple[datetime, datetime]:
        """The working period of a local date, as UTC moments."""
        start = datetime.combine(day, self.start, tzinfo=self.zone)
        end = datetime.combine(day, self.end, tzinfo=self.zone)
        if self.is_shortened_day(day):
            end = max(start, end - SHORTENING)
        return start.astimezone(UTC), end.astimezone(UTC)

    def periods_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods (or their remaining part) from `moment` on, in order."""
        day = moment.astimezone(self.zone).date()
        idle = 0
        while True:
            if self.is_working_day(day):
                idle = 0
                start, end = self.period(day)
                if end > moment:
                    yield max(start, moment), end
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise ConfigError("В календаре нет ни одного рабочего дня")
            day += timedelta(days=1)

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """The moment when `duration` of working time has passed after `moment`."""
        _check_aware(moment)
        if duration <= ZERO:
            return moment
        remaining = duration
        for start, end in self.periods_from(moment):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        raise AssertionError("periods_from never ends")

    def add_days(self, moment: datetime, days: float) -> datetime:
        """The same working time of day `days` working days after `moment`.

        Whole days are counted as days, so a shorter pre-holiday day among them moves
        nothing; a fraction of a day is counted as working hours of a full day.
        """
        _check_aware(moment)
        if days <= 0 or days != int(days):
            return self.add(moment, self.day_length * max(days, 0))
        start, _ = next(self.periods_from(moment))
        day = start.astimezone(self.zone).date()
        offset = start - self.period(day)[0]
        for _ in range(int(days)):
            day += timedelta(days=1)
            idle = 0
            while not self.is_working_day(day):
                day += timedelta(days=1)
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise ConfigError("В календаре нет ни одного рабочего дня")
        day_start, day_end = self.period(day)
        return min(day_start + offset, day_end)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` (zero when end is not after start)."""
        _check_aware(start)
        _check_aware(end)
        total = ZERO
        if end <= start:
            return total
        for period_start, period_end in self.periods_from(start):
            if period_start >= end:
                break
            total += min(period_end, end) - period_start
        return total

    def is_working_moment(self, moment: datetime) -> bool:
        """Whether `moment` lies in a working period (its end included)."""
        day = moment.astimezone(self.zone).date()
        if not self.is_working_day(day):
            return False
        start, end = self.period(day)
        return start <= moment <= end


def _check_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("working time needs timezone-aware moments")


def calendar_for(settings: Settings) -> WorkingCalendar:
    """The calendar of the `calendar:` section of config, built once per distinct section."""
    section = settings.calendar
    return _build(
        section.timezone or settings.timezone,
        section.start,
        section.end,
        tuple(sorted(section.workdays)),
        section.production_calendar or None,
    )


@lru_cache(maxsize=16)
def _build(
    zone_name: str, start: str, end: str, workdays: tuple[int, ...], country: str | None
) -> WorkingCalendar:
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"Неизвестный часовой пояс: {zone_name!r}") from None
    return WorkingCalendar(
        zone=zone,
        start=_parse_time(start),
        end=_parse_time(end),
        workdays=frozenset(workdays),
        country=country,
    )
