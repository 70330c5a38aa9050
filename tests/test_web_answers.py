"""The incident page publishes the answer where the resident wrote, and reopens by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from collect_servers.harness import FAST
from collect_servers.vk import TOKEN, VkServer, post
from sqlalchemy import select

from monitor.config import HttpSettings
from monitor.store.tables import incidents, publications
from tests.web_helpers import NOW, act, cheap_hashing, login, put_post, store  # noqa: F401

OWNER = -41234567


@pytest.fixture
def vk(monkeypatch):
    """A local VK server with the resident's post."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.walls[OWNER].append(post(OWNER, 8812, 1_700_000_000, "Нет воды"))
        yield server


@pytest.fixture
def page(store, vk, cheap_hashing):  # noqa: F811
    """The web store pointed at the VK server, and an incident from a VK post."""
    settings = store.ctx.settings
    settings.collectors.vk.base_url = vk.url + "/method/"
    settings.collectors.vk.min_interval_seconds = 0
    settings.collectors.http = HttpSettings(**FAST["http"])
    settings.publishing.vk_group_id = 555
    incident_id = put_post(
        store.ctx,
        f"vk:{OWNER}_8812",
        "В Шебекино на Садовой нет воды второй день",
        "housing",
        "high",
        "Шебекино",
        NOW - timedelta(hours=1),
    )
    return store, incident_id


def test_officer_answers_and_publishes_in_one_action(page, vk):
    web, incident_id = page
    client = web.client()
    csrf = login(client, "officer")
    html = client.get(f"/incidents/{incident_id}").text
    assert "опубликовать ответ жителю в VK" in html and "Ответ жителю" in html

    reply = act(
        client,
        csrf,
        incident_id,
        "answer",
        kind="final",
        text="Бригада устранила прорыв, вода есть.",
        publish="1",
        target=f"vk:{OWNER}_8812",
    )
    assert reply.status_code == 303
    html = client.get(reply.headers["location"]).text
    assert "опубликован" in html and f"https://vk.com/wall{OWNER}_8812?reply=" in html
    assert [t.comment["text"] for t in vk.threads[(OWNER, 8812)]] == [
        "Бригада устранила прорыв, вода есть."
    ]


def test_a_failure_is_shown_with_what_to_do_and_can_be_retried(page, vk):
    web, incident_id = page
    client = web.client()
    csrf = login(client, "officer")
    vk.fail("wall.createComment", 5)
    act(client, csrf, incident_id, "publish", text="Ответ", target=f"vk:{OWNER}_8812")
    html = client.get(f"/incidents/{incident_id}").text
    assert "не опубликован" in html and "Токен VK недействителен" in html
    assert "Повторить публикацию" in html

    act(client, csrf, incident_id, "publish", text="Ответ", target=f"vk:{OWNER}_8812")
    with web.ctx.db.connect() as connection:
        row = connection.execute(select(publications)).one()
    assert row.state == "sent" and row.attempts == 2


def test_officer_reopens_from_the_page_and_analyst_cannot(page):
    web, incident_id = page
    client = web.client()
    csrf = login(client, "officer")
    act(client, csrf, incident_id, "answer", kind="final", text="Сделано")
    assert act(client, csrf, incident_id, "reopen", reason="").status_code == 422
    assert act(client, csrf, incident_id, "reopen", reason="Житель звонил").status_code == 303
    with web.ctx.db.connect() as connection:
        status = connection.execute(
            select(incidents.c.status).where(incidents.c.id == incident_id)
        ).scalar()
    assert status == "reopened"

    analyst = web.client()
    token = login(analyst, "analyst")
    assert act(analyst, token, incident_id, "reopen", reason="x").status_code == 403


def test_api_publishes_and_reopens(page, vk):
    web, incident_id = page
    officer = web.api("officer")
    reply = officer.post(
        f"/api/incidents/{incident_id}/publish",
        json={"text": "Ответ через API", "target": f"vk:{OWNER}_8812"},
    )
    assert reply.status_code == 200, reply.text
    assert vk.threads[(OWNER, 8812)][0].comment["text"] == "Ответ через API"

    officer.post(f"/api/incidents/{incident_id}/answer", json={"text": "Сделано"})
    reply = officer.post(f"/api/incidents/{incident_id}/reopen", json={"reason": "Повтор"})
    assert reply.status_code == 200 and reply.json()["incident"]["status"] == "reopened"
    analyst = web.api("analyst")
    denied = analyst.post(f"/api/incidents/{incident_id}/reopen", json={"reason": "x"})
    assert denied.status_code == 403 and denied.json()["error"]
