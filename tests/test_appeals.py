"""`otklik import appeals`: real timelines, idempotent, changed records update their incident."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from monitor.appeals.importer import import_appeals, recipient_code_for
from monitor.context import Context
from monitor.errors import InputError
from monitor.incidents.calendar import calendar_for
from monitor.store.tables import appeals, events, incidents, posts, reactions, recipients
from tests.conftest import CONFIG
from tests.helpers import moment, run_cli

MSK = ZoneInfo("Europe/Moscow")
NOW = moment("2021-05-01T12:00:00+03:00")
BODY = "СПб ГКУ ЖА Центрального района"


def appeal(number: int, answers=(), followups=(), outcome="open", **extra) -> dict:
    """A record in the spb_portal.jsonl shape."""
    return {
        "id": f"spb-{number}",
        "source": "spb_portal",
        "text": f"Не убран мусор во дворе, дом {number}",
        "relevant": True,
        "sector": "waste",
        "risk": None,
        "category": "Благоустройство",
        "reason": "Мусор",
        "district": "Центральный",
        "address": f"Невский, {number}",
        "lat": "59.9",
        "lon": "30.3",
        "published_at": "2020-11-02T10:00:00.000001",
        "answers": [
            {"at": at, "kind": kind, "by": by, "text": "Ответ"} for at, kind, by in answers
        ],
        "followups": [{"at": at, "text": text} for at, text in followups],
        "outcome": outcome,
        **extra,
    }


RECORDS = [
    appeal(
        1,
        [("2020-11-02T15:00:00", "interim", "Комитет"), ("2020-11-05T11:00:00", "answer", BODY)],
        outcome="satisfied",
    ),
    appeal(
        2,
        [("2020-11-03T10:00:00", "answer", BODY), ("2020-11-09T10:00:00", "answer", BODY)],
        [("2020-11-04T20:00:00", "Мусор как лежал, так и лежит")],
    ),
    appeal(3, [("2020-11-03T10:00:00", "answer", BODY)], [("2020-11-04T20:00:00", "Обман")]),
    appeal(4),
]


def write(path, records) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )


@pytest.fixture
def ctx(db_url):
    context = Context.open(CONFIG, db_url)
    yield context
    context.engine.dispose()


def _incident(connection, external_id):
    incident_id = connection.execute(
        select(appeals.c.incident_id).where(appeals.c.external_id == external_id)
    ).scalar_one()
    return connection.execute(select(incidents).where(incidents.c.id == incident_id)).one()


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MSK)


def test_timelines_are_imported_as_incidents(ctx, tmp_path):
    path = tmp_path / "appeals.jsonl"
    write(path, RECORDS)
    report = import_appeals(ctx, path, now=NOW)
    assert (report.read, report.new, report.updated, report.unchanged) == (4, 4, 0, 0)
    assert len(report.recipients_created) == 1  # the body of the last answer

    with ctx.db.connect() as connection:
        first = _incident(connection, "spb-1")
        assert first.status == "closed" and first.territory == "Центральный"
        assert first.created_at == _local("2020-11-02T10:00:00.000001")
        assert first.first_response_at == _local("2020-11-02T15:00:00")
        assert first.answered_at == _local("2020-11-05T11:00:00")
        body = connection.execute(
            select(recipients).where(recipients.c.id == first.recipient_id)
        ).one()
        assert body.name == BODY and body.kind == "imported" and body.code.startswith("imp-")
        verdicts = (
            connection.execute(
                select(reactions.c.verdict).where(reactions.c.incident_id == first.id)
            )
            .scalars()
            .all()
        )
        assert verdicts == ["satisfied"]

        second = _incident(connection, "spb-2")  # answered again after the follow-up
        assert second.status == "answered" and second.answered_at == _local("2020-11-09T10:00:00")
        kinds = (
            connection.execute(
                select(events.c.kind).where(events.c.incident_id == second.id).order_by(events.c.at)
            )
            .scalars()
            .all()
        )
        assert kinds == ["imported", "answer", "reaction_not_satisfied", "reopened", "answer"]

        third = _incident(connection, "spb-3")  # still reopened: its own deadline
        assert third.status == "reopened" and third.answered_at is None
        due = calendar_for(ctx.settings).add_days(_local("2020-11-04T20:00:00"), 3)
        assert third.final_answer_due == due

        fourth = _incident(connection, "spb-4")
        assert fourth.status == "assigned" and fourth.first_response_at is None
        centre = connection.execute(
            select(recipients.c.code).where(recipients.c.id == fourth.recipient_id)
        ).scalar()
        assert centre == ctx.settings.routing.fallback


def _counts(ctx):
    with ctx.db.connect() as connection:
        return tuple(
            connection.execute(select(func.count()).select_from(table)).scalar()
            for table in (incidents, posts, events, reactions, appeals, recipients)
        )


def test_importing_twice_stores_nothing_twice_and_changes_update(ctx, tmp_path):
    path = tmp_path / "appeals.jsonl"
    write(path, RECORDS)
    import_appeals(ctx, path, now=NOW)
    before = _counts(ctx)
    again = import_appeals(ctx, path, now=NOW)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    assert _counts(ctx) == before

    changed = list(RECORDS)
    changed[3] = appeal(4, [("2020-11-10T10:00:00", "answer", "Новый орган")], outcome="satisfied")
    write(path, changed)
    report = import_appeals(ctx, path, now=NOW)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 3)
    with ctx.db.connect() as connection:
        fourth = _incident(connection, "spb-4")
        assert fourth.status == "closed"
        kinds = (
            connection.execute(
                select(events.c.kind).where(events.c.incident_id == fourth.id).order_by(events.c.at)
            )
            .scalars()
            .all()
        )
        assert kinds == ["imported", "answer", "reaction_satisfied", "closed"]
    after = _counts(ctx)
    assert after[0] == before[0] and after[1] == before[1]  # same incidents and posts


def test_bad_records_stop_the_import_or_are_skipped(ctx, tmp_path):
    path = tmp_path / "appeals.jsonl"
    bad = dict(RECORDS[0], answers=[{"at": "вчера", "kind": "answer", "by": "x", "text": "t"}])
    write(path, [RECORDS[1], bad])
    with pytest.raises(InputError, match="строка 2.*неверная дата"):
        import_appeals(ctx, path, now=NOW)
    assert _counts(ctx)[0] == 0
    report = import_appeals(ctx, path, now=NOW, skip_bad=True)
    assert (report.new, report.skipped) == (1, 1)


def test_cli_import(ctx, tmp_path, capsys):
    path = tmp_path / "appeals.jsonl"
    write(path, RECORDS)
    args = ("import", "appeals", str(path), "--config", str(CONFIG))
    result = run_cli(capsys, *args, "--database", ctx.settings.database.url)
    assert result.code == 0, result.err
    assert "новых: 4" in result.out


def test_recipient_codes_are_readable_and_unique():
    assert recipient_code_for("Администрация Выборгского района", set()) == (
        "imp-administratsiya-vyborgskogo-rayona"
    )
    assert recipient_code_for("Комитет", {"imp-komitet"}) == "imp-komitet-2"


def test_ratings_gain_satisfaction_reopened_and_fixes_that_held(ctx, tmp_path):
    from datetime import date

    from monitor.analytics.period import Period
    from monitor.analytics.ratings import recipient_ratings

    path = tmp_path / "appeals.jsonl"
    write(path, RECORDS)
    import_appeals(ctx, path, now=NOW)
    period = Period(date(2020, 11, 1), date(2020, 11, 30), "Europe/Moscow")
    with ctx.db.connect() as connection:
        rows = {r.name: r for r in recipient_ratings(connection, period, now=NOW)}
    body = rows[BODY]
    assert body.incidents == 3
    assert (body.with_reaction, body.satisfied) == (3, 1)  # 1 confirmed; 2 and 3 disputed
    assert body.satisfaction_share == pytest.approx(1 / 3)
    assert (body.reopened, body.reopened_share) == (2, pytest.approx(2 / 3))
    # Held: #1 (73 h to its answer) and #2 (answered again after the dispute, 168 h).
    assert body.fixes_held == 2 and body.median_fix_hours == pytest.approx(120.5)
    centre = next(r for r in rows.values() if r.code == ctx.settings.routing.fallback)
    assert centre.satisfaction_share is None and centre.reopened_share is None
