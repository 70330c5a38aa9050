"""Reopening by hand and by the resident's reaction; the reaction model's package."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from classifier.satisfaction import ReactionModelError, fit, load, save
from monitor.context import Context
from monitor.errors import InputError, TransitionError
from monitor.incidents import service
from monitor.incidents.calendar import calendar_for
from monitor.incidents.reopening import reopen
from monitor.satisfaction.reactions import incident_reactions, scan
from monitor.store.tables import events, incidents
from tests.conftest import CONFIG
from tests.helpers import moment, record, run_cli
from tests.test_grouping import put, store  # noqa: F401  (fixture)

ANSWERED = moment("2026-11-18T12:00:00+03:00")
POST = "vk:-41234567_8812"


@pytest.fixture
def answered(store):  # noqa: F811
    """An incident with the resident's post, answered with a final answer."""
    settings, engine = store
    incident_id, _ = put(engine, settings, record(POST, "Нет воды на Ленина", author="vk:1834"))
    service.answer(
        engine,
        incident_id,
        "Воду дали в 15:00",
        interim=False,
        actor="officer",
        now=ANSWERED,
        settings=settings,
    )
    return settings, engine, incident_id


def _incident(engine, incident_id):
    with engine.connect() as connection:
        return connection.execute(select(incidents).where(incidents.c.id == incident_id)).one()


def _context(settings) -> Context:
    return Context(settings)


def test_officer_reopens_with_a_reason_and_a_new_deadline(answered):
    settings, engine, incident_id = answered
    now = ANSWERED + timedelta(days=1)
    due = reopen(engine, settings, incident_id, reason="Житель звонил", actor="o", now=now)

    row = _incident(engine, incident_id)
    assert row.status == "reopened" and row.answered_at is None
    assert row.final_answer_due == due == calendar_for(settings).add_days(now, 3)
    with engine.connect() as connection:
        event = connection.execute(select(events).where(events.c.kind == "reopened")).one()
    assert event.payload["reason"] == "Житель звонил" and event.payload["by"] == "officer"

    # Open again: it can be answered, and it cannot be reopened twice.
    with pytest.raises(TransitionError, match="переоткрыть"):
        reopen(engine, settings, incident_id, reason="ещё раз", actor="o", now=now)
    service.answer(
        engine, incident_id, "Проверили", interim=False, actor="o", now=now, settings=settings
    )
    assert _incident(engine, incident_id).status == "answered"


def test_reopen_needs_a_reason_and_an_answered_incident(store):  # noqa: F811
    settings, engine = store
    incident_id, _ = put(engine, settings, record("vk:9", "Нет света"))
    with pytest.raises(InputError, match="причину"):
        reopen(engine, settings, incident_id, reason=" ", actor="o", now=ANSWERED)
    with pytest.raises(TransitionError):
        reopen(engine, settings, incident_id, reason="нет", actor="o", now=ANSWERED)


def test_cli_reopen(answered, capsys):
    settings, engine, incident_id = answered
    result = run_cli(
        capsys,
        "incident",
        "reopen",
        str(incident_id),
        "--reason",
        "Жалоба повторилась",
        "--config",
        str(CONFIG),
        "--database",
        settings.database.url,
        "--now",
        "2026-11-19T10:00:00+03:00",
    )
    assert result.code == 0, result.err
    assert "переоткрыт" in result.out
    assert _incident(engine, incident_id).status == "reopened"


def _reply(engine, settings, number: int, text: str, *, author="vk:1834", hours=2):
    at = (ANSWERED + timedelta(hours=hours)).isoformat()
    put(
        engine,
        settings,
        record(f"{POST}_c_{number}", text, author=author, at=at, parent=POST),
        relevant=False,
    )


def test_not_satisfied_reply_reopens_once(answered):
    settings, engine, incident_id = answered
    _reply(engine, settings, 1, "Ничего не сделали, воды как не было так и нет. Отписка!")
    _reply(engine, settings, 2, "А у нас тоже нет", author="vk:99")  # not the author
    ctx = _context(settings)

    report = scan(ctx, ANSWERED + timedelta(days=1))
    assert report.read == 1 and report.not_satisfied == 1 and report.reopened == [incident_id]
    row = _incident(engine, incident_id)
    assert row.status == "reopened"
    with engine.connect() as connection:
        found = incident_reactions(connection, incident_id)
        reopened = connection.execute(select(events).where(events.c.kind == "reopened")).one()
    assert [r["verdict"] for r in found] == ["not_satisfied"]
    assert reopened.payload["by"] == "resident" and reopened.actor == "system"

    again = scan(ctx, ANSWERED + timedelta(days=1))  # nothing new, nothing twice
    assert again.read == 0


def test_satisfied_reply_is_recorded_with_a_model_package(answered, tmp_path):
    settings, engine, incident_id = answered
    texts = ["спасибо всё починили", "спасибо воду дали", "ничего не сделали", "обман отписка"]
    texts += ["а где это", "красивое фото"]
    labels = ["satisfied"] * 2 + ["not_satisfied"] * 2 + ["unclear"] * 2
    save(fit(texts, labels), tmp_path / "m", {"note": "test"})
    settings.satisfaction.model = str(tmp_path / "m")
    settings.satisfaction.min_probability = 0.0
    _reply(engine, settings, 3, "Спасибо, всё починили!")

    report = scan(_context(settings), ANSWERED + timedelta(days=1))
    assert report.satisfied == 1 and report.reopened == []
    assert _incident(engine, incident_id).status == "answered"
    with engine.connect() as connection:
        kinds = connection.execute(select(events.c.kind)).scalars().all()
    assert "reaction_satisfied" in kinds


def test_reactions_outside_the_window_are_not_read(answered):
    settings, engine, incident_id = answered
    _reply(engine, settings, 4, "Ничего не сделали, обман", hours=24 * 30)
    report = scan(_context(settings), ANSWERED + timedelta(days=40))
    assert report.read == 0 and _incident(engine, incident_id).status == "answered"


def test_damaged_package_is_refused(tmp_path):
    save(fit(["да", "нет", "ну"], ["satisfied", "not_satisfied", "unclear"]), tmp_path, {})
    (tmp_path / "arrays.npz").write_bytes(b"broken")
    with pytest.raises(ReactionModelError, match="повреждён"):
        load(tmp_path)


def test_a_new_post_by_the_same_author_about_the_same_problem_is_a_reaction(answered):
    settings, engine, incident_id = answered
    at = (ANSWERED + timedelta(hours=5)).isoformat()
    put(
        engine,
        settings,
        record(
            "vk:-41234567_8813",
            "Воды как не было так и нет, ничего не сделали",
            at=at,
            author="vk:1834",
        ),
    )
    report = scan(_context(settings), ANSWERED + timedelta(days=1))
    assert report.not_satisfied == 1 and report.reopened == [incident_id]
    with engine.connect() as connection:
        [found] = incident_reactions(connection, incident_id)
    assert found["text"].startswith("Воды как не было")
