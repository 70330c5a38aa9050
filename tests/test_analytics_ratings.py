"""Ratings of recipients: counts, medians, the on-time formula with open overdue, rank."""

from __future__ import annotations

import pytest

from monitor.analytics import recipient_ratings
from monitor.store import make_engine
from tests.analytics_data import NOW, WEEK, ratings_history


@pytest.fixture
def rows(db_url):
    engine = make_engine(db_url)
    ratings_history(engine)
    with engine.connect() as connection:
        found = {r.code: r for r in recipient_ratings(connection, WEEK, now=NOW)}
    engine.dispose()
    return found


def test_counts_and_first_response_times(rows):
    zhkh = rows["minzhkh"]
    assert zhkh.incidents == 7
    assert zhkh.first_responses == 4
    assert zhkh.median_first_response_hours == pytest.approx(2.5, abs=1e-3)
    assert zhkh.mean_first_response_hours == pytest.approx(3.0, abs=1e-3)


def test_on_time_share_counts_open_overdue_against_the_recipient(rows):
    zhkh = rows["minzhkh"]
    # answered on time (#1, #5) ÷ (answered #1, #2, #5 + open overdue #3, #4)
    assert (zhkh.on_time, zhkh.judged, zhkh.open_overdue) == (2, 5, 2)
    assert zhkh.on_time_share == pytest.approx(0.4)


def test_final_answer_and_rework_shares(rows):
    zhkh = rows["minzhkh"]
    assert (zhkh.answered, zhkh.answered_share) == (3, pytest.approx(3 / 7))
    assert (zhkh.rework, zhkh.rework_share) == (2, pytest.approx(2 / 7))


def test_rank_puts_the_punctual_recipient_first(rows):
    assert rows["mindor"].on_time_share == 1.0
    assert (rows["mindor"].rank, rows["minzhkh"].rank) == (1, 2)
    assert rows["mindor"].median_first_response_hours == pytest.approx(0.5, abs=1e-3)


def test_a_recipient_sees_only_its_row_with_its_rank(sqlite_url):
    engine = make_engine(sqlite_url)
    ratings_history(engine)
    with engine.connect() as connection:
        zhkh = connection.exec_driver_sql(
            "SELECT id FROM recipients WHERE code = 'minzhkh'"
        ).scalar_one()
        mine = recipient_ratings(connection, WEEK, now=NOW, recipient_id=zhkh)
    engine.dispose()
    assert [(r.code, r.rank) for r in mine] == [("minzhkh", 2)]
