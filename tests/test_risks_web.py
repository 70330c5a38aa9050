"""The «Инфориски» page and the risks API: roles, the reach chart, copies, actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from monitor.risks.store import Finding, save_findings
from monitor.store.tables import info_risks, posts, reach_history
from tests.web_helpers import NOW, build_store, cheap_hashing, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def store(db_url):
    """The web test store plus a spread risk on vk:1 (with history) and copies of vk:3, vk:5."""
    web = build_store(db_url)
    with web.ctx.db.begin() as connection:
        ids = dict(connection.execute(select(posts.c.external_id, posts.c.id)).all())
        published = NOW - timedelta(hours=3)
        connection.execute(
            insert(reach_history),
            [
                {"post_id": ids["vk:1"], "at": published + timedelta(minutes=m), "views": v}
                for m, v in ((40, 300), (80, 900), (120, 7000), (160, 15000))
            ],
        )
        save_findings(
            connection,
            [
                Finding(
                    "spread",
                    "spread:1",
                    4.0,
                    "просмотры ×50 за 1 ч 20 мин; в 16 раз быстрее обычного",
                    ids["vk:1"],
                    [ids["vk:1"]],
                ),
                Finding(
                    "copies",
                    "copies:3",
                    1.0,
                    "та же история в 3 источниках за 2 ч",
                    ids["vk:3"],
                    [ids["vk:3"], ids["vk:5"]],
                    sources_count=3,
                ),
            ],
            NOW,
        )
        web.risks = dict(connection.execute(select(info_risks.c.kind, info_risks.c.id)).all())
    yield web
    web.ctx.engine.dispose()


def _post(client, csrf: str, risk_id: int, action: str, **fields):
    return client.post(
        f"/risks/{risk_id}/act",
        data={"csrf_token": csrf, "action": action, **fields},
        follow_redirects=False,
    )


def test_officer_sees_risks_by_score_with_chart_and_copies(store):
    client = store.client()
    login(client, "officer")
    page = client.get("/risks")
    assert page.status_code == 200
    html = page.text
    assert 'href="/risks" aria-current="page">Инфориски' in html
    ids = [int(n) for n in re.findall(r'<article class="card risk [^"]*" id="risk-(\d+)"', html)]
    assert ids == [store.risks["spread"], store.risks["copies"]]  # highest score first
    assert html.count('<svg class="sparkline"') == 1 and "Одно измерение: 120" in html
    assert "в 16 раз быстрее обычного" in html and "та же история в 3 источниках" in html
    assert "Мусор не вывозят" in html and "прорвало трубу" in html  # the copies are listed
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_the_chart_follows_the_reach_history(store):
    client = store.client()
    login(client, "officer")
    html = client.get(f"/risks/{store.risks['spread']}").text
    chart = re.search(r'<svg class="sparkline".*?</svg>', html, re.S).group(0)
    assert chart.count("<circle") == 5  # the first read (120 views) and four more
    points = re.search(r'<polyline points="([^"]+)"', chart).group(1).split()
    heights = [float(p.split(",")[1]) for p in points]
    assert heights == sorted(heights, reverse=True)  # views only grow: the line only rises
    assert min(heights) == pytest.approx(3.0)  # the top of the chart is the latest count


def test_a_recipient_may_not_see_risks(store):
    client = store.client()
    login(client, "zhkh")
    assert client.get("/risks").status_code == 403
    assert "Инфориски" not in client.get("/queue").text
    assert store.api("zhkh").get("/api/risks").status_code == 403


def test_an_analyst_reads_but_does_not_act(store):
    client = store.client()
    csrf = login(client, "analyst")
    html = client.get(f"/risks/{store.risks['spread']}").text
    assert "handle-form" not in html
    response = _post(client, csrf, store.risks["spread"], "handle", note="x")
    assert response.status_code == 403
    assert "не позволяет отрабатывать информационные риски" in response.text
    api = store.api("analyst")
    assert api.get("/api/risks").status_code == 200
    assert api.post(f"/api/risks/{store.risks['spread']}/dismiss", json={}).status_code == 403


def test_officer_handles_links_and_is_told_what_went_wrong(store):
    client = store.client()
    csrf = login(client, "officer")
    spread = store.risks["spread"]
    empty = _post(client, csrf, spread, "handle", note=" ")
    assert empty.status_code == 422 and "заметка обязательна" in empty.text
    taken = _post(client, csrf, spread, "incident")
    assert taken.status_code == 409 and "уже связан с инцидентом" in taken.text
    done = _post(client, csrf, spread, "handle", note="Дали разъяснение в группе")
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "Риск отмечен как отработанный" in page and "Дали разъяснение в группе" in page
    linked = _post(client, csrf, spread, "link", incident_id=str(store.incidents["vk:4"]))
    assert linked.status_code == 303
    assert _post(client, csrf, spread, "link", incident_id="abc").status_code == 422
    handled = client.get("/risks?status=handled").text
    assert f'id="risk-{spread}"' in handled and "отработан (1)" in handled
    bad = client.post(f"/risks/{spread}/act", data={"csrf_token": "forged", "action": "dismiss"})
    assert bad.status_code == 403


def test_the_api_lists_shows_and_acts(store):
    api = store.api("officer")
    page = api.get("/api/risks").json()
    assert page["counts_by_status"] == {"open": 2, "handled": 0, "dismissed": 0}
    spread = next(item for item in page["items"] if item["kind"] == "spread")
    assert [p["views"] for p in spread["reach_history"]] == [120, 300, 900, 7000, 15000]
    assert spread["score"] == 100.0 and spread["posts"][0]["source"] == "vk-test"
    copies = store.risks["copies"]
    one = api.get(f"/api/risks/{copies}").json()
    assert one["sources_count"] == 3 and len(one["posts"]) == 2
    result = api.post(f"/api/risks/{copies}/dismiss", json={"note": "Реклама"}).json()
    assert result["risk"]["status"] == "dismissed" and result["message"].startswith("Риск отклон")
    again = api.post(f"/api/risks/{copies}/dismiss", json={})
    assert again.status_code == 409 and again.json()["error"]
    target = store.incidents["vk:2"]
    linked = api.post(f"/api/risks/{copies}/link", json={"incident_id": target}).json()
    assert linked["risk"]["incident_id"] == target
    assert api.get("/api/risks/999").status_code == 404
    assert api.get("/api/risks?status=bad").status_code == 422
    assert api.get("/api/risks?status=dismissed").json()["items"][0]["note"] == "Реклама"
