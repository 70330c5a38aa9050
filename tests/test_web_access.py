"""A recipient user sees and acts only on its own incidents: another's is 404, pages and API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from monitor.store.tables import events
from tests import web_helpers
from tests.web_helpers import act, cheap_hashing, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")
store = web_helpers.store  # the shared fixture, bound here so pytest finds it


def test_recipient_queue_holds_only_its_incidents(store):
    client = store.client()
    login(client, "zhkh")
    page = client.get("/queue?status=all").text
    own, other = store.incidents["vk:1"], store.incidents["vk:2"]
    assert f'data-id="{own}"' in page
    assert f'data-id="{other}"' not in page
    assert "Получатель</label>" not in page  # no recipient filter for a recipient
    searched = client.get("/queue", params={"q": "Яма", "recipient": "mindor"}).text
    assert "Нет инцидентов с такими условиями" in searched


def test_another_recipients_incident_is_404_on_the_page(store):
    client = store.client()
    csrf = login(client, "zhkh")
    other = store.incidents["vk:2"]
    assert client.get(f"/incidents/{store.incidents['vk:1']}").status_code == 200
    response = client.get(f"/incidents/{other}")
    assert response.status_code == 404
    assert "не найден" in response.text
    for action, extra in (
        ("answer", {"text": "чужой ответ", "kind": "final"}),
        ("pause", {}),
        ("assign", {"recipient": "minzhkh"}),
        ("close", {}),
    ):
        assert act(client, csrf, other, action, **extra).status_code == 404
    with store.ctx.db.connect() as connection:
        kinds = (
            connection.execute(select(events.c.kind).where(events.c.incident_id == other))
            .scalars()
            .all()
        )
    assert kinds == ["created", "routed"]


def test_another_recipients_incident_is_404_in_the_api(store):
    api = store.api("dorogi")
    own, other = store.incidents["vk:2"], store.incidents["vk:1"]
    assert api.get(f"/api/incidents/{own}").status_code == 200
    for method, path, body in (
        ("get", f"/api/incidents/{other}", None),
        ("post", f"/api/incidents/{other}/answer", {"text": "ответ"}),
        ("post", f"/api/incidents/{other}/pause", {"reason": "ждём"}),
        ("post", f"/api/incidents/{other}/close", None),
        ("post", f"/api/incidents/{other}/assign", {"recipient": "mindor"}),
    ):
        response = api.request(method, path, json=body)
        assert response.status_code == 404, path
        assert response.json() == {"error": "not_found", "message": f"Инцидент {other} не найден"}
    listing = api.get("/api/incidents", params={"status": "all"}).json()
    assert [item["id"] for item in listing["items"]] == [own]
    assert listing["total"] == 1 and sum(listing["counts_by_status"].values()) == 1


def test_posts_and_recipients_are_scoped_too(store):
    api = store.api("zhkh")
    everyone = store.api("officer").get("/api/posts").json()
    mine = api.get("/api/posts").json()
    assert len(everyone) == 5
    assert {post["incident_id"] for post in mine} == {
        store.incidents["vk:1"],
        store.incidents["vk:5"],
    }
    foreign = next(p for p in everyone if p["incident_id"] == store.incidents["vk:4"])
    assert api.get(f"/api/posts/{foreign['id']}").status_code == 404
    recipients = api.get("/api/recipients").json()
    assert [r["code"] for r in recipients] == ["minzhkh"]
    assert recipients[0]["email"] is None
    assert api.get("/api/sources").status_code == 403


def test_recipient_may_answer_its_own_incident_but_not_assign_or_close(store):
    api = store.api("zhkh")
    own = store.incidents["vk:1"]
    answered = api.post(
        f"/api/incidents/{own}/answer", json={"text": "Бригада выехала", "interim": True}
    )
    assert answered.status_code == 200
    assert answered.json()["incident"]["status"] == "in_progress"
    for path, body in (
        ("assign", {"recipient": "mindor"}),
        ("close", None),
        ("reclassify", {"risk": "low"}),
        ("reject", {}),
    ):
        response = api.post(f"/api/incidents/{own}/{path}", json=body)
        assert response.status_code == 403, path
        assert response.json()["message"].startswith("Роль «получатель» не позволяет")


def test_analyst_reads_everything_and_changes_nothing(store):
    api = store.api("analyst")
    incident = store.incidents["vk:3"]
    assert api.get("/api/incidents").json()["total"] == 5
    assert api.get("/api/sources").status_code == 200
    assert api.post(f"/api/incidents/{incident}/answer", json={"text": "x"}).status_code == 403
    client = store.client()
    csrf = login(client, "analyst")
    assert act(client, csrf, incident, "close").status_code == 403
    page = client.get(f"/incidents/{incident}").text
    assert "Действия" not in page


@pytest.mark.parametrize("path", ["/users", "/recipients"])
def test_admin_pages_are_for_admins(store, path):
    client = store.client()
    login(client, "officer")
    response = client.get(path)
    assert response.status_code == 403
    assert "не позволяет" in response.text
    admin = store.client()
    login(admin, "admin")
    assert admin.get(path).status_code == 200


@pytest.mark.parametrize(
    ("user", "query", "expected"),
    [
        ("officer", "ШЕБЕКИНО", {"vk:1", "vk:5"}),
        ("zhkh", "шебекино", {"vk:1", "vk:5"}),
        ("zhkh", "ЯМА НА ДОР", set()),  # another recipient's incident
        ("dorogi", "яма на дор", {"vk:2"}),
        ("dorogi", "шебекино", set()),
        ("officer", "ШЕ", {"vk:1", "vk:5"}),  # shorter than a trigram: a scan
        ("officer", "%", set()),  # wildcards are plain characters
    ],
)
def test_text_search_folds_case_and_stays_in_scope(store, user, query, expected):
    by_id = {incident_id: key for key, incident_id in store.incidents.items()}
    page = store.api(user).get("/api/incidents", params={"q": query, "status": "all"}).json()
    assert {by_id[item["id"]] for item in page["items"]} == expected
    assert page["total"] == len(expected)
    client = store.client()
    login(client, user)
    html = client.get("/queue", params={"q": query, "status": "all"}).text
    assert set(re.findall(r'<tr class="row [a-z ]*" data-id="(\d+)"', html)) == {
        str(store.incidents[key]) for key in expected
    }
