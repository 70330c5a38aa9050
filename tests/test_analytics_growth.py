"""Growth: a planted rise is found with its drivers; flat series and repost bursts are not."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.stats import binom

from bench.history import HistoryWriter
from monitor.analytics import growth_report
from monitor.analytics.period import Period
from monitor.analytics.stats import benjamini_hochberg, upper_tail
from monitor.config import load_settings
from monitor.store import make_engine
from tests.analytics_data import WEEK, at, daily_series
from tests.conftest import CONFIG

HOUSING = ["нет горячей воды в доме", "холодные батареи в квартире", "течёт крыша подъезда"]
ROADS = ["яма на дороге", "не чистят снег на дороге", "сломан светофор"]
BURST = ["прорвало трубу отопления, кипяток заливает двор", "прорыв трубы отопления во дворе"]


def _window(days_before: int = 28) -> Period:
    return Period(WEEK.previous(days_before).first, WEEK.last, WEEK.zone)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _flat(w: HistoryWriter, rng: random.Random) -> None:
    daily_series(w, _window(), sector="roads", territory="Губкин", rate=3, rng=rng, texts=ROADS)
    daily_series(w, _window(), sector="waste", territory="Валуйки", rate=1, rng=rng, texts=ROADS)


def test_planted_growth_is_found_with_its_terms_places_and_sources(engine):
    rng = random.Random(7)
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        _flat(w, rng)
        daily_series(
            w,
            WEEK.previous(28),
            sector="housing",
            territory="Шебекино",
            rate=3,
            rng=rng,
            texts=HOUSING,
        )
        daily_series(
            w, WEEK, sector="housing", territory="Шебекино", rate=3, rng=rng, texts=HOUSING
        )
        daily_series(
            w,
            WEEK,
            sector="housing",
            territory="Шебекино",
            rate=9,
            rng=rng,
            texts=BURST,
            source="vk-shebekino",
            places=["улица Ленина"],
        )
        w.flush()
        report = growth_report(connection, load_settings(CONFIG), WEEK)
    titles = [series.title for series in report.alerts]
    assert set(titles) == {"ЖКХ · Шебекино", "ЖКХ"}
    cell = next(s for s in report.alerts if s.title == "ЖКХ · Шебекино")
    assert cell.test.observed > 3 * cell.test.expected
    assert cell.q_value < 1e-6
    drivers = {(d.kind, d.name) for d in cell.drivers}
    assert {("term", "труба"), ("term", "отопление")} <= drivers
    assert ("place", "улица Ленина") in drivers
    assert ("source", "vk-shebekino") in drivers
    assert ("source", "vk-city") not in drivers  # the usual source did not grow
    sector = next(s for s in report.alerts if s.whole_sector)
    assert ("place", "Шебекино") in {(d.kind, d.name) for d in sector.drivers}
    assert "Бенджамини" in report.test_description
    flat = [s for s in report.series if s.sector in ("roads", "waste")]
    assert flat and not any(s.alert for s in flat)


def test_flat_series_are_not_flagged(engine):
    rng = random.Random(11)
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        for sector in ("housing", "roads", "waste", "energy", "transport"):
            for territory in ("Белгород", "Губкин", None):
                texts = HOUSING if sector == "housing" else ROADS
                daily_series(
                    w, _window(), sector=sector, territory=territory, rate=4, rng=rng, texts=texts
                )
        w.flush()
        report = growth_report(connection, load_settings(CONFIG), WEEK)
    assert len(report.series) == 5 * 3 + 5
    assert report.alerts == []


def test_a_burst_of_reposts_of_one_post_is_one_signal(engine):
    rng = random.Random(3)
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        flat = daily_series(
            w, WEEK, sector="roads", territory="Губкин", rate=3, rng=rng, texts=ROADS
        )
        daily_series(
            w, WEEK.previous(28), sector="roads", territory="Губкин", rate=3, rng=rng, texts=ROADS
        )
        text = "Огромная яма на въезде в город, уже три машины пробили колёса"
        original = w.incident(
            text=text, sector="roads", territory="Губкин", created_at=at("2026-11-18")
        )
        source = w.post(original, text=text, published_at=at("2026-11-18"))
        for n in range(150):  # reposts grouped into the incident of their original
            w.post(
                original,
                text=text,
                published_at=at("2026-11-18", f"{10 + n // 60}:{n % 60:02d}"),
                repost_of=source,
                role="repost",
                source=f"vk-repost-{n % 7}",
            )
        for n in range(40):  # reposts of a post we never stored: one incident each
            w.post(
                w.incident(
                    text=text,
                    sector="roads",
                    territory="Губкин",
                    created_at=at("2026-11-19", f"{10 + n // 60}:{n % 60:02d}"),
                ),
                text=text,
                published_at=at("2026-11-19", f"{10 + n // 60}:{n % 60:02d}"),
                repost_of="vk:-1_999",
                role="origin",
            )
        w.flush()
        report = growth_report(connection, load_settings(CONFIG), WEEK)
    cell = next(s for s in report.series if s.title == "Дороги · Губкин")
    assert cell.test.observed == flat + 2
    assert not cell.alert


def test_one_author_cross_posting_is_one_voice_and_many_residents_are_many(engine):
    rng = random.Random(9)
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        flat = daily_series(
            w, WEEK, sector="roads", territory="Губкин", rate=1, rng=rng, texts=ROADS
        )
        daily_series(
            w, WEEK.previous(28), sector="roads", territory="Губкин", rate=1, rng=rng, texts=ROADS
        )
        one = w.incident(
            text="Провал дороги на Мира",
            sector="roads",
            territory="Губкин",
            created_at=at("2026-11-18"),
        )
        for n in range(12):  # one resident, the same complaint in twelve groups
            w.post(
                one,
                text="Провал дороги на Мира",
                source=f"vk-{n}",
                author="u-1",
                published_at=at("2026-11-18", f"1{n // 6}:{n % 6}0"),
            )
        many = w.incident(
            text="Провал дороги на Ленина",
            sector="roads",
            territory="Губкин",
            created_at=at("2026-11-19"),
        )
        for n in range(30):  # thirty residents, each in their own words
            w.post(
                many,
                text=f"Провал дороги на Ленина, машина {n}",
                author=f"u-{100 + n}",
                published_at=at("2026-11-19", f"1{n // 6}:{n % 6}0"),
            )
        w.flush()
        report = growth_report(connection, load_settings(CONFIG), WEEK)
    cell = next(s for s in report.series if s.title == "Дороги · Губкин")
    assert cell.test.observed == flat + 1 + 30
    assert cell.incidents == flat + 2
    assert cell.alert  # thirty residents about one problem is a rise worth a look
    assert ("term", "ленин") in {(d.kind, d.name) for d in cell.drivers}


def test_too_little_history_gives_a_note_not_alerts(engine):
    rng = random.Random(5)
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        daily_series(
            w,
            Period(WEEK.previous(3).first, WEEK.last, WEEK.zone),
            sector="roads",
            territory="Губкин",
            rate=5,
            rng=rng,
            texts=ROADS,
        )
        w.flush()
        report = growth_report(connection, load_settings(CONFIG), WEEK)
    assert report.alerts == [] and report.note and "истории" in report.note


def test_upper_tail_is_the_conditional_rate_test():
    flat = upper_tail(20, [2] * 28, 7)
    assert flat.model == "binomial"
    assert flat.expected == pytest.approx(14)
    # 20 of the window's 76 signals fell in 7 of its 35 days
    assert flat.p_value == pytest.approx(binom.sf(19, 76, 7 / 35))
    spread = upper_tail(20, [0, 0, 6, 1, 5, 0, 2] * 4, 7)
    assert spread.model == "beta_binomial"
    assert spread.p_value > flat.p_value  # over-dispersion makes 20 less surprising
    assert upper_tail(0, [3] * 28, 7).p_value == 1.0
    assert upper_tail(1, [0] * 28, 7).p_value == pytest.approx(0.2)  # one signal after silence
    assert upper_tail(6, [0] * 28, 7).p_value == pytest.approx(0.2**6)


def test_benjamini_hochberg_matches_the_hand_computation():
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([]) == []


@pytest.mark.parametrize("dispersion", [None, 2.0])
def test_the_test_is_calibrated_on_null_series(dispersion):
    rng = np.random.default_rng(0)
    p_values = []
    for rate in rng.uniform(0.5, 10, size=1000):
        if dispersion is None:
            counts = rng.poisson(rate, size=35)
        else:
            counts = rng.negative_binomial(dispersion, dispersion / (dispersion + rate), 35)
        p_values.append(upper_tail(int(counts[28:].sum()), counts[:28].tolist(), 7).p_value)
    assert np.mean(np.array(p_values) < 0.05) < 0.065
    assert np.mean(np.array(p_values) < 0.01) < 0.02
    false_alerts = sum(q <= 0.01 for q in benjamini_hochberg(p_values))
    assert false_alerts <= 1  # the false discovery rate is held after correction
