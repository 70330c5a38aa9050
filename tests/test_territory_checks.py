"""Territories are the configured ones: in corrections, in posts' hints, in the API's types."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from classifier import Prediction
from classifier.text import Lemmatizer
from monitor.context import Context
from monitor.errors import InputError
from monitor.incidents import service
from monitor.incidents.territory import known_territory
from monitor.pipeline import process_pending
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import incidents
from tests import web_helpers
from tests.conftest import CONFIG
from tests.helpers import moment, record
from tests.test_grouping import put
from tests.test_grouping import store as grouping_store  # noqa: F401  (fixture)

NOW = moment("2026-11-18T12:00:00+03:00")
store = web_helpers.store  # the shared web fixture, bound here so pytest finds it


class _Signals:
    """A stand-in model: every post a housing signal whose text names no place."""

    lemmatizer = Lemmatizer()
    model = SimpleNamespace(relevance_threshold=0.5)  # what the stream thresholds fall back to

    def predict(self, posts: list[dict], *, thresholds=None) -> list[Prediction]:
        return [
            Prediction(
                id=post["id"],
                relevant=True,
                relevance_proba=0.9,
                sector="housing",
                sector_proba=[("housing", 0.9)],
                risk_text="medium",
                risk="medium",
            )
            for post in posts
        ]


def test_spellings_of_configured_territories(settings):
    assert known_territory(settings, "  старый   оскол ") == "Старый Оскол"
    assert known_territory(settings, "Оскол") == "Старый Оскол"  # an alias
    assert known_territory(settings, "Мухосранск") is None
    assert known_territory(settings, "") is None


def test_reclassify_takes_only_a_configured_territory(grouping_store):  # noqa: F811
    settings, engine = grouping_store
    incident_id, _ = put(engine, settings, record("vk:1", "Нет воды на Ленина"))
    with pytest.raises(InputError, match="Неизвестная территория"):
        service.reclassify(
            engine, settings, incident_id, actor="officer", now=NOW, territory="<b>любая</b>"
        )
    service.reclassify(engine, settings, incident_id, actor="officer", now=NOW, territory="оскол")
    with engine.connect() as connection:
        found = connection.execute(select(incidents.c.territory)).scalar_one()
    assert found == "Старый Оскол"


def test_an_unknown_hint_leaves_the_incident_territory_unknown(db_url):
    ctx = Context.open(CONFIG, db_url, NOW)
    ctx.__dict__["classifier"] = _Signals()  # the cached property, filled in advance
    with ctx.db.begin() as connection:
        source_id = ensure_source(connection, "file:x", "file")
        store_posts(
            connection,
            source_id,
            [
                record("a", "Нет воды третий день", territory="шебекино"),
                record("b", "Прорвало трубу во дворе", territory="Мухосранск"),
            ],
            collected_at=NOW,
        )
    process_pending(ctx, now=NOW)
    with ctx.db.connect() as connection:
        territories = connection.execute(select(incidents.c.territory)).scalars().all()
    ctx.engine.dispose()
    assert len(territories) == 2 and set(territories) == {None, "Шебекино"}


def test_api_booleans_and_strings_are_strict(store):
    api = store.api("officer")
    incident = store.incidents["vk:1"]
    for body in ({"text": "Ответ", "interim": 0}, {"text": "Ответ", "interim": "yes"}, {"text": 5}):
        response = api.post(f"/api/incidents/{incident}/answer", json=body)
        assert response.status_code == 422 and response.json()["error"] == "invalid", body
    answered = api.post(
        f"/api/incidents/{incident}/answer", json={"text": "Ответ", "interim": True}
    )
    assert answered.status_code == 200, answered.text
