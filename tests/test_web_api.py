"""The JSON API: the queue with filters, one incident, actions, and errors as Russian JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from monitor.store.tables import labels
from tests import web_helpers
from tests.web_helpers import cheap_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")
store = web_helpers.store  # the shared fixture, bound here so pytest finds it


def test_queue_is_most_urgent_first_with_counts(store):
    page = store.api("officer").get("/api/incidents").json()
    assert page["total"] == 5
    assert [item["risk"] for item in page["items"]] == [
        "critical",
        "high",
        "medium",
        "medium",
        "low",
    ]
    first = page["items"][0]
    assert (first["risk_name"], first["status_name"], first["overdue"]) == (
        "критический",
        "назначен",
        True,
    )
    assert page["counts_by_risk"] == {"critical": 1, "high": 1, "medium": 2, "low": 1}
    assert page["counts_by_status"]["assigned"] == 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "housing"}, {"vk:1", "vk:5"}),
        ({"risk": "critical"}, {"vk:4"}),
        ({"territory": "Губкин"}, {"vk:2"}),
        ({"recipient": "minzhkh"}, {"vk:1", "vk:5"}),
        ({"source": "vk-test"}, {"vk:1", "vk:2", "vk:3", "vk:4", "vk:5"}),
        ({"source": "nowhere"}, set()),
        ({"overdue": "true"}, {"vk:2", "vk:4"}),
        ({"q": "Ленина"}, {"vk:1"}),
        ({"sector": "housing", "risk": "medium"}, {"vk:5"}),
    ],
)
def test_queue_filters(store, params, expected):
    page = store.api("officer").get("/api/incidents", params=params).json()
    by_id = {incident_id: key for key, incident_id in store.incidents.items()}
    assert {by_id[item["id"]] for item in page["items"]} == expected
    assert page["total"] == len(expected)


def test_paging(store):
    api = store.api("officer")
    first = api.get("/api/incidents", params={"limit": 2}).json()
    rest = api.get("/api/incidents", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == rest["total"] == 5
    ids = [i["id"] for i in first["items"]] + [i["id"] for i in rest["items"]]
    assert len(ids) == len(set(ids)) == 4


def test_incident_in_full(store):
    incident = store.api("officer").get(f"/api/incidents/{store.incidents['vk:1']}").json()
    assert incident["recipient_code"] == "minzhkh"
    [post] = incident["posts"]
    assert post["text"].startswith("На улице Ленина")
    assert post["classification"]["sector_top"][0] == ["housing", 0.8]
    assert post["classification"]["entities"][0]["normal"] == "Шебекино"
    assert [event["kind_name"] for event in incident["history"]] == [
        "Создан",
        "Направлен получателю",
    ]


def test_work_an_incident_through_the_api(store):
    api = store.api("officer")
    incident = store.incidents["vk:3"]
    steps = [
        ("assign", {"recipient": "adm-valuyki"}, "assigned"),
        ("pause", {"reason": "ждём ответа автора"}, "waiting"),
        ("resume", None, "assigned"),
        ("answer", {"text": "Контейнеры вывезены", "interim": False}, "answered"),
        ("close", None, "closed"),
    ]
    for action, body, status in steps:
        response = api.post(f"/api/incidents/{incident}/{action}", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["incident"]["status"] == status
    history = api.get(f"/api/incidents/{incident}").json()["history"]
    assert [e["kind"] for e in history][-5:] == [
        "assigned",
        "paused",
        "resumed",
        "answer",
        "closed",
    ]
    assert history[-2]["payload"]["text"] == "Контейнеры вывезены"
    assert history[-2]["actor"] == "officer"


def test_corrections_are_stored_as_labels(store):
    api = store.api("officer")
    incident = store.incidents["vk:2"]
    response = api.post(
        f"/api/incidents/{incident}/reclassify", json={"sector": "improvement", "risk": "high"}
    )
    assert response.status_code == 200
    assert (response.json()["incident"]["sector"], response.json()["incident"]["risk"]) == (
        "improvement",
        "high",
    )
    rejected = store.incidents["vk:3"]
    assert api.post(f"/api/incidents/{rejected}/reject", json={"reason": "реклама"}).is_success
    with store.ctx.db.connect() as connection:
        rows = connection.execute(
            select(
                labels.c.incident_id,
                labels.c.relevant,
                labels.c.sector,
                labels.c.risk,
                labels.c.actor,
            ).order_by(labels.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        (incident, True, "improvement", "high", "officer"),
        (rejected, False, None, None, "officer"),
    ]


def test_errors_are_russian_json_without_traces(store):
    api = store.api("officer")
    closed = store.incidents["vk:5"]
    api.post(f"/api/incidents/{closed}/close")
    cases = [
        (api.get("/api/incidents/999999"), 404, "not_found", "Инцидент 999999 не найден"),
        (
            api.post(f"/api/incidents/{closed}/answer", json={"text": "поздно"}),
            409,
            "conflict",
            "закрыт",
        ),
        (
            api.get("/api/incidents", params={"status": "lost"}),
            422,
            "invalid",
            "Неизвестный статус",
        ),
        (api.get("/api/incidents", params={"limit": 0}), 422, "invalid", "«limit»"),
        (api.post(f"/api/incidents/{closed}/assign", json={}), 422, "invalid", "тело запроса"),
        (api.get("/api/nothing-here"), 404, "http_error", "не найдена"),
        (store.client().get("/api/incidents"), 401, "unauthenticated", "API-токен"),
        (
            store.client().get("/api/incidents", headers={"Authorization": "Bearer otk_wrong"}),
            401,
            "unauthenticated",
            "неверен",
        ),
    ]
    for response, status, error, message in cases:
        assert response.status_code == status, response.text
        body = response.json()
        assert body["error"] == error
        assert message in body["message"]
        assert "Traceback" not in response.text


def test_locked_user_token_stops_working(store):
    from monitor.web.users import set_active

    api = store.api("analyst")
    assert api.get("/api/me").json() == {
        "name": "analyst",
        "role": "analyst",
        "recipient_code": None,
    }
    set_active(store.ctx.db, "analyst", False)
    assert api.get("/api/me").status_code == 401


def test_openapi_schema_is_served(store):
    schema = store.client().get("/api/openapi.json").json()
    assert {
        "/api/incidents",
        "/api/incidents/{incident_id}",
        "/api/posts",
        "/api/recipients",
        "/api/sources",
        "/api/incidents/{incident_id}/answer",
    } <= set(schema["paths"])
    assert not any(path.startswith("/queue") for path in schema["paths"])
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_nul_characters_are_refused_not_a_server_error(store):
    # PostgreSQL refuses NUL in text; SQLite stores it. Neither may end in a 500.
    api = store.api("officer")
    incident = store.incidents["vk:1"]
    responses = [
        api.get("/api/incidents", params={"q": "вода\x00"}),
        api.get("/api/posts", params={"source": "\x00"}),
        api.post(f"/api/incidents/{incident}/reclassify", json={"territory": "a\x00"}),
    ]
    for response in responses:
        assert response.status_code in (200, 422), response.text
        if response.status_code == 422:
            message = response.json()["message"]
            assert "нулевой символ" in message or "Неизвестная территория" in message


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "all"},
        {"status": "closed"},
        {"risk": "medium"},
        {"overdue": True},
        {"sector": "housing", "status": "all"},
        {"recipient": "minzhkh", "risk": "high"},
    ],
)
def test_counts_agree_with_the_library(store, params):
    from dataclasses import replace

    from monitor.incidents.lifecycle import RISK_RANK, STATUSES
    from monitor.incidents.queue import count_incidents
    from monitor.web.queueview import QueueParams, load_queue
    from monitor.web.users import user_by_name

    store.api("officer").post(f"/api/incidents/{store.incidents['vk:5']}/close")
    ctx, now = store.ctx, store.ctx.now()
    with ctx.db.connect() as connection:
        officer = user_by_name(connection, "officer")
        view = load_queue(ctx, connection, officer, QueueParams(**params), limit=50, offset=0)
        flt = QueueParams(**params).to_filter(officer, limit=50, offset=0)
        assert view.total == count_incidents(connection, flt, now)
        for status in STATUSES:
            assert view.by_status[status] == count_incidents(
                connection, replace(flt, status=status), now
            ), status
        for risk in RISK_RANK:
            assert view.by_risk[risk] == count_incidents(
                connection, replace(flt, risk=risk), now
            ), risk


def test_source_filter_by_name_or_kind_for_rare_and_common_sources(store):
    from tests.web_helpers import NOW, POSTS, put_post

    ctx = store.ctx
    # A repost of vk:1's text from another network joins vk:1's incident; a new problem from
    # a third source is an incident of its own.
    _, text, sector, risk, territory, _ = POSTS[0]
    joined = put_post(ctx, "ok:1", text, sector, risk, territory, NOW, source="ok-group")
    assert joined == store.incidents["vk:1"]
    alone = put_post(
        ctx, "tg:1", "Не горят фонари на Садовой", "roads", "low", "Короча", NOW, source="tg-news"
    )
    by_id = {incident_id: key for key, incident_id in store.incidents.items()}
    by_id[alone] = "tg:1"
    api = store.api("officer")

    def found(source: str) -> set[str]:
        page = api.get("/api/incidents", params={"source": source, "status": "all"}).json()
        assert page["total"] == len(page["items"])
        return {by_id[item["id"]] for item in page["items"]}

    assert found("ok-group") == {"vk:1"}  # rare: starts from the source's incidents
    assert found("tg-news") == {"tg:1"}
    assert found("vk-test") == {"vk:1", "vk:2", "vk:3", "vk:4", "vk:5"}  # common: probes
    assert found("vk") == {
        "vk:1",
        "vk:2",
        "vk:3",
        "vk:4",
        "vk:5",
        "tg:1",
    }  # a kind: every source here
    zhkh = store.api("zhkh").get("/api/incidents", params={"source": "ok-group"}).json()
    assert [item["id"] for item in zhkh["items"]] == [store.incidents["vk:1"]]
