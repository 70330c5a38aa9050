"""Working-time arithmetic on the Russian production calendar."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sla_helpers import make_settings, msk

from monitor.errors import ConfigError
from monitor.incidents.calendar import AroundTheClock, WorkingCalendar, calendar_for

MOSCOW = ZoneInfo("Europe/Moscow")
CAL = WorkingCalendar(zone=MOSCOW)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("day", "works"),
    [
        ("2025-10-31", True),  # Friday
        ("2025-11-01", True),  # the transferred working Saturday
        ("2025-11-02", False),  # Sunday
        ("2025-11-03", False),  # day off moved from 1 November
        ("2025-11-04", False),  # Unity Day
        ("2025-11-05", True),
        ("2025-11-08", False),  # an ordinary Saturday
        ("2025-12-31", False),  # moved from 5 January
        ("2026-01-01", False),
        ("2026-01-08", False),
        ("2026-01-09", False),  # moved from 3 January 2026
        ("2026-01-12", True),
    ],
)
def test_production_calendar_days(day, works):
    assert CAL.is_working_day(date.fromisoformat(day)) is works


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2025-10-24 16:00", 4, "2025-10-27 11:00"),  # across a weekend
        ("2025-10-24 20:00", 1, "2025-10-27 10:00"),  # registered after hours
        ("2025-10-27 10:00", 8, "2025-10-27 18:00"),  # ends at the end of the day, not 09:00
        ("2025-10-31 17:00", 2, "2025-11-01 10:00"),  # the working Saturday counts
        ("2025-11-01 16:00", 2, "2025-11-05 10:00"),  # 1 Nov ends at 17:00; 2-4 are off
        ("2025-12-30 17:00", 2, "2026-01-12 10:00"),  # the New Year days off
        ("2025-10-27 09:00", 63, "2025-11-06 10:00"),  # 7 days over 4 Nov; 1 Nov is 8 h
    ],
)
def test_fixed_cases(start, hours, expected):
    assert CAL.add(msk(start), hours * H) == msk(expected)


def test_between_across_weekend_and_holidays():
    assert CAL.between(msk("2025-10-24 17:00"), msk("2025-10-27 10:00")) == 2 * H
    assert CAL.between(msk("2025-11-01 16:00"), msk("2025-11-05 10:00")) == 2 * H
    assert CAL.between(msk("2025-12-30 09:00"), msk("2026-01-12 09:00")) == 9 * H
    assert CAL.between(msk("2025-10-27 12:00"), msk("2025-10-27 11:00")) == timedelta(0)


def test_add_days_is_whole_working_days():
    assert CAL.add_days(msk("2025-10-31 12:00"), 2) == msk("2025-11-05 12:00")


def test_time_zone_from_config_moves_the_working_day():
    moment = datetime(2025, 10, 27, 5, 0, tzinfo=UTC)  # 08:00 in Moscow, 10:00 in Yekaterinburg
    moscow = calendar_for(make_settings("sqlite://"))
    ural = calendar_for(make_settings("sqlite://", calendar={"timezone": "Asia/Yekaterinburg"}))
    assert moscow.add(moment, H) == datetime(2025, 10, 27, 7, 0, tzinfo=UTC)
    assert ural.add(moment, H) == datetime(2025, 10, 27, 6, 0, tzinfo=UTC)


def test_top_level_time_zone_is_the_default():
    data = make_settings("sqlite://", timezone="Asia/Vladivostok", calendar={"timezone": None})
    assert calendar_for(data).zone == ZoneInfo("Asia/Vladivostok")


def test_clock_change_keeps_working_hours_in_local_time():
    berlin = WorkingCalendar(zone=ZoneInfo("Europe/Berlin"), country=None)
    friday = datetime(2025, 3, 28, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    monday = berlin.add(friday, 2 * H)  # summer time began on Sunday 30 March
    assert monday == datetime(2025, 3, 31, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert monday.astimezone(ZoneInfo("Europe/Berlin")).utcoffset() == 2 * H
    start, end = berlin.period(date(2025, 3, 31))
    assert (start.hour, end - start) == (7, 9 * H)


def test_custom_week_keeps_holidays():
    six_days = WorkingCalendar(zone=MOSCOW, workdays=frozenset({1, 2, 3, 4, 5, 6}))
    assert six_days.is_working_day(date(2025, 11, 8))
    assert not six_days.is_working_day(date(2025, 11, 4))
    assert not six_days.is_working_day(date(2025, 11, 9))


def test_without_production_calendar_holidays_are_working_days():
    plain = WorkingCalendar(zone=MOSCOW, country=None)
    assert plain.is_working_day(date(2025, 11, 4))
    assert not plain.is_working_day(date(2025, 11, 1))


def test_bad_calendar_settings_are_clear_errors():
    with pytest.raises(ConfigError, match="часовой пояс"):
        calendar_for(make_settings("sqlite://", calendar={"timezone": "Mars/Olympus"}))
    with pytest.raises(ValidationError, match="HH:MM"):
        make_settings("sqlite://", calendar={"end": 1080})  # what YAML makes of 18:00
    with pytest.raises(ValidationError, match="before"):
        make_settings("sqlite://", calendar={"start": "18:00", "end": "09:00"})
    with pytest.raises(ConfigError, match="Производственный календарь"):
        WorkingCalendar(zone=MOSCOW, country="XX")


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add(datetime(2025, 11, 5, 10), H)


def test_around_the_clock():
    clock = AroundTheClock()
    saturday_night = msk("2025-11-01 23:30")
    assert clock.add(saturday_night, H) == msk("2025-11-02 00:30")
    assert clock.between(saturday_night, msk("2025-11-02 00:30")) == H


# Properties. Moments from 2024 to 2027 cover several New Year spells and moved days.
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 30), timezones=st.just(UTC)
)
durations = st.integers(min_value=1, max_value=60 * 60).map(lambda m: timedelta(minutes=m))
RUSSIA = holidays.Russia(years=range(2023, 2029))
# Pre-holiday days end at 17:00: the oracle takes them from the official calendar's file.
SHORTENED = {
    date.fromisoformat(day)
    for year in json.loads(
        (Path(__file__).parent / "data" / "production_calendar.json").read_text()
    )["years"].values()
    for day in year["shortened"]
}


def day_by_day(start: datetime, end: datetime) -> timedelta:
    """Working time between two moments counted one local day at a time (the oracle)."""
    total = timedelta(0)
    day = start.astimezone(MOSCOW).date()
    while day <= end.astimezone(MOSCOW).date():
        if RUSSIA.is_working_day(day):
            opens = datetime.combine(day, time(9), tzinfo=MOSCOW)
            closes = datetime.combine(day, time(17 if day in SHORTENED else 18), tzinfo=MOSCOW)
            total += max(timedelta(0), min(closes, end) - max(opens, start))
        day += timedelta(days=1)
    return total


@settings(max_examples=300, deadline=None)
@given(moments, durations)
def test_adding_never_lands_outside_working_hours(moment, duration):
    deadline = CAL.add(moment, duration)
    local = deadline.astimezone(MOSCOW)
    assert RUSSIA.is_working_day(local.date())
    assert time(9) < local.time() or local.time() == time(18)
    assert local.time() <= time(18)
    assert deadline > moment


@settings(max_examples=300, deadline=None)
@given(moments, durations, durations)
def test_adding_is_monotonic(moment, one, other):
    shorter, longer = sorted((one, other))
    assert CAL.add(moment, shorter) <= CAL.add(moment, longer)
    later = moment + (other - one if other > one else one - other)
    assert CAL.add(moment, one) <= CAL.add(later, one)


@settings(max_examples=300, deadline=None)
@given(moments, durations)
def test_adding_agrees_with_a_day_by_day_count(moment, duration):
    deadline = CAL.add(moment, duration)
    assert day_by_day(moment, deadline) == duration
    assert CAL.between(moment, deadline) == duration
    # and it is the earliest such moment
    assert day_by_day(moment, deadline - timedelta(seconds=1)) < duration


@settings(max_examples=200, deadline=None)
@given(moments, durations, durations)
def test_adding_in_two_steps_equals_adding_once(moment, one, other):
    assert CAL.add(CAL.add(moment, one), other) == CAL.add(moment, one + other)
