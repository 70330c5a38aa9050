"""Officer actions: checked against the lifecycle, one transaction each, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from monitor.errors import InputError, NotFound, TransitionError
from monitor.incidents import service
from monitor.store.tables import events, incidents, labels
from tests.helpers import moment, record
from tests.test_grouping import put, store  # noqa: F401  (fixture)

NOW = moment("2026-11-18T12:00:00+03:00")


@pytest.fixture
def incident(store):  # noqa: F811
    settings, engine = store
    incident_id, _ = put(engine, settings, record("vk:1", "Нет воды на Ленина"), risk="medium")
    put(engine, settings, record("vk:2", "Ленина без воды", author="u2"))
    return settings, engine, incident_id


def _row(engine, incident_id):
    with engine.connect() as connection:
        return connection.execute(select(incidents).where(incidents.c.id == incident_id)).one()


def _kinds(engine, incident_id):
    with engine.connect() as connection:
        return (
            connection.execute(
                select(events.c.kind)
                .where(events.c.incident_id == incident_id)
                .order_by(events.c.id)
            )
            .scalars()
            .all()
        )


def test_assign_answer_close(incident):
    settings, engine, incident_id = incident
    service.assign(engine, incident_id, "adm-shebekino", actor="officer", now=NOW)
    service.answer(
        engine,
        incident_id,
        "Бригада выехала",
        interim=True,
        actor="officer",
        now=NOW,
        settings=settings,
    )
    assert _row(engine, incident_id).status == "in_progress"
    service.answer(
        engine, incident_id, "Воду дали", interim=False, actor="officer", now=NOW, settings=settings
    )
    service.close(engine, incident_id, actor="officer", now=NOW)
    row = _row(engine, incident_id)
    assert (row.status, row.first_response_at, row.answered_at) == ("closed", NOW, NOW)
    assert _kinds(engine, incident_id)[-4:] == ["assigned", "interim_answer", "answer", "closed"]


def test_closed_incident_cannot_be_answered(incident):
    settings, engine, incident_id = incident
    service.close(engine, incident_id, actor="officer", now=NOW)
    with pytest.raises(TransitionError, match="закрыт"):
        service.answer(
            engine, incident_id, "поздно", interim=False, actor="o", now=NOW, settings=settings
        )
    assert _kinds(engine, incident_id)[-1] == "closed"


def test_unknown_recipient_or_incident_is_a_clear_error(incident):
    settings, engine, incident_id = incident
    with pytest.raises(NotFound, match="Получатель не найден"):
        service.assign(engine, incident_id, "nobody", actor="o", now=NOW)
    with pytest.raises(NotFound, match="Инцидент 999"):
        service.close(engine, 999, actor="o", now=NOW)
    with pytest.raises(InputError):
        service.answer(
            engine, incident_id, "  ", interim=True, actor="o", now=NOW, settings=settings
        )


def test_reject_turns_posts_into_negative_labels(incident):
    settings, engine, incident_id = incident
    service.reject(engine, incident_id, actor="officer", now=NOW, reason="реклама")
    with engine.connect() as connection:
        rows = connection.execute(select(labels.c.relevant, labels.c.actor)).all()
    assert rows == [(False, "officer"), (False, "officer")]
    assert _row(engine, incident_id).status == "rejected"


def test_reclassify_risk_recomputes_deadlines_and_labels(incident):
    settings, engine, incident_id = incident
    before = _row(engine, incident_id)
    changes = service.reclassify(
        engine, settings, incident_id, actor="officer", now=NOW, risk="critical", sector="energy"
    )
    after = _row(engine, incident_id)
    assert (after.risk, after.sector, after.risk_rank) == ("critical", "energy", 3)
    assert after.first_response_due < before.first_response_due
    assert set(changes) >= {"risk", "sector", "deadlines", "recipient"}
    with engine.connect() as connection:
        assert connection.execute(select(labels.c.sector, labels.c.risk)).all() == [
            ("energy", "critical"),
            ("energy", "critical"),
        ]
    with pytest.raises(InputError, match="Неизвестный сектор"):
        service.reclassify(engine, settings, incident_id, actor="o", now=NOW, sector="space")
