"""The analytics pages: what officers, analysts and recipients' users see."""

from __future__ import annotations

import io
import shutil

import pytest
from docx import Document

from tests.analytics_data import note_history
from tests.web_helpers import build_store, login

WEEK = {"week": "2026-W47"}


@pytest.fixture(scope="module")
def store(tmp_path_factory, sqlite_template):
    path = tmp_path_factory.mktemp("web") / "otklik.db"
    shutil.copy(sqlite_template, path)
    web = build_store(f"sqlite:///{path}")
    note_history(web.ctx.db)
    yield web
    web.ctx.engine.dispose()


def _client(store, user: str | None):
    client = store.client()
    if user:
        login(client, user)
    return client


def test_officer_sees_the_heat_map_and_drills_into_a_cell(store):
    client = _client(store, "officer")
    page = client.get("/analytics/heatmap", params=WEEK)
    assert page.status_code == 200
    assert "Тепловая карта · 16–22 ноября 2026 г." in page.text
    assert 'href="/analytics/analytics.css"' in page.text
    link = "/analytics/heatmap/cell?sector=roads&amp;territory=%D0%BD%D0%B5"
    assert link in page.text  # the cell without a territory, «не определена»
    cell = client.get(
        "/analytics/heatmap/cell", params={"sector": "housing", "territory": "Шебекино", **WEEK}
    )
    assert cell.status_code == 200 and "ЖКХ · Шебекино" in cell.text
    assert cell.text.count('<a href="/incidents/') >= 10


def test_ratings_growth_and_problems_pages(store):
    client = _client(store, "analyst")
    ratings = client.get("/analytics/ratings", params=WEEK).text
    assert "Министерство ЖКХ области" in ratings and "Министерство автомобильных дорог" in ratings
    growth = client.get("/analytics/growth", params=WEEK).text
    assert "▲ ЖКХ · Шебекино" in growth and "vk-shebekino" in growth
    assert 'src="data:image/png;base64,' in growth
    problems = client.get("/analytics/problems", params={**WEEK, "sector": "housing"}).text
    assert "ЖКХ — " in problems and "Дороги — " not in problems
    assert '<option value="housing" selected>' in problems


def test_a_recipient_sees_only_its_own_numbers(store):
    client = _client(store, "zhkh")
    ratings = client.get("/analytics/ratings", params=WEEK).text
    assert "Министерство ЖКХ области" in ratings
    assert "Министерство автомобильных дорог" not in ratings
    heat = client.get("/analytics/heatmap", params=WEEK).text
    assert "ЖКХ" in heat and "Дороги" not in heat
    assert "Показаны только инциденты получателя" in heat
    assert client.get("/analytics/weekly.docx", params=WEEK).status_code == 403


def test_the_weekly_note_downloads(store):
    client = _client(store, "officer")
    response = client.get("/analytics/weekly.docx", params=WEEK)
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('filename="note-2026-W47.docx"')
    document = Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "Аналитическая записка"
    html = client.get("/analytics/weekly.html", params=WEEK)
    assert html.headers["content-type"].startswith("text/html")


def test_signing_in_is_required_and_mistakes_are_explained(store):
    anonymous = _client(store, None)
    response = anonymous.get("/analytics/ratings", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    client = _client(store, "officer")
    bad = client.get("/analytics/heatmap", params={"week": "2026-W77"})
    assert bad.status_code == 422 and "нет недели 77" in bad.text
    css = client.get("/analytics/analytics.css")
    assert css.headers["content-type"].startswith("text/css") and ".heat-5" in css.text
