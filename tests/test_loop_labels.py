"""Labels: import checks every line first, twice stores nothing twice; export pseudonymises."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from monitor.errors import ConfigError, InputError, NotFound
from monitor.loop.labels import (
    PSEUDONYM_KEY_ENV,
    Label,
    export_rows,
    import_labels,
    latest_labels,
    record_label,
    undo_label,
)
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import labels, posts
from tests.helpers import moment, record

AT = moment("2026-11-20T10:00:00+03:00")


@pytest.fixture
def stored(ctx):
    """Two sources; one id shared by both; three posts."""
    with ctx.db.begin() as connection:
        vk, ok = ensure_source(connection, "vk-a", "vk"), ensure_source(connection, "ok-b", "ok")
        store_posts(connection, vk, [record("vk:1", "Нет воды", author="vk:77"), record("dup")])
        store_posts(connection, ok, [record("ok:1", "Яма", author="ok:5"), record("dup")])
    return ctx


def _write(path, rows) -> object:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _count(ctx) -> int:
    with ctx.db.connect() as connection:
        return connection.execute(select(func.count()).select_from(labels)).scalar_one()


def test_import_twice_stores_nothing_twice_and_a_new_decision_wins(stored, tmp_path):
    rows = [
        {"id": "vk:1", "relevant": True, "sector": "housing", "risk": "high", "territory": None},
        {"id": "ok:1", "relevant": False, "sector": None, "risk": None, "territory": None},
    ]
    file = _write(tmp_path / "a.jsonl", rows)
    with stored.db.begin() as connection:
        report = import_labels(connection, stored.settings, file, actor="a", at=AT)
    assert (report.read, report.stored, report.unchanged) == (2, 2, 0)
    with stored.db.begin() as connection:
        report = import_labels(connection, stored.settings, file, actor="a", at=AT)
    assert (report.stored, report.unchanged) == (0, 2)
    rows[1] = {**rows[1], "relevant": True, "sector": "roads", "risk": "medium"}
    with stored.db.begin() as connection:
        report = import_labels(connection, stored.settings, _write(file, rows), actor="b", at=AT)
        assert report.stored == 1
        post_id = connection.execute(select(posts.c.id).where(posts.c.external_id == "ok:1"))
        latest = latest_labels(connection, [post_id.scalar_one()])
    assert [row.sector for row in latest.values()] == ["roads"]
    assert _count(stored) == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"id": "vk:404", "relevant": True}, "пост 'vk:404' не найден"),
        ({"id": "dup", "relevant": False}, "нескольких источников"),
        ({"id": "vk:1", "relevant": "да"}, "relevant должен быть true или false"),
        ({"id": "vk:1", "relevant": True, "sector": "космос"}, "неизвестный сектор 'космос'"),
        ({"id": "vk:1", "relevant": True, "risk": "ужас"}, "неизвестный уровень риска"),
        ({"id": "vk:1", "relevant": True, "territory": "Марс"}, "неизвестная территория 'Марс'"),
        ({"id": "vk:1", "relevant": False, "sector": "roads"}, "у нерелевантного поста"),
    ],
)
def test_a_bad_line_is_a_clear_error_and_nothing_is_stored(stored, tmp_path, line, message):
    good = {"id": "ok:1", "relevant": False}
    file = _write(tmp_path / "bad.jsonl", [good, line])
    with pytest.raises(InputError) as error, stored.db.begin() as connection:
        import_labels(connection, stored.settings, file, actor="a", at=AT)
    assert message in str(error.value) and "bad.jsonl:2" in str(error.value)
    assert _count(stored) == 0


def test_export_with_stable_pseudonyms(stored, monkeypatch):
    with stored.db.begin() as connection:
        for external_id in ("vk:1", "ok:1"):
            post_id = connection.execute(
                select(posts.c.id).where(posts.c.external_id == external_id)
            ).scalar_one()
            record_label(connection, post_id, Label(False), actor="officer", at=AT)
    monkeypatch.delenv(PSEUDONYM_KEY_ENV, raising=False)
    with stored.db.connect() as connection:
        plain = list(export_rows(connection, pseudonymise=False))
        assert {row["author"] for row in plain} == {"vk:77", "ok:5"}
        with pytest.raises(ConfigError, match=PSEUDONYM_KEY_ENV):
            list(export_rows(connection, pseudonymise=True))
        monkeypatch.setenv(PSEUDONYM_KEY_ENV, "a-key-of-the-centre-0123")
        first = list(export_rows(connection, pseudonymise=True))
        second = list(export_rows(connection, pseudonymise=True))
        monkeypatch.setenv(PSEUDONYM_KEY_ENV, "another-key-of-the-centre")
        other = list(export_rows(connection, pseudonymise=True))
    assert first == second
    authors = [row["author"] for row in first]
    assert all(a.startswith("p:") for a in authors) and not {"vk:77", "ok:5"} & set(authors)
    assert authors != [row["author"] for row in other]
    assert all(row["author_name"] is None and row["url"] is None for row in first)
    assert {row["labelled_by"] for row in first} != {"officer"}
    assert {row["id"] for row in first} == {"vk:1", "ok:1"}


def test_undo_removes_only_ones_own_decision(stored):
    with stored.db.begin() as connection:
        post_id = connection.execute(
            select(posts.c.id).where(posts.c.external_id == "vk:1")
        ).scalar_one()
        label_id = record_label(connection, post_id, Label(True, "housing"), actor="a", at=AT)
        with pytest.raises(NotFound):
            undo_label(connection, label_id, actor="someone-else")
        assert undo_label(connection, label_id, actor="a") == post_id
    assert _count(stored) == 0
