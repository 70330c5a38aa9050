"""`otklik tick`: overdue, escalation one level per missed deadline, idempotent, queued notices."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sla_helpers import (
    add_incident,
    config_file,
    event_kinds,
    incident,
    make_context,
    make_settings,
    msk,
    snapshot,
    stored_notifications,
)
from sqlalchemy import event, update
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from monitor.cli import app
from monitor.incidents import deadlines, pausing
from monitor.incidents.audit import incident_history
from monitor.incidents.deadlines import TickReport, tick
from monitor.store.tables import incidents

EMAIL_ON = {"enabled": True, "host": "127.0.0.1", "port": 1}
REGISTERED = msk("2025-10-31 16:00")  # Friday; high risk is due Saturday 1 November 11:00


@pytest.fixture
def ctx(db_url):
    context = make_context(make_settings(db_url))
    yield context
    context.engine.dispose()


def _answer(ctx, incident_id, **values):
    with ctx.db.begin() as connection:
        connection.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))


def test_overdue_then_one_level_per_missed_deadline(ctx):
    incident_id = add_incident(ctx.db, ctx.settings, registered_at=REGISTERED)
    assert incident(ctx.db, incident_id).first_response_due == msk("2025-11-01 11:00")

    assert tick(ctx, msk("2025-11-01 10:59")) == TickReport(checked=1)
    assert not incident(ctx.db, incident_id).overdue

    report = tick(ctx, msk("2025-11-01 11:01"))
    assert (report.overdue_marked, report.escalations) == (1, 1)
    row = incident(ctx.db, incident_id)
    assert (row.overdue, row.escalation_level) == (True, 1)
    escalated = [e for e in incident_history_of(ctx, incident_id) if e["kind"] == "escalated"]
    assert escalated[0]["payload"]["to"] == "curator-infra"  # the curator of roads
    assert escalated[0]["payload"]["missed"] == "first_response"

    # The curator level has 4 working hours: until 15:00 on the working Saturday.
    tick(ctx, msk("2025-11-01 14:59"))
    assert incident(ctx.db, incident_id).escalation_level == 1
    report = tick(ctx, msk("2025-11-01 15:01"))
    assert report.escalations == 1
    assert incident(ctx.db, incident_id).escalation_level == 2
    last = [e for e in incident_history_of(ctx, incident_id) if e["kind"] == "escalated"][-1]
    assert last["payload"]["to"] == "centre"
    assert datetime.fromisoformat(last["payload"]["due"]) == msk("2025-11-01 15:00")

    # No level above the regional centre.
    tick(ctx, msk("2025-12-20 12:00"))
    assert incident(ctx.db, incident_id).escalation_level == 2


def incident_history_of(ctx, incident_id):
    with ctx.db.connect() as connection:
        return incident_history(connection, incident_id)


def test_running_twice_at_the_same_moment_changes_nothing(ctx):
    ctx.settings.notify.email = ctx.settings.notify.email.model_validate(EMAIL_ON)
    for _ in range(3):
        add_incident(ctx.db, ctx.settings, registered_at=REGISTERED)
    add_incident(ctx.db, ctx.settings, registered_at=REGISTERED, risk="critical")
    moment = msk("2025-11-01 15:30")
    first = tick(ctx, moment)
    assert first.escalations == 8 and first.notifications_queued > 0
    before = snapshot(ctx.db)
    second = tick(ctx, moment)
    assert second == TickReport(checked=4)
    assert snapshot(ctx.db) == before


def test_one_late_tick_reaches_the_same_state_as_many(db_url, tmp_path):
    stepwise = make_context(make_settings(db_url))
    one = add_incident(stepwise.db, stepwise.settings, registered_at=REGISTERED)
    two = add_incident(stepwise.db, stepwise.settings, registered_at=REGISTERED)
    for hour in range(9, 17):
        tick(stepwise, msk(f"2025-11-01 {hour:02d}:30"))
    # Put the second incident back as if no tick had run, then catch up in one go.
    _answer(stepwise, two, overdue=False, escalation_level=0)
    tick(stepwise, msk("2025-11-01 16:30"))
    first, second = incident(stepwise.db, one), incident(stepwise.db, two)
    assert (first.overdue, first.escalation_level) == (second.overdue, second.escalation_level)
    assert second.escalation_level == 2
    stepwise.engine.dispose()


def test_late_first_response_then_missed_final_answer(ctx):
    incident_id = add_incident(ctx.db, ctx.settings, registered_at=REGISTERED)
    tick(ctx, msk("2025-11-01 11:30"))
    _answer(ctx, incident_id, status="in_progress", first_response_at=msk("2025-11-01 12:00"))
    report = tick(ctx, msk("2025-11-01 16:00"))
    assert report.overdue_cleared == 1
    row = incident(ctx.db, incident_id)
    assert (row.overdue, row.escalation_level) == (False, 1)
    tick(ctx, row.final_answer_due + timedelta(minutes=1))
    row = incident(ctx.db, incident_id)
    assert (row.overdue, row.escalation_level) == (True, 2)
    assert event_kinds(ctx.db, incident_id).count("escalated") == 2
    assert event_kinds(ctx.db, incident_id).count("overdue") == 2


def test_answered_on_time_is_never_escalated(ctx):
    incident_id = add_incident(ctx.db, ctx.settings, registered_at=REGISTERED)
    _answer(ctx, incident_id, status="in_progress", first_response_at=msk("2025-11-01 10:00"))
    tick(ctx, msk("2025-11-01 18:00"))
    row = incident(ctx.db, incident_id)
    assert (row.overdue, row.escalation_level) == (False, 0)


def test_waiting_incident_is_not_overdue_and_resumes_with_time_left(ctx):
    incident_id = add_incident(ctx.db, ctx.settings, registered_at=REGISTERED)
    pausing.pause(ctx.db, incident_id, actor="officer", now=msk("2025-11-01 10:00"))
    assert tick(ctx, msk("2025-11-01 12:00")).overdue_marked == 0
    assert not incident(ctx.db, incident_id).overdue
    pausing.resume(ctx.db, ctx.settings, incident_id, actor="officer", now=msk("2025-11-05 10:00"))
    assert incident(ctx.db, incident_id).first_response_due == msk("2025-11-05 11:00")
    tick(ctx, msk("2025-11-05 10:59"))
    assert not incident(ctx.db, incident_id).overdue
    tick(ctx, msk("2025-11-05 11:01"))
    assert incident(ctx.db, incident_id).overdue


def test_notifications_queued_once_each(ctx):
    ctx.settings.notify.email = ctx.settings.notify.email.model_validate(EMAIL_ON)
    incident_id = add_incident(ctx.db, ctx.settings, registered_at=REGISTERED)
    for moment in ("2025-10-31 16:05", "2025-11-01 10:15", "2025-11-01 10:20", "2025-11-01 11:05"):
        tick(ctx, msk(moment))
        tick(ctx, msk(moment))
    kinds = [(n.kind, n.address) for n in stored_notifications(ctx.db, incident_id=incident_id)]
    assert kinds == [
        ("assigned", "mindor@example.ru"),
        ("reminder", "mindor@example.ru"),
        ("overdue", "mindor@example.ru"),
        ("escalation", "curator-infra@example.ru"),
    ]
    # One digest a working day: Friday 31 October and the working Saturday 1 November.
    digests = stored_notifications(ctx.db, kind="digest")
    assert [n.dedup_key for n in digests] == [
        "digest:mindor:2025-10-31:email",
        "digest:mindor:2025-11-01:email",
    ]
    reminder = stored_notifications(ctx.db, kind="reminder")[0]
    assert "01.11.2025 11:00" in reminder.subject
    assert "45 мин" in reminder.body


def test_critical_incident_is_announced_at_once_to_recipient_and_centre(ctx):
    ctx.settings.notify.email = ctx.settings.notify.email.model_validate(EMAIL_ON)
    incident_id = add_incident(
        ctx.db, ctx.settings, registered_at=msk("2025-11-02 03:00"), risk="critical"
    )
    tick(ctx, msk("2025-11-02 03:01"))
    critical = stored_notifications(ctx.db, incident_id=incident_id, kind="critical")
    assert sorted(n.address for n in critical) == ["centre@example.ru", "mindor@example.ru"]
    assert critical[0].subject.startswith("КРИТИЧЕСКИЙ инцидент")
    # Sunday night counts for critical: overdue at 04:01, not on Wednesday.
    tick(ctx, msk("2025-11-02 04:01"))
    assert incident(ctx.db, incident_id).overdue


def test_cli_tick_pause_resume(sqlite_url, tmp_path):
    runner = CliRunner()
    settings = make_settings(sqlite_url)
    context = make_context(settings)
    incident_id = add_incident(context.db, settings, registered_at=REGISTERED)
    context.engine.dispose()
    common = ["--config", str(config_file(tmp_path, sqlite_url)), "--database", sqlite_url]

    result = runner.invoke(app, ["tick", "--now", "2025-11-01T11:30:00+03:00", *common])
    assert result.exit_code == 0, result.output
    assert "эскалаций: 1" in result.output
    result = runner.invoke(app, ["tick", "--now", "2025-11-01T11:30:00+03:00", *common])
    assert "эскалаций: 0" in result.output

    pause = ["incident", "pause", str(incident_id), "--reason", "ждём автора"]
    result = runner.invoke(app, [*pause, "--now", "2025-11-01T12:00:00+03:00", *common])
    assert result.exit_code == 0, result.output
    assert "ожидает" in result.output
    resume = ["incident", "resume", str(incident_id)]
    result = runner.invoke(app, [*resume, "--now", "2025-11-05T12:00:00+03:00", *common])
    assert result.exit_code == 0, result.output
    assert "возобновлён" in result.output
    result = runner.invoke(app, [*resume, "--now", "2025-11-05T12:00:00+03:00", *common])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)


def test_concurrent_ticks_escalate_once(db_url):
    settings = make_settings(db_url, email={"enabled": True})
    contexts = [make_context(settings), make_context(settings)]
    for _ in range(20):
        add_incident(contexts[0].db, settings, registered_at=REGISTERED)
    moment = msk("2025-11-01 15:30")
    errors: list[Exception] = []

    def run(context):
        try:
            tick(context, moment)
        except OperationalError as exc:  # SQLite: the later writer gives up; the next tick runs
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(context,)) for context in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) <= (1 if db_url.startswith("sqlite") else 0)
    tick(contexts[0], moment)  # and a third, after both
    kinds = event_kinds(contexts[0].db)
    assert kinds.count("escalated") == 40
    assert kinds.count("overdue") == 20
    notices = stored_notifications(contexts[0].db, kind="escalation")
    assert len(notices) == 40
    for context in contexts:
        context.engine.dispose()


def test_a_tick_writes_in_chunks_and_a_failed_one_keeps_what_it_finished(db_url, monkeypatch):
    """A tick that fails half way keeps the chunks it committed, and the next tick does the
    rest exactly once."""
    settings = make_settings(db_url, email={"enabled": True})
    ctx = make_context(settings)
    ids = [add_incident(ctx.db, settings, registered_at=REGISTERED) for _ in range(12)]
    monkeypatch.setattr(deadlines, "TICK_CHUNK", 5)
    original = deadlines._decide

    def failing(settings, incident, *rest):
        if incident.id == ids[7]:
            raise RuntimeError("сбой посреди проверки")
        return original(settings, incident, *rest)

    monkeypatch.setattr(deadlines, "_decide", failing)
    moment = msk("2025-11-01 15:30")
    with pytest.raises(RuntimeError):
        tick(ctx, moment)
    marked = [incident(ctx.db, i).overdue for i in ids]
    assert marked == [True] * 5 + [False] * 7  # the first chunk stayed, the failed one did not

    monkeypatch.setattr(deadlines, "_decide", original)
    commits: list[int] = []
    event.listen(ctx.engine, "commit", lambda _connection: commits.append(1))
    report = tick(ctx, moment)
    assert (report.checked, report.overdue_marked, report.escalations) == (12, 7, 14)
    assert len(commits) == 3 + 1  # three chunks of at most five, then the digests
    assert all(incident(ctx.db, i).overdue for i in ids)
    kinds = event_kinds(ctx.db)
    assert (kinds.count("overdue"), kinds.count("escalated")) == (12, 24)
    keys = [n.dedup_key for n in stored_notifications(ctx.db)]
    assert len(keys) == len(set(keys))
    assert len(stored_notifications(ctx.db, kind="escalation")) == 24
    ctx.engine.dispose()


def test_a_tick_only_writes_inside_its_write_transactions(db_url, monkeypatch):
    """Reads and rendering happen before a chunk's transaction: on SQLite, where the write
    lock is held from the first write to the commit, another writer waits only for writes."""
    settings = make_settings(db_url, email={"enabled": True})
    ctx = make_context(settings)
    for _ in range(12):
        add_incident(ctx.db, settings, registered_at=REGISTERED)
    monkeypatch.setattr(deadlines, "TICK_CHUNK", 5)
    transactions: list[list[str]] = []
    writing: dict[int, list[str]] = {}

    @event.listens_for(ctx.engine, "before_cursor_execute")
    def statement(connection, cursor, text, parameters, context, executemany):
        verb = text.lstrip().split(None, 1)[0].upper()
        if verb != "SELECT" or id(connection) in writing:
            writing.setdefault(id(connection), []).append(verb)

    @event.listens_for(ctx.engine, "commit")
    def commit(connection):
        if id(connection) in writing:
            transactions.append(writing.pop(id(connection)))

    report = tick(ctx, msk("2025-11-01 15:30"))
    assert report.overdue_marked == 12 and report.notifications_queued > 0
    assert len(transactions) == 3 + 1  # three chunks, then the digests
    for verbs in transactions:
        assert set(verbs) <= {"UPDATE", "INSERT"}, verbs
    assert sum(verbs.count("UPDATE") for verbs in transactions) == 12
    ctx.engine.dispose()
