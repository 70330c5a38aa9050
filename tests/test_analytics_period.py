"""Reporting periods: ISO weeks, from/to ranges, defaults, Russian labels, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.analytics.period import Period, iso_week, resolve_period
from monitor.errors import InputError
from tests.helpers import moment

ZONE = "Europe/Moscow"
NOW = moment("2026-11-25T10:00:00+03:00")  # a Wednesday of week 48


def test_iso_week_is_monday_to_sunday_in_local_time():
    week = iso_week("2026-W47", ZONE)
    assert (week.first, week.last, week.days) == (date(2026, 11, 16), date(2026, 11, 22), 7)
    assert week.start.isoformat() == "2026-11-15T21:00:00+00:00"
    assert week.end.isoformat() == "2026-11-22T21:00:00+00:00"
    assert week.week_name() == "2026-W47"
    assert week.label() == "16–22 ноября 2026 г."


def test_previous_period_has_the_same_length():
    period = Period(date(2026, 11, 20), date(2026, 11, 29), ZONE)
    before = period.previous()
    assert (before.first, before.last) == (date(2026, 11, 10), date(2026, 11, 19))
    assert period.previous(28).days == 28


@pytest.mark.parametrize(
    ("kwargs", "first", "last"),
    [
        ({}, date(2026, 11, 16), date(2026, 11, 22)),  # last complete week
        ({"default_days": 7}, date(2026, 11, 19), date(2026, 11, 25)),
        ({"week": "2026w48"}, date(2026, 11, 23), date(2026, 11, 29)),
        ({"first": "2026-11-01"}, date(2026, 11, 1), date(2026, 11, 25)),
        ({"last": "2026-11-03"}, date(2026, 11, 3), date(2026, 11, 3)),
        ({"first": "2026-10-30", "last": "2026-11-02"}, date(2026, 10, 30), date(2026, 11, 2)),
    ],
)
def test_resolve_period(kwargs, first, last):
    period = resolve_period(zone=ZONE, now=NOW, **kwargs)
    assert (period.first, period.last) == (first, last)


def test_labels_across_months_and_years():
    assert Period(date(2026, 11, 30), date(2026, 12, 6), ZONE).label() == (
        "30 ноября — 6 декабря 2026 г."
    )
    assert Period(date(2025, 12, 29), date(2026, 1, 4), ZONE).label() == (
        "29 декабря 2025 г. — 4 января 2026 г."
    )
    assert Period(date(2026, 3, 8), date(2026, 3, 8), ZONE).label() == "8 марта 2026 г."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"week": "47"}, "2026-W47"),
        ({"week": "2026-W54"}, "нет недели 54"),
        ({"first": "16.11.2026"}, "ГГГГ-ММ-ДД"),
        ({"first": "2026-11-20", "last": "2026-11-10"}, "раньше начала"),
        ({"week": "2026-W47", "first": "2026-11-01"}, "либо --week"),
    ],
)
def test_bad_periods_are_explained_in_russian(kwargs, message):
    with pytest.raises(InputError, match=message):
        resolve_period(zone=ZONE, now=NOW, **kwargs)
