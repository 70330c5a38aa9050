"""The pages: queue with filters, counts and marks; the incident and its actions; admin pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from monitor.store.tables import labels
from monitor.web.users import user_by_name
from tests.web_helpers import act, build_store, cheap_hashing, csrf_of, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def store(sqlite_url):
    web = build_store(sqlite_url)
    yield web
    web.ctx.engine.dispose()


def _rows(html: str) -> list[tuple[str, int]]:
    """(urgency class, incident id) of each queue row, in order."""
    return [
        (mark.strip(), int(number))
        for mark, number in re.findall(r'<tr class="row ([a-z ]*)" data-id="(\d+)"', html)
    ]


def test_queue_marks_overdue_and_near_rows_in_urgency_order(store):
    client = store.client()
    login(client, "officer")
    page = client.get("/queue").text
    ids = store.incidents
    assert _rows(page) == [
        ("overdue", ids["vk:4"]),
        ("near", ids["vk:1"]),
        ("overdue", ids["vk:2"]),
        ("", ids["vk:5"]),
        ("", ids["vk:3"]),
    ]
    assert "просрочен на" in page and "осталось 1 ч" in page
    assert re.search(r"критический <b>1</b>", page)
    assert re.search(r"назначен <b>5</b>", page)


def test_queue_filters_keep_their_values_and_links(store):
    client = store.client()
    login(client, "officer")
    page = client.get("/queue", params={"sector": "housing", "q": "Шебекино"}).text
    assert [number for _, number in _rows(page)] == [
        store.incidents["vk:1"],
        store.incidents["vk:5"],
    ]
    assert '<option value="housing" selected>' in page
    assert 'value="Шебекино"' in page
    # the risk counts link to the same filters plus the risk
    assert 'href="/queue?sector=housing&amp;risk=high&amp;q=' in page
    partial = client.get("/queue", params={"sector": "housing", "partial": 1}).text
    assert partial.lstrip().startswith('<div class="counts">')
    assert "<html" not in partial and len(_rows(partial)) == 2


def test_queue_pages(store):
    store.ctx.settings.web.page_size = 5
    client = store.client()
    login(client, "officer")
    page = client.get("/queue", params={"status": "all"}).text
    assert "страница" not in page
    store.ctx.settings.web.page_size = 2
    second = client.get("/queue", params={"status": "all", "page": 2}).text
    assert "страница 2 из 3" in second
    assert 'href="/queue?status=all&amp;page=3"' in second
    assert len(_rows(second)) == 2


def test_bad_filter_is_a_page_with_a_message(store):
    client = store.client()
    login(client, "officer")
    response = client.get("/queue", params={"risk": "apocalyptic"})
    assert response.status_code == 422
    assert "Неизвестный уровень риска" in response.text


def test_incident_page_shows_posts_model_deadlines_and_history(store):
    client = store.client()
    login(client, "officer")
    page = client.get(f"/incidents/{store.incidents['vk:1']}").text
    for expected in (
        "На улице Ленина в Шебекино третий день нет воды",
        "a-vk:1",
        "просмотров 120",
        "Сигнал жителя",
        "91%",
        "ЖКХ",
        "80%",
        "LOC: Шебекино",
        "Первый ответ",
        "осталось 1 ч",
        "Создан",
        "Направлен получателю",
        "Министерство ЖКХ области",
    ):
        assert expected in page, expected
    assert 'name="text"' in page and "Аварийная бригада" in page  # housing template


def test_assign_answer_and_see_it_in_the_history(store):
    client = store.client()
    csrf = login(client, "officer")
    incident = store.incidents["vk:3"]
    moved = act(client, csrf, incident, "assign", recipient="adm-valuyki")
    assert (moved.status_code, moved.headers["location"]) == (
        303,
        f"/incidents/{incident}?done=assign",
    )
    answered = act(client, csrf, incident, "answer", kind="interim", text="Вывоз завтра утром")
    assert answered.status_code == 303
    page = client.get(answered.headers["location"]).text
    assert "Промежуточный ответ сохранён" in page
    assert "Администрация Валуйского округа" in page
    assert '<blockquote class="answer-text">Вывоз завтра утром</blockquote>' in page
    assert "в работе" in page


def test_reclassify_from_the_page_stores_labels(store):
    client = store.client()
    csrf = login(client, "officer")
    incident = store.incidents["vk:2"]
    response = act(
        client, csrf, incident, "reclassify", sector="roads", risk="high", territory="Губкин"
    )
    assert response.status_code == 303
    with store.ctx.db.connect() as connection:
        assert connection.execute(
            select(labels.c.sector, labels.c.risk, labels.c.territory)
        ).all() == [("roads", "high", "Губкин")]


def test_action_errors_are_shown_on_the_page(store):
    client = store.client()
    csrf = login(client, "officer")
    incident = store.incidents["vk:4"]
    assert act(client, csrf, incident, "close").status_code == 303
    again = act(client, csrf, incident, "answer", kind="final", text="поздно")
    assert again.status_code == 409
    assert "нельзя дать ответ" in again.text
    empty = act(client, csrf, store.incidents["vk:1"], "answer", kind="final", text="  ")
    assert empty.status_code == 422 and "Текст ответа пуст" in empty.text


def test_escaped_output(store):
    from tests.web_helpers import put_post

    incident = put_post(
        store.ctx,
        "vk:x",
        "<script>alert(1)</script> нет света в доме",
        "energy",
        "low",
        "Губкин",
        store.ctx.now(),
    )
    client = store.client()
    login(client, "officer")
    page = client.get(f"/incidents/{incident}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sources_page_lists_health(store):
    client = store.client()
    login(client, "analyst")
    page = client.get("/sources").text
    assert "vk-test" in page and "нет в настройках" in page
    # The stream its posts are read in, with the relevance threshold of that stream.
    row = re.search(r"<b>vk-test</b>(.*?)</tr>", page, re.S).group(1)
    assert re.search(r"Поток, порог\">сообщества · 0\.\d+<", row)
    recipient = store.client()
    login(recipient, "zhkh")
    assert recipient.get("/sources").status_code == 403
    assert "Источники" not in recipient.get("/queue").text


def test_recipients_page_shows_load(store):
    client = store.client()
    login(client, "admin")
    page = client.get("/recipients").text
    row = re.search(r"minzhkh</a></td>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r'class="num[^"]*">([^<]*)<', row)
    assert cells == ["2", "0", "—", "1"]  # open, overdue, on-time share, users


def test_admin_adds_locks_and_issues_a_token(store):
    client = store.client()
    csrf = login(client, "admin")
    added = client.post(
        "/users",
        data={
            "csrf_token": csrf,
            "name": "gaz",
            "role": "recipient",
            "recipient": "gas",
            "password": "long-enough-1",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(added.headers["location"]).text
    assert "Пользователь добавлен" in page and "Газпром газораспределение Белгород" in page
    bad = client.post(
        "/users", data={"csrf_token": csrf, "name": "x", "role": "officer", "password": "short"}
    )
    assert bad.status_code == 422 and "Пароль короче 8 символов" in bad.text
    with store.ctx.db.connect() as connection:
        gaz_id = user_by_name(connection, "gaz").id
    token_page = client.post(f"/users/{gaz_id}/token", data={"csrf_token": csrf}).text
    token = re.search(r'id="new-token">([^<]+)<', token_page).group(1)
    api = store.client()
    me = api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"name": "gaz", "role": "recipient", "recipient_code": "gas"}
    assert (
        client.post(
            f"/users/{gaz_id}/active", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    assert api.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert "заблокирован" in client.get("/users").text


def test_user_account_changes_are_audited_without_secrets(store):
    """Adding a user, a new password, a token and a lock each leave one event naming the admin."""
    from sqlalchemy import select

    from monitor.store.tables import events

    client = store.client()
    csrf = login(client, "admin")
    password = "secret-pass-1"
    client.post(
        "/users",
        data={"csrf_token": csrf, "name": "ivan", "role": "officer", "password": password},
    )
    with store.ctx.db.connect() as connection:
        ivan = user_by_name(connection, "ivan").id
    client.post(f"/users/{ivan}/password", data={"csrf_token": csrf, "password": "other-pass-2"})
    token_page = client.post(f"/users/{ivan}/token", data={"csrf_token": csrf}).text
    token = re.search(r'id="new-token">([^<]+)<', token_page).group(1)
    client.post(f"/users/{ivan}/active", data={"csrf_token": csrf})
    with store.ctx.db.connect() as connection:
        rows = connection.execute(
            select(events.c.kind, events.c.actor, events.c.incident_id, events.c.payload)
            .where(events.c.kind.like("user_%"))
            .order_by(events.c.id)
        ).all()
    rows = [row for row in rows if row.payload.get("user") == "ivan"]
    assert [(kind, actor, incident) for kind, actor, incident, _ in rows] == [
        ("user_added", "admin", None),
        ("user_password_set", "admin", None),
        ("user_token_issued", "admin", None),
        ("user_locked", "admin", None),
    ]
    stored = repr([payload for *_, payload in rows])
    assert password not in stored and "other-pass-2" not in stored and token not in stored
