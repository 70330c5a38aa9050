"""Deadline rules, pauses, recomputation and the on-time share."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sla_helpers import add_incident, event_kinds, incident, make_settings, msk
from sqlalchemy import update

from monitor.context import Context
from monitor.errors import TransitionError
from monitor.incidents import pausing, sla
from monitor.incidents.calendar import calendar_for
from monitor.incidents.ontime import OnTime, on_time_share
from monitor.store.tables import incidents

H = timedelta(hours=1)


@pytest.fixture
def settings():
    return make_settings("sqlite://")


def test_default_rules_by_risk(settings):
    rules = {
        risk: sla.rule_for(settings, risk=risk, sector="roads", recipient_code="mindor")
        for risk in ("critical", "high", "medium", "low")
    }
    assert rules["critical"] == sla.DeadlineRule(1 * H, True, 7)
    assert [rules[r].first_response for r in ("high", "medium", "low")] == [4 * H, 8 * H, 24 * H]
    assert not rules["low"].around_the_clock


def test_most_specific_override_wins():
    settings = make_settings(
        "sqlite://",
        sla={
            "overrides": [
                {"sector": "roads", "first_response_hours": 6},
                {"sector": "roads", "risk": "high", "first_response_hours": 3},
                {"recipient": "mindor", "final_answer_working_days": 10},
                {"recipient": "mindor", "sector": "roads", "first_response_hours": 2},
                {"recipient": "mchs", "around_the_clock": True},
            ]
        },
    )
    rule = sla.rule_for(settings, risk="high", sector="roads", recipient_code="mindor")
    assert rule == sla.DeadlineRule(2 * H, False, 10)
    rule = sla.rule_for(settings, risk="high", sector="roads", recipient_code="minzhkh")
    assert rule.first_response == 3 * H
    rule = sla.rule_for(settings, risk="low", sector="roads", recipient_code=None)
    assert rule.first_response == 6 * H
    assert sla.rule_for(
        settings, risk="low", sector="safety", recipient_code="mchs"
    ).around_the_clock


def test_shipped_sector_override(settings):
    rule = sla.rule_for(settings, risk="high", sector="safety", recipient_code="mchs")
    assert rule.first_response == 2 * H


def test_critical_counts_around_the_clock_and_final_in_working_days(settings):
    first, final = sla.initial_deadlines(
        settings,
        risk="critical",
        sector="safety",
        recipient_code="mchs",
        registered_at=msk("2025-11-02 03:00"),  # Sunday night before two days off
    )
    assert first == msk("2025-11-02 04:00")
    assert final == msk("2025-11-13 18:00")  # 7 working days from Wednesday 5 November
    assert calendar_for(settings).between(first, final) == 63 * H


def test_high_risk_deadlines_on_the_calendar(settings):
    first, final = sla.initial_deadlines(
        settings,
        risk="high",
        sector="roads",
        recipient_code="mindor",
        registered_at=msk("2025-10-31 16:00"),
    )
    assert first == msk("2025-11-01 11:00")
    assert calendar_for(settings).between(first, final) == 63 * H


def test_pauses_stop_the_clock(settings):
    calendar = calendar_for(settings)
    start = msk("2025-10-27 09:00")
    # Two working hours paused in the middle of the day move the deadline by two hours.
    pauses = [(msk("2025-10-27 10:00"), msk("2025-10-27 12:00"))]
    assert sla.add_active(calendar, start, 4 * H, pauses) == msk("2025-10-27 15:00")
    # A pause over the weekend costs no working time.
    weekend = [(msk("2025-10-25 10:00"), msk("2025-10-26 20:00"))]
    assert sla.add_active(calendar, start, 4 * H, weekend) == msk("2025-10-27 13:00")
    # A pause that begins after the deadline changes nothing.
    late = [(msk("2025-10-27 14:00"), msk("2025-10-28 14:00"))]
    assert sla.add_active(calendar, start, 4 * H, late) == msk("2025-10-27 13:00")
    # A pause that started before the clock: counting begins when it ends.
    before = [(msk("2025-10-27 08:00"), msk("2025-10-27 11:00"))]
    assert sla.add_active(calendar, start, 4 * H, before) == msk("2025-10-27 15:00")
    # An open pause is taken to end now.
    still = [(msk("2025-10-27 10:00"), None)]
    assert sla.add_active(calendar, start, 4 * H, still, now=msk("2025-10-27 11:00")) == msk(
        "2025-10-27 14:00"
    )


def test_pause_and_resume_move_deadlines(db_url):
    settings = make_settings(db_url)
    engine = Context(settings=settings).db
    incident_id = add_incident(engine, settings, registered_at=msk("2025-10-27 09:00"))
    before = incident(engine, incident_id)
    assert before.first_response_due == msk("2025-10-27 13:00")

    pausing.pause(engine, incident_id, actor="officer", now=msk("2025-10-27 10:00"), reason="автор")
    waiting = incident(engine, incident_id)
    assert (waiting.status, waiting.paused_at) == ("waiting", msk("2025-10-27 10:00"))
    with pytest.raises(TransitionError):
        pausing.pause(engine, incident_id, actor="officer", now=msk("2025-10-27 10:30"))

    values = pausing.resume(
        engine, settings, incident_id, actor="officer", now=msk("2025-10-28 10:00")
    )
    after = incident(engine, incident_id)
    assert after.status == "assigned"
    assert after.paused_at is None
    assert after.paused_seconds == 24 * 3600
    assert after.first_response_due == msk("2025-10-28 13:00")  # 9 working hours later
    assert calendar_for(settings).between(before.final_answer_due, after.final_answer_due) == 9 * H
    assert values["first_response_due"] == after.first_response_due
    assert event_kinds(engine, incident_id)[-2:] == ["paused", "resumed"]
    with pytest.raises(TransitionError):
        pausing.resume(engine, settings, incident_id, actor="officer", now=msk("2025-10-28 11:00"))
    engine.dispose()


def test_recompute_after_reclassification_keeps_the_pauses(db_url):
    settings = make_settings(db_url)
    engine = Context(settings=settings).db
    incident_id = add_incident(engine, settings, registered_at=msk("2025-10-27 09:00"), risk="low")
    pausing.pause(engine, incident_id, actor="officer", now=msk("2025-10-27 10:00"))
    pausing.resume(engine, settings, incident_id, actor="officer", now=msk("2025-10-27 12:00"))
    with engine.begin() as connection:
        row = connection.execute(incidents.select().where(incidents.c.id == incident_id)).one()
        values = sla.recomputed_deadlines(
            connection, settings, row, risk="medium", now=msk("2025-10-27 13:00")
        )
    # 8 working hours from 09:00 with two hours paused: 19:00 is past the day, so 10:00 next.
    assert values["first_response_due"] == msk("2025-10-28 10:00")
    engine.dispose()


def _set(engine, incident_id, **values):
    with engine.begin() as connection:
        connection.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))


def test_on_time_share(db_url):
    settings = make_settings(db_url)
    engine = Context(settings=settings).db
    registered = msk("2025-10-27 09:00")  # high: first response by 13:00
    on_time = add_incident(engine, settings, registered_at=registered)
    late = add_incident(engine, settings, registered_at=registered)
    open_overdue = add_incident(engine, settings, registered_at=registered)
    open_fine = add_incident(engine, settings, registered_at=registered, risk="low")
    waiting_before = add_incident(engine, settings, registered_at=registered)
    waiting_after = add_incident(engine, settings, registered_at=registered)
    other = add_incident(
        engine, settings, registered_at=registered, recipient="minzhkh", sector="housing"
    )
    _set(
        engine,
        on_time,
        status="answered",
        first_response_at=msk("2025-10-27 12:00"),
        answered_at=msk("2025-10-28 12:00"),
    )
    _set(
        engine,
        late,
        status="closed",
        first_response_at=msk("2025-10-27 15:00"),
        answered_at=msk("2025-10-28 12:00"),
    )
    _set(engine, waiting_before, status="waiting", paused_at=msk("2025-10-27 11:00"))
    _set(engine, waiting_after, status="waiting", paused_at=msk("2025-10-27 14:00"))
    _set(engine, other, status="rejected")
    now = msk("2025-10-27 17:00")
    with engine.connect() as connection:
        total = on_time_share(connection, now=now)
        by_recipient = on_time_share(connection, now=now, by=incidents.c.recipient_id)
        chosen = on_time_share(
            connection, now=now, where=[incidents.c.id.in_([on_time, open_overdue, open_fine])]
        )
    # The waiting incident paused after its deadline counts; the one paused before does not.
    assert total == OnTime(on_time=1, answered=2, open_overdue=2)
    assert total.share == pytest.approx(1 / 4)
    assert chosen == OnTime(on_time=1, answered=1, open_overdue=1)
    assert by_recipient[incident(engine, on_time).recipient_id] == total
    assert by_recipient[incident(engine, other).recipient_id].share is None  # only rejected
    assert OnTime().share is None
    engine.dispose()
