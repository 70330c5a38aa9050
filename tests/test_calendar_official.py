"""The working calendar day by day against the official production calendar, 2024-2027."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sla_helpers import msk

from monitor.incidents.calendar import WorkingCalendar

OFFICIAL = json.loads((Path(__file__).parent / "data" / "production_calendar.json").read_text())
CAL = WorkingCalendar(zone=ZoneInfo("Europe/Moscow"))
H = timedelta(hours=1)


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", sorted(OFFICIAL["years"]))
def test_every_day_of_the_year_matches_the_official_calendar(year):
    expected = OFFICIAL["years"][year]
    off = set(map(date.fromisoformat, expected["weekdays_off"]))
    working_weekend = set(map(date.fromisoformat, expected["working_weekend_days"]))
    shortened = set(map(date.fromisoformat, expected["shortened"]))
    wrong = []
    for day in _days(int(year)):
        works = day in working_weekend if day.weekday() >= 5 else day not in off
        start, end = CAL.period(day)
        hours = (end - start) / H
        expect_hours = (8 if day in shortened else 9) if works else None
        got = (CAL.is_working_day(day), hours if CAL.is_working_day(day) else None)
        if got != (works, expect_hours):
            wrong.append((day.isoformat(), got, (works, expect_hours)))
    assert wrong == []


@pytest.mark.parametrize("year", sorted(OFFICIAL["years"]))
def test_working_days_and_hours_of_the_year(year):
    expected = OFFICIAL["years"][year]
    working = [day for day in _days(int(year)) if CAL.is_working_day(day)]
    shortened = [day.isoformat() for day in working if CAL.is_shortened_day(day)]
    assert len(working) == expected["working_days"]
    assert shortened == expected["shortened"]
    # a 40-hour week: 8 hours a day, one less on each pre-holiday day
    assert 8 * len(working) - len(shortened) == expected["hours_40"]


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-11-03 16:30", 1, "2026-11-05 09:30"),  # 3 November ends at 17:00; 4th is off
        ("2026-11-03 16:00", 1, "2026-11-03 17:00"),
        ("2026-04-30 09:00", 8, "2026-04-30 17:00"),  # a whole shortened day is 8 hours
        ("2026-04-30 09:00", 9, "2026-05-04 10:00"),
        ("2025-11-01 16:30", 1, "2025-11-05 09:30"),  # the working Saturday before 4 November
        ("2026-02-20 17:30", 1, "2026-02-24 09:30"),  # a Friday before a weekend: full day
    ],
)
def test_deadlines_respect_the_shortened_day(start, hours, expected):
    assert CAL.add(msk(start), hours * H) == msk(expected)


def test_shortened_day_end_is_a_working_moment_and_after_it_is_not():
    assert CAL.is_working_moment(msk("2026-06-11 17:00"))
    assert not CAL.is_working_moment(msk("2026-06-11 17:30"))
    assert CAL.between(msk("2026-06-11 09:00"), msk("2026-06-15 09:00")) == 8 * H


def test_without_the_russian_calendar_nothing_is_shortened():
    plain = WorkingCalendar(zone=ZoneInfo("Europe/Moscow"), country=None)
    assert not plain.is_shortened_day(date(2026, 11, 3))
    start, end = plain.period(date(2026, 11, 3))
    assert end - start == 9 * H
