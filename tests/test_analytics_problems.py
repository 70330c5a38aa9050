"""Problems of a sector: clustering recovers planted problems, names them, and repeats."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from bench.history import HistoryWriter
from monitor.analytics import problems as problems_module
from monitor.analytics import problems_by_sector, sector_problems
from monitor.config import load_settings
from monitor.store import make_engine
from tests.analytics_data import WEEK, at
from tests.conftest import CONFIG

# Planted problems: the key lemma that must name the category, and the words residents
# use around it. Every text has the key word, some of its problem's words and some noise.
HOUSING = {
    "вода": "воды горячей нет ржавая кран отключили напор",
    "лифт": "лифт застряли сломан кабина кнопка вызова",
    "крыша": "крыша протекает капает потолок кровля дождь",
    "батарея": "батареи холодные отопление ледяные радиатор греет",
}
OTHER = {
    "собака": "собаки бродячие стая кусаются лают нападают",
    "парковка": "парковка машины газон тротуар паркуются стоянка",
    "интернет": "интернет связь провайдер пропал скорость роутер",
}
NOISE = "срочно помогите двор вечер соседи неделю опять дети утром жители".split()


def _text(rng: random.Random, key: str, words: str) -> str:
    vocabulary = words.split()
    picked = [vocabulary[0], *rng.sample(vocabulary[1:], 3), *rng.sample(NOISE, 2)]
    rng.shuffle(picked)
    return " ".join(picked)


def _plant(engine, sector: str, planted: dict[str, str], each: int, seed: int) -> dict:
    rng = random.Random(seed)
    truth = {}
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        for _ in range(each):
            for key, words in planted.items():
                created = at("2026-11-16") + timedelta(hours=rng.uniform(0, 150))
                incident = w.incident(
                    text=_text(rng, key, words), sector=sector, created_at=created
                )
                truth[incident] = key
        w.flush()
    return truth


@pytest.fixture
def engine(sqlite_url):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def _check_recovered(found, truth: dict[int, str], planted: dict) -> None:
    assert found.incidents == len(truth)
    assert len(found.categories) >= 3
    for key in planted:
        members = [i for i, k in truth.items() if k == key]
        # the category holding most of the problem's incidents...
        home = max(found.categories, key=lambda c: sum(i in c.incident_ids for i in members))
        held = Counter(truth[i] for i in home.incident_ids)
        # ...holds almost only that problem and is named by it, with an example of it.
        assert held[key] / sum(held.values()) >= 0.9, (key, home.name, held)
        assert key in home.terms, (key, home.terms)
        assert truth[home.example_id] == key


@pytest.fixture(autouse=True)
def list_every_incident(monkeypatch):
    """Categories list all their incidents, so that purity can be checked."""
    monkeypatch.setattr(problems_module, "LISTED_INCIDENTS", 100_000)


def test_planted_housing_problems_are_recovered_and_named(engine):
    truth = _plant(engine, "housing", HOUSING, each=20, seed=1)
    settings = load_settings(CONFIG)
    settings.analytics.cluster_sample = 10_000  # every incident takes part in the fit
    with engine.connect() as connection:
        found = sector_problems(connection, settings, WEEK, "housing")
    assert found.sector_name == "ЖКХ"
    _check_recovered(found, truth, HOUSING)
    assert sum(c.count for c in found.categories) == len(truth)
    assert [c.count for c in found.categories] == sorted(
        (c.count for c in found.categories), reverse=True
    )


def test_other_is_broken_down_the_same_way_from_a_sample(engine):
    truth = _plant(engine, "other", OTHER, each=60, seed=2)
    settings = load_settings(CONFIG)
    settings.analytics.cluster_sample = 100  # fitted on a sample, every incident assigned
    with engine.connect() as connection:
        [found] = problems_by_sector(connection, settings, WEEK)
    assert (found.sector, found.sector_name) == ("other", "Прочее")
    assert sum(c.count for c in found.categories) == len(truth)
    _check_recovered(found, truth, OTHER)


def test_the_same_data_gives_the_same_categories(engine):
    _plant(engine, "housing", HOUSING, each=10, seed=3)
    settings = load_settings(CONFIG)
    with engine.connect() as connection:
        first = sector_problems(connection, settings, WEEK, "housing")
        second = sector_problems(connection, settings, WEEK, "housing")
    assert first.as_dict() == second.as_dict()


def test_tiny_and_empty_sectors(engine):
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        for text in ("яма на дороге", "снег не чистят"):
            w.incident(text=text, sector="roads", created_at=at("2026-11-17"))
        w.flush()
        settings = load_settings(CONFIG)
        roads = sector_problems(connection, settings, WEEK, "roads")
        empty = sector_problems(connection, settings, WEEK, "health")
    assert roads.incidents == 2 and sum(c.count for c in roads.categories) == 2
    assert empty.incidents == 0 and empty.categories == []
