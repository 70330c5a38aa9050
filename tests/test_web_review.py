"""«Разметка» over HTTP: roles, CSRF, a decision, undo; the estimates page."""

from __future__ import annotations

from sqlalchemy import select

from monitor.store.tables import labels
from tests.web_helpers import cheap_hashing, csrf_of, login, store  # noqa: F401


def _labels(web) -> list:
    with web.ctx.db.connect() as connection:
        return connection.execute(select(labels)).all()


def test_analyst_labels_undoes_and_sees_the_estimates(store, cheap_hashing):  # noqa: F811
    client = store.client()
    login(client, "analyst")
    page = client.get("/review?queue=audit")
    assert page.status_code == 200 and "Решение модели" in page.text
    assert "Разметка" in page.text and 'id="review-post"' in page.text
    csrf = csrf_of(page.text)
    post_id = page.text.split('name="post_id" value="')[1].split('"')[0]
    fields = {"post_id": post_id, "queue": "audit", "sector": "housing", "risk": "high"}

    forged = client.post("/review/label", data={**fields, "decision": "signal"})
    assert forged.status_code == 403 and _labels(store) == []

    bad = client.post(
        "/review/label",
        data={**fields, "decision": "signal", "sector": "космос", "csrf_token": csrf},
    )
    assert bad.status_code == 422 and "неизвестный сектор" in bad.text

    saved = client.post(
        "/review/label",
        data={**fields, "decision": "signal", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "undo=" in saved.headers["location"]
    [row] = _labels(store)
    assert (row.relevant, row.sector, row.risk, row.actor) == (True, "housing", "high", "analyst")
    following = client.get(saved.headers["location"])
    assert "Решение сохранено" in following.text and 'id="undo-form"' in following.text
    assert f'name="post_id" value="{post_id}"' not in following.text  # the next post

    undone = client.post(
        "/review/undo",
        data={"label_id": str(row.id), "queue": "audit", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert undone.status_code == 303 and _labels(store) == []
    back = client.get(undone.headers["location"])
    assert f'name="post_id" value="{post_id}"' in back.text  # back at the head of the queue

    client.post(
        "/review/label",
        data={**fields, "decision": "noise", "csrf_token": csrf},
    )
    stats = client.get("/review/stats")
    assert stats.status_code == 200 and "Точность" in stats.text and "MOVER-R" in stats.text


def test_who_may_label(store, cheap_hashing):  # noqa: F811
    for name, review, stats in (
        ("admin", 200, 200),
        ("officer", 403, 200),
        ("zhkh", 403, 403),
    ):
        client = store.client()
        login(client, name)
        assert client.get("/review").status_code == review, name
        assert client.get("/review/stats").status_code == stats, name
    officer = store.client()
    csrf = login(officer, "officer")
    denied = officer.post(
        "/review/label", data={"post_id": "1", "decision": "noise", "csrf_token": csrf}
    )
    assert denied.status_code == 403 and _labels(store) == []
    assert store.client().get("/review", follow_redirects=False).status_code in (303, 307)
