"""The classifier's problem category on the store: kept per classification, shown on the
incident, counted first by the «Проблемы» report (the rest, «прочее», is clustered)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from bench.history import HistoryWriter
from monitor.analytics import problems as problems_module
from monitor.analytics import sector_problems
from monitor.config import load_settings
from monitor.incidents.categories import incident_categories, most_common
from monitor.incidents.queue import get_incident
from monitor.store import make_engine
from monitor.store.tables import classifications, incident_posts
from tests.analytics_data import WEEK, at
from tests.conftest import CONFIG

REST = {
    "собака": "собаки бродячие стая кусаются лают нападают",
    "парковка": "парковка машины газон тротуар паркуются стоянка",
    "интернет": "интернет связь провайдер пропал скорость роутер",
}


def _plant(engine) -> dict[int, str | None]:
    """Housing incidents: 12 with lift posts, 8 with heating posts, 45 «прочее» of 3 kinds."""
    rng = random.Random(3)
    planned: list[tuple[str, str | None]] = [("лифт сломан кабина застряли", "Лифт")] * 12
    planned += [("батареи холодные отопление радиатор", "Отопление")] * 8
    for words in REST.values():
        for _ in range(15):
            vocabulary = words.split()
            text = " ".join([vocabulary[0], *rng.sample(vocabulary[1:], 3)])
            planned.append((text, "прочее" if rng.random() < 0.5 else None))
    truth: dict[int, str | None] = {}
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        for k, (text, category) in enumerate(planned):
            created = at("2026-11-16") + timedelta(hours=k)
            incident = w.incident(text=text, sector="housing", created_at=created)
            w.post(incident, text=text, published_at=created)
            truth[incident] = category
        w.flush()
    with engine.begin() as connection:
        links = dict(
            connection.execute(select(incident_posts.c.incident_id, incident_posts.c.post_id)).all()
        )
        connection.execute(
            insert(classifications),
            [
                {
                    "post_id": links[incident],
                    "model_version": "test",
                    "relevant": True,
                    "relevance_proba": 0.9,
                    "sector": "housing",
                    "category": category,
                    "classified_at": at("2026-11-16"),
                }
                for incident, category in truth.items()
            ],
        )
    return truth


def test_most_common_category():
    assert most_common(["Лифт", None, "Отопление", "Лифт"]) == "Лифт"
    assert most_common([None, None]) is None


def test_categories_come_first_and_the_rest_is_clustered(db_url, monkeypatch):
    monkeypatch.setattr(problems_module, "LISTED_INCIDENTS", 100_000)
    engine = make_engine(db_url)
    try:
        truth = _plant(engine)
        settings = load_settings(CONFIG)
        settings.analytics.cluster_sample = 10_000
        with engine.connect() as connection:
            known = incident_categories(connection, list(truth))
            found = sector_problems(connection, settings, WEEK, "housing")
            lift = next(i for i, c in truth.items() if c == "Лифт")
            shown = get_incident(connection, lift, at("2026-11-17"))
    finally:
        engine.dispose()
    assert known == {i: c for i, c in truth.items() if c is not None}
    assert [c.name for c in found.categories[:2]] == ["Лифт", "Отопление"]
    assert found.categories[0].count == 12 and found.categories[1].count == 8
    assert set(found.categories[0].incident_ids) == {i for i, c in truth.items() if c == "Лифт"}
    rest = found.categories[2:]
    assert rest and all(c.name.startswith("прочее: ") for c in rest)
    assert sum(c.count for c in found.categories) == len(truth) == found.incidents
    # Each planted kind of «прочее» lands mostly in one cluster named by its key word.
    for key in REST:
        assert any(key in c.terms for c in rest), (key, [c.name for c in rest])
    assert shown["category"] == "Лифт"
    assert shown["posts"][0]["model_category"] == "Лифт"
