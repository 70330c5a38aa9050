"""Answer templates: admins keep them per sector and kind, officers read them, the answer form
offers them; CSRF, role checks and the audit log as on the other admin pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from monitor.store.tables import events, templates
from tests import web_helpers
from tests.web_helpers import cheap_hashing, csrf_of, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")
store = web_helpers.store  # the shared fixture, bound here so pytest finds it


def _stored(store) -> list[tuple]:
    with store.ctx.db.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(
                    templates.c.sector, templates.c.kind, templates.c.title, templates.c.body
                ).order_by(templates.c.id)
            )
        ]


def _audit(store) -> list[tuple]:
    with store.ctx.db.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(events.c.kind, events.c.actor, events.c.incident_id)
                .where(events.c.kind.like("template_%"))
                .order_by(events.c.id)
            )
        ]


def _add(client, csrf: str, **fields: str):
    values = {"sector": "housing", "kind": "interim", "title": "Авария", "body": "Текст $title"}
    values.update(fields)
    return client.post("/templates", data={"csrf_token": csrf, **values}, follow_redirects=False)


def test_admin_adds_edits_and_deletes_a_template_and_each_is_audited(store):
    client = store.client()
    csrf = login(client, "admin")
    page = client.get("/templates").text
    assert "Своих шаблонов пока нет" in page and "Аварийная бригада" in page  # built-in
    response = _add(client, csrf, title="Отключение воды", body="Вода будет к вечеру: $territory")
    assert response.status_code == 303
    assert _stored(store) == [
        ("housing", "interim", "Отключение воды", "Вода будет к вечеру: $territory")
    ]
    listing = client.get(response.headers["location"]).text
    assert "Шаблон добавлен" in listing and "Отключение воды" in listing
    template_id = int(re.search(r'<tr data-id="(\d+)"', listing).group(1))

    edit = client.get(f"/templates/{template_id}").text
    assert 'value="Отключение воды"' in edit and '<option value="housing" selected>' in edit
    saved = client.post(
        f"/templates/{template_id}",
        data={
            "csrf_token": csrf_of(edit),
            "sector": "",
            "kind": "final",
            "title": "Вода дана",
            "body": "Подача воды восстановлена",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _stored(store) == [(None, "final", "Вода дана", "Подача воды восстановлена")]

    deleted = client.post(
        f"/templates/{template_id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert deleted.status_code == 303 and _stored(store) == []
    assert _audit(store) == [
        ("template_created", "admin", None),
        ("template_changed", "admin", None),
        ("template_deleted", "admin", None),
    ]
    assert "Шаблон ответа изменён" in client.get("/templates").text  # recent changes


def test_stored_templates_replace_the_built_in_ones_in_the_answer_form(store):
    client = store.client()
    csrf = login(client, "admin")
    _add(client, csrf, title="Бригада ЖКХ выехала", body="По обращению «$title» выехала бригада")
    housing = client.get(f"/incidents/{store.incidents['vk:1']}").text
    assert "Бригада ЖКХ выехала" in housing and "Аварийная бригада" not in housing
    assert "По обращению «На улице Ленина" in housing  # placeholders filled in
    roads = client.get(f"/incidents/{store.incidents['vk:2']}").text
    assert "Бригада ЖКХ выехала" not in roads and "Дорожные службы" in roads  # still built-in
    offered = client.get("/templates", params={"sector": "roads"}).text
    assert "(встроенные)" in offered


def test_built_in_templates_can_be_copied_once(store):
    client = store.client()
    csrf = login(client, "admin")
    copied = client.post("/templates/built-in", data={"csrf_token": csrf}, follow_redirects=False)
    assert copied.status_code == 303
    assert len(_stored(store)) == 6 and _stored(store)[4][:2] == ("roads", "interim")
    again = client.post("/templates/built-in", data={"csrf_token": csrf})
    assert again.status_code == 422 and "уже есть" in again.text
    assert len(_stored(store)) == 6


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "other"}, "Неизвестный вид ответа"),
        ({"sector": "nowhere"}, "Неизвестный сектор"),
        ({"title": "   "}, "Название шаблона"),
        ({"body": ""}, "Текст шаблона"),
        ({"title": "я" * 301}, "Название шаблона"),
    ],
)
def test_bad_template_is_refused_with_a_message_and_the_form_kept(store, fields, message):
    client = store.client()
    csrf = login(client, "admin")
    response = _add(client, csrf, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert ("Текст $title" in response.text) == ("body" not in fields)  # the form is kept
    assert _stored(store) == []


def test_forms_need_the_csrf_token(store):
    client = store.client()
    login(client, "admin")
    assert _add(client, "forged").status_code == 403
    assert _stored(store) == []


def test_officer_reads_templates_but_changes_nothing(store):
    admin = store.client()
    csrf = login(admin, "admin")
    _add(admin, csrf)
    template_id = store.api("admin").get("/api/templates").json()[0]["id"]
    client = store.client()
    officer_csrf = login(client, "officer")
    page = client.get("/templates").text
    assert "Авария" in page and "Добавить шаблон" not in page and "Удалить" not in page
    assert _add(client, officer_csrf, title="Чужой").status_code == 403
    for path in (f"/templates/{template_id}", f"/templates/{template_id}/delete"):
        assert client.post(path, data={"csrf_token": officer_csrf}).status_code == 403
    assert client.get(f"/templates/{template_id}").status_code == 403
    assert client.post("/templates/built-in", data={"csrf_token": officer_csrf}).status_code == 403
    assert [row[2] for row in _stored(store)] == ["Авария"]


@pytest.mark.parametrize("user", ["zhkh", "analyst"])
def test_recipients_and_analysts_have_no_templates_page(store, user):
    client = store.client()
    login(client, user)
    assert client.get("/templates").status_code == 403
    assert 'href="/templates"' not in client.get("/queue").text
    assert store.api(user).get("/api/templates").status_code == 403


def test_missing_template_is_404(store):
    client = store.client()
    csrf = login(client, "admin")
    assert client.get("/templates/999").status_code == 404
    assert client.post("/templates/999/delete", data={"csrf_token": csrf}).status_code == 404


def test_api_lists_stored_or_offered_templates(store):
    api = store.api("officer")
    assert api.get("/api/templates").json() == []
    offered = api.get("/api/templates", params={"sector": "housing", "kind": "interim"}).json()
    assert [item["title"] for item in offered] == [
        "Аварийная бригада",
        "Принято в работу",
        "Нужны подробности",
    ]
    assert all(item["built_in"] and item["id"] is None for item in offered)
    client = store.client()
    _add(client, login(client, "admin"), sector="", kind="final", title="Общий")
    stored = api.get("/api/templates").json()
    assert [(t["title"], t["sector"], t["kind_name"], t["built_in"]) for t in stored] == [
        ("Общий", None, "окончательный", False)
    ]
    assert api.get("/api/templates", params={"sector": "nowhere"}).status_code == 422
