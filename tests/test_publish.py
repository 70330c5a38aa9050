"""Answers published under the resident's VK post or comment, against the local VK server."""

from __future__ import annotations

import pytest
from collect_servers.harness import FAST
from collect_servers.vk import TOKEN, VkServer, post
from sqlalchemy import select

from monitor.config import HttpSettings, OfficialPage
from monitor.errors import InputError
from monitor.publish.service import incident_publications, publish
from monitor.store.tables import events, publications
from tests.helpers import moment, record
from tests.test_grouping import put, store  # noqa: F401  (fixture)

NOW = moment("2026-11-18T12:00:00+03:00")
GROUP = 41234567
OWNER = -GROUP
CENTRE_GROUP = 555


@pytest.fixture
def vk(monkeypatch):
    """A VK server with one community post and one comment thread under it."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.add_group(GROUP, "Подслушано Шебекино", 5000)
        server.walls[OWNER].append(post(OWNER, 8812, 1_700_000_000, "Нет воды на Ленина"))
        yield server


@pytest.fixture
def setup(vk, store):  # noqa: F811
    """Settings pointed at the local server, and an incident with a VK post."""
    settings, engine = store
    settings.collectors.vk.base_url = vk.url + "/method/"
    settings.collectors.vk.min_interval_seconds = 0
    settings.collectors.http = HttpSettings(**FAST["http"])
    settings.publishing.vk_group_id = CENTRE_GROUP
    incident_id, _ = put(engine, settings, record(f"vk:{OWNER}_8812", "Нет воды на Ленина"))
    return settings, engine, incident_id


def _created(vk: VkServer) -> list[dict[str, str]]:
    return vk.calls("wall.createComment")


def _kinds(engine, incident_id):
    with engine.connect() as connection:
        return [
            row.kind
            for row in connection.execute(
                select(events).where(events.c.incident_id == incident_id).order_by(events.c.id)
            )
        ]


def test_answer_is_published_under_the_post_once(vk, setup):
    settings, engine, incident_id = setup
    text = "Здравствуйте! Аварийная бригада направлена, воду дадут к 18:00."
    row = publish(engine, settings, incident_id, text, actor="officer", now=NOW)

    assert row["state"] == "sent"
    assert row["attempts"] == 1
    calls = _created(vk)
    assert len(calls) == 1
    assert calls[0]["owner_id"] == str(OWNER) and calls[0]["post_id"] == "8812"
    assert calls[0]["message"] == text
    assert calls[0]["from_group"] == str(CENTRE_GROUP)
    assert calls[0]["guid"] == row["guid"]
    comment_id = int(row["published_id"])
    assert row["published_url"] == f"https://vk.com/wall{OWNER}_8812?reply={comment_id}"
    thread = vk.threads[(OWNER, 8812)]
    assert [t.comment["text"] for t in thread] == [text]
    assert thread[0].comment["from_id"] == -CENTRE_GROUP

    again = publish(engine, settings, incident_id, text, actor="officer", now=NOW)
    assert again["id"] == row["id"] and len(_created(vk)) == 1  # sent once
    assert _kinds(engine, incident_id).count("published") == 1
    assert {"publication_created", "publication_attempt", "published"} <= set(
        _kinds(engine, incident_id)
    )


def test_a_comment_is_answered_in_its_thread(vk, setup):
    settings, engine, _ = setup
    from collect_servers.vk import Thread, comment

    vk.threads[(OWNER, 8812)].append(Thread(comment(77, 1834, 1_700_000_100, "и у нас нет")))
    incident_id, _ = put(
        engine,
        settings,
        record(f"vk:{OWNER}_8812_c_77", "Третий день нет света на Мира", author="u9"),
        sector="energy",
    )
    row = publish(engine, settings, incident_id, "Бригада выехала.", actor="o", now=NOW)

    assert _created(vk)[0]["reply_to_comment"] == "77"
    comment_id = int(row["published_id"])
    assert row["published_url"].endswith(f"?reply={comment_id}&thread=77")
    assert [r["text"] for r in vk.threads[(OWNER, 8812)][0].replies] == ["Бригада выехала."]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (5, "OTKLIK_VK_TOKEN"),
        (7, "право «стена»"),
        (15, "закрыты"),
        (14, "капчу"),
        (100, "удалены"),
        (213, "Нет доступа"),
        (222, "уберите ссылки"),
        (223, "слишком много ответов"),
    ],
)
def test_vk_errors_are_shown_with_what_to_do_and_keep_the_answer(vk, setup, code, words):
    settings, engine, incident_id = setup
    vk.fail("wall.createComment", code)
    text = "Ответ, который нельзя потерять"
    row = publish(engine, settings, incident_id, text, actor="o", now=NOW)

    assert row["state"] == "failed"
    assert row["attempts"] == 1  # not retried: a person has to act
    assert row["last_error_code"] == str(code)
    assert words.lower() in row["last_error"].lower()
    assert row["text"] == text
    assert "publication_failed" in _kinds(engine, incident_id)

    # Once fixed, the same action sends the stored answer with the same guid.
    again = publish(engine, settings, incident_id, text, actor="o", now=NOW)
    assert again["id"] == row["id"] and again["state"] == "sent" and again["attempts"] == 2
    assert len({call["guid"] for call in _created(vk)}) == 1


def test_flood_is_retried_with_backoff_and_every_attempt_audited(vk, setup):
    settings, engine, incident_id = setup
    vk.fail("wall.createComment", 9, times=2)
    row = publish(engine, settings, incident_id, "Ответ", actor="o", now=NOW)

    assert row["state"] == "sent" and row["attempts"] == 3
    with engine.connect() as connection:
        attempts = [
            e.payload
            for e in connection.execute(
                select(events).where(events.c.kind == "publication_attempt")
            )
        ]
    assert [a["code"] for a in attempts] == ["9", "9", None]
    assert len(vk.threads[(OWNER, 8812)]) == 1


def test_deleted_post_and_closed_comments(vk, setup):
    settings, engine, incident_id = setup
    vk.closed_comments.add((OWNER, 8812))
    row = publish(engine, settings, incident_id, "Ответ", actor="o", now=NOW)
    assert row["state"] == "failed" and row["last_error_code"] == "15"

    vk.walls[OWNER].clear()
    row = publish(engine, settings, incident_id, "Другой ответ", actor="o", now=NOW)
    assert row["state"] == "failed" and row["last_error_code"] == "100"
    with engine.connect() as connection:
        assert len(incident_publications(connection, incident_id)) == 2


def test_missing_token_fails_without_a_request(vk, setup, monkeypatch):
    settings, engine, incident_id = setup
    monkeypatch.delenv("OTKLIK_VK_TOKEN")
    row = publish(engine, settings, incident_id, "Ответ", actor="o", now=NOW)
    assert row["state"] == "failed" and "OTKLIK_VK_TOKEN" in row["last_error"]
    assert _created(vk) == []


def test_recipient_answers_from_its_own_page_with_its_own_token(vk, setup, monkeypatch):
    settings, engine, incident_id = setup
    vk.tokens.add("minzhkh-token")
    monkeypatch.setenv("OTKLIK_VK_TOKEN_MINZHKH", "minzhkh-token")
    settings.official_pages.pages = [
        OfficialPage(name="Минжкх", network="vk", address="909", recipient="minzhkh")
    ]
    publish(engine, settings, incident_id, "Ответ министерства", actor="o", now=NOW)
    call = _created(vk)[0]
    assert call["from_group"] == "909" and call["access_token"] == "minzhkh-token"


def test_telegram_and_ok_cannot_be_answered_and_offer_the_link(store):  # noqa: F811
    settings, engine = store
    from dataclasses import replace

    tg = replace(
        record("tg:belgorod_news/5", "Нет воды"), network="telegram", url="https://t.me/x/5"
    )
    incident_id, _ = put(engine, settings, tg)
    with pytest.raises(InputError, match="Telegram.*https://t.me/x/5"):
        publish(engine, settings, incident_id, "Ответ", actor="o", now=NOW)
    with engine.connect() as connection:
        assert connection.execute(select(publications)).all() == []


def test_empty_and_too_long_answers_are_refused(setup):
    settings, engine, incident_id = setup
    with pytest.raises(InputError, match="пуст"):
        publish(engine, settings, incident_id, "  ", actor="o", now=NOW)
    with pytest.raises(InputError, match="длиннее"):
        publish(engine, settings, incident_id, "я" * 5000, actor="o", now=NOW)
