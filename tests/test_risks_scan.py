"""A scan over stored posts and their reach history: risks saved once, notified once, acted on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from monitor.context import Context
from monitor.errors import InputError, NotFound, TransitionError
from monitor.incidents.routing import sync_recipients
from monitor.risks import actions
from monitor.risks.scan import scan
from monitor.risks.store import dismissal_labels, get_risk, list_risks
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import events, incidents, notifications, recipients
from tests.conftest import CONFIG
from tests.helpers import record, run_cli

T0 = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=7)
STORY = (
    "Срочно! В Шебекино с завтрашнего дня отключат горячую воду на три недели во всех домах "
    "микрорайона Северный, управляющая компания молчит"
)
STEADY = (50, 80, 95, 100, 102, 103)  # views per hundred at 1..6 hours: the usual shape


def _store(ctx: Context, source: str, records, at: datetime) -> None:
    with ctx.db.begin() as connection:
        source_id = ensure_source(connection, source, "vk")
        store_posts(connection, source_id, records, collected_at=at)


def _post(key: str, views: int, minutes: int = 0, text: str | None = None):
    published = (T0 + timedelta(minutes=minutes)).isoformat()
    return record(key, text or f"Обычная новость номер {key}", at=published, views=views)


@pytest.fixture
def ctx(db_url):
    """The shipped config on the test database, email on, the centre with an address."""
    context = Context.open(CONFIG, db_url)
    context.settings.notify.email.enabled = True
    context.settings.notify.web_base_url = "https://otklik.example"
    with context.db.begin() as connection:
        sync_recipients(connection, context.settings)
        connection.execute(
            update(recipients).where(recipients.c.code == "centre").values(email="cur@example.ru")
        )
    yield context
    context.engine.dispose()


@pytest.fixture
def region(ctx):
    """Two sources of 25 steady posts read hourly; one post that takes off; one story in 4."""
    for hour, share in enumerate(STEADY, start=1):
        at = T0 + timedelta(hours=hour)
        _store(ctx, "small", [_post(f"s{n}", 3 * share) for n in range(25)], at)
        _store(ctx, "big", [_post(f"b{n}", 900 * share) for n in range(25)], at)
        burst = {1: 150, 2: 240, 3: 6000, 4: 14000, 5: 15000, 6: 15100}[hour]
        _store(ctx, "small", [_post("fire", burst, text="Пожар на складе у рынка, дым")], at)
    for number, minutes in enumerate((30, 50, 80, 110)):
        at = T0 + timedelta(minutes=minutes + 5)
        _store(ctx, f"group{number}", [_post(f"copy{number}", 10, minutes, STORY)], at)
    return ctx


def test_a_scan_finds_the_spread_and_the_copies_and_saves_each_once(region):
    first = scan(region, NOW)
    assert first.found["spread"] == 1 and first.found["copies"] == 1
    with region.db.connect() as connection:
        risks = {risk["kind"]: risk for risk in list_risks(connection)}
        spread = get_risk(connection, risks["spread"]["id"])
        copies = get_risk(connection, risks["copies"]["id"])
    assert spread["posts"][0]["external_id"] == "fire"
    assert "просмотры ×" in spread["reason"] and "быстрее обычного" in spread["reason"]
    assert spread["score"] >= 50
    assert copies["sources_count"] == 4 and copies["posts_count"] == 4
    assert copies["reason"].startswith("та же история в 4 источниках за 1 ч 20 мин")
    again = scan(region, NOW + timedelta(minutes=15))
    assert (again.new, again.updated) == (0, first.new)
    with region.db.connect() as connection:
        assert len(list_risks(connection, status=None)) == first.new


def test_a_risk_over_the_level_is_notified_once(region):
    region.settings.risks.notify_score = 50
    scan(region, NOW)
    scan(region, NOW + timedelta(minutes=30))
    with region.db.connect() as connection:
        sent = connection.execute(
            select(notifications).where(notifications.c.kind == "info_risk")
        ).all()
    assert len(sent) == 2  # the spread and the copies, once each, by email to the centre
    assert {row.address for row in sent} == {"cur@example.ru"}
    body = next(row.body for row in sent if "быстрее обычного" in row.body)
    assert "https://otklik.example/risks/" in body
    assert all(row.subject.startswith("Информационный риск №") for row in sent)


def test_only_risks_at_or_over_the_level_are_notified(region):
    region.settings.risks.notify_score = 75
    scan(region, NOW)
    with region.db.connect() as connection:
        scores = {r["kind"]: r["score"] for r in list_risks(connection)}
        sent = connection.execute(select(notifications.c.subject)).scalars().all()
    assert scores["copies"] < 75 <= scores["spread"]
    assert len(sent) == 1 and "быстрое распространение" in sent[0]


def test_handle_dismiss_link_and_create_an_incident(region):
    scan(region, NOW)
    engine, settings = region.db, region.settings
    with engine.connect() as connection:
        by_kind = {risk["kind"]: risk["id"] for risk in list_risks(connection)}
    with pytest.raises(InputError, match="заметка обязательна"):
        actions.handle(engine, by_kind["spread"], "  ", actor="ivanova", now=NOW)
    actions.handle(engine, by_kind["spread"], "Опровержение", actor="ivanova", now=NOW)
    with pytest.raises(TransitionError, match="уже отработан"):
        actions.dismiss(engine, by_kind["spread"], None, actor="ivanova", now=NOW)
    with pytest.raises(InputError, match="укажите сектор"):
        actions.open_incident(engine, settings, by_kind["copies"], actor="ivanova", now=NOW)
    incident_id = actions.open_incident(
        engine, settings, by_kind["copies"], actor="ivanova", now=NOW, sector="housing"
    )
    with pytest.raises(TransitionError, match="уже связан"):
        actions.open_incident(engine, settings, by_kind["copies"], actor="ivanova", now=NOW)
    with pytest.raises(NotFound):
        actions.link(engine, by_kind["spread"], 999, actor="ivanova", now=NOW)
    actions.link(engine, by_kind["spread"], incident_id, actor="ivanova", now=NOW)
    actions.dismiss(engine, by_kind["copies"], "Учения", actor="petrov", now=NOW)
    with engine.connect() as connection:
        spread = get_risk(connection, by_kind["spread"])
        incident = connection.execute(select(incidents).where(incidents.c.id == incident_id)).one()
        kinds = connection.execute(
            select(events.c.kind).where(events.c.incident_id == incident_id)
        ).scalars()
        labels = dismissal_labels(connection)
    assert (spread["status"], spread["note"], spread["incident_id"]) == (
        "handled",
        "Опровержение",
        incident_id,
    )
    assert incident.sector == "housing" and incident.title.startswith("Срочно! В Шебекино")
    assert {"created", "risk_incident", "risk_linked"} <= set(kinds)
    assert {row["text"] for row in labels} == {STORY} and len(labels) == 4
    assert {(row["kind"], row["label"], row["actor"]) for row in labels} == {
        ("copies", "neither", "petrov")
    }
    # handled and dismissed risks stay as people left them when found again
    scan(region, NOW + timedelta(minutes=15))
    with engine.connect() as connection:
        assert list_risks(connection) == []


def test_the_cli_lists_shows_and_acts(region, capsys, db_url, tmp_path):
    args = ("--config", str(CONFIG), "--database", db_url)
    result = run_cli(capsys, "risks", "scan", "--now", NOW.isoformat(), *args)
    assert result.code == 0 and "быстрое распространение: 1" in result.out
    listed = json.loads(run_cli(capsys, "risks", "--json", *args).out)
    assert {item["kind"] for item in listed} == {"spread", "copies"}
    assert [item["score"] for item in listed] == sorted(
        (item["score"] for item in listed), reverse=True
    )
    risk_id = next(item["id"] for item in listed if item["kind"] == "spread")
    shown = json.loads(run_cli(capsys, "risks", "show", str(risk_id), "--json", *args).out)
    assert [p["views"] for p in shown["reach_history"]] == [150, 240, 6000, 14000, 15000, 15100]
    result = run_cli(capsys, "risks", "handle", str(risk_id), "--note", "Разъяснено", *args)
    assert result.code == 0 and "отработанный" in result.out
    result = run_cli(capsys, "risks", "handle", str(risk_id), "--note", "ещё", *args)
    assert result.code == 1 and "Ошибка:" in result.err
    table = run_cli(capsys, "risks", "--status", "handled", *args).out
    assert "Разъяснено" not in table and "быстрое распространение" in table
    assert run_cli(capsys, "risks", "--status", "bad", *args).code == 1
    copies = next(item["id"] for item in listed if item["kind"] == "copies")
    assert run_cli(capsys, "risks", "dismiss", str(copies), *args).code == 0
    out = tmp_path / "labels.jsonl"
    result = run_cli(capsys, "risks", "labels", "--kind", "copies", "--out", str(out), *args)
    assert result.code == 0 and "Записано меток «не риск»: 4" in result.out
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {row["label"] for row in rows} == {"neither"} and rows[0]["text"] == STORY


def test_the_scheduler_scans_every_scan_minutes(ctx):
    from monitor.scheduler import Scheduler, risks_step

    scans = []

    def risks(context, prune):
        scans.append(prune)

    scheduler = Scheduler(ctx, process=None, tick=None, risks=risks_step(risks))
    scheduler._sleep_seconds = lambda: 0  # no sources: do not wait between cycles
    for minutes in (0, 5, 10, 16, 20):
        ctx.now_override = T0 + timedelta(minutes=minutes)
        scheduler.run(max_cycles=scheduler.cycles + 1)
    assert scans == [True, False]  # at 0 and 16 minutes (risks.scan_minutes: 15); pruned once
    ctx.now_override = T0 + timedelta(days=1)
    scheduler.run(max_cycles=scheduler.cycles + 1)
    assert scans == [True, False, True]  # the next day's first scan prunes again
    ctx.settings.risks.scan_minutes = 0
    ctx.now_override = T0 + timedelta(days=2)
    scheduler.run(max_cycles=scheduler.cycles + 1)
    assert len(scans) == 3
