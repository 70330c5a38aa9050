"""Pre-holiday working days of the Russian calendar, one hour shorter (Labour Code, art. 95).

Art. 95: the working day immediately before a non-working public holiday (art. 112) is one
hour shorter. The Government's yearly transfer decree swaps weekend days with working days;
when the day before a holiday becomes a day off that way, the shortening goes with the
working day it was swapped with (1 November 2025, a working Saturday, stands for 3 November).
A weekend before a holiday shortens nothing: Friday 20 February 2026 is a full day.

Which days are holidays and which were swapped comes from the `holidays` package; names
are read in a fixed language so that the substitutions can be told from the holidays.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

SHORTENING = timedelta(hours=1)
SUBSTITUTED = re.compile(r"substituted from (\d{2}/\d{2}/\d{4})")
MOVED = ("substituted", "observed")  # days off that are not holidays of art. 112 themselves


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=range(year - 1, year + 2), language="en_US")


def _is_holiday(calendar: holidays.HolidayBase, day: date) -> bool:
    """A non-working public holiday of art. 112 (not a day off moved there)."""
    names = calendar.get_list(day)
    return any(not any(word in name for word in MOVED) for name in names)


def _swapped_from(calendar: holidays.HolidayBase, day: date) -> date | None:
    """The weekend day whose day off was moved to `day`, if one was."""
    for name in calendar.get_list(day):
        found = SUBSTITUTED.search(name)
        if found:
            return datetime.strptime(found.group(1), "%m/%d/%Y").date()
    return None


@lru_cache(maxsize=64)
def shortened_days(year: int) -> frozenset[date]:
    """The working days of `year` that end one hour early on the Russian calendar."""
    calendar = _calendar(year)
    found: set[date] = set()
    for holiday in sorted(calendar):
        if holiday.year not in (year, year + 1) or not _is_holiday(calendar, holiday):
            continue
        before = holiday - timedelta(days=1)
        if _is_holiday(calendar, before) or before.weekday() >= 5:
            continue  # inside a run of holidays, or a weekend: nothing to shorten
        if before not in calendar:
            found.add(before)
            continue
        swapped = _swapped_from(calendar, before)
        if swapped is not None and calendar.is_working_day(swapped):
            found.add(swapped)  # the working Saturday that took the pre-holiday day's place
    return frozenset(day for day in found if day.year == year)
