"""The README's first command: `otklik demo` on the shipped sample and model, end to end."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from monitor.store import make_engine
from monitor.store.tables import incident_posts, incidents, posts
from tests.conftest import CONFIG
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'otklik.db'}"
    return url


def test_demo_builds_the_queue_and_prints_the_summary(demo_db, capsys):
    result = run_cli(capsys, "demo", "--config", str(CONFIG), "--database", demo_db)
    assert result.code == 0, result.err
    for heading in ("По секторам", "По уровню риска", "По получателям", "просрочено"):
        assert heading in result.out
    engine = make_engine(demo_db)
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(posts)).scalar_one()
        opened = connection.execute(select(func.count()).select_from(incidents)).scalar_one()
        grouped = connection.execute(
            select(incident_posts.c.incident_id)
            .group_by(incident_posts.c.incident_id)
            .having(func.count() > 1)
        ).all()
        roles = set(connection.execute(select(incident_posts.c.role)).scalars())
    assert 300 + 500 <= stored <= 300 + 4 * 300  # the sample week and four earlier weeks
    assert 150 <= opened <= 600
    assert len(grouped) >= 10
    assert {"origin", "repost", "comment", "duplicate"} <= roles
    again = run_cli(capsys, "demo", "--config", str(CONFIG), "--database", demo_db)
    assert again.code == 0 and "новых 0" in again.out
    with engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(incidents)).scalar_one() == opened
        )


def test_queue_filters_and_order_on_the_demo(demo_db, capsys):
    rows = json.loads(
        run_cli(capsys, "queue", "--json", "--limit", "500", "--database", demo_db).out
    )
    ranks = [{"low": 0, "medium": 1, "high": 2, "critical": 3}[r["risk"]] for r in rows]
    assert ranks == sorted(ranks, reverse=True)
    for option, value, key in (
        ("--sector", "roads", "sector"),
        ("--risk", "high", "risk"),
        ("--territory", "Шебекино", "territory"),
        ("--recipient", "mindor", "recipient_code"),
    ):
        filtered = json.loads(
            run_cli(capsys, "queue", "--json", option, value, "--database", demo_db).out
        )
        assert filtered and all(r[key] == value for r in filtered)
    overdue = json.loads(run_cli(capsys, "queue", "--json", "--overdue", "--database", demo_db).out)
    assert overdue and all(r["overdue"] for r in overdue)
    bad = run_cli(capsys, "queue", "--risk", "ужасный", "--database", demo_db)
    assert bad.code == 1 and "риска" in bad.err


def test_incident_show_json_has_posts_and_history(demo_db, capsys):
    first = json.loads(
        run_cli(capsys, "queue", "--json", "--limit", "1", "--database", demo_db).out
    )[0]
    shown = json.loads(
        run_cli(capsys, "incident", "show", str(first["id"]), "--json", "--database", demo_db).out
    )
    assert shown["posts"] and shown["history"][0]["kind"] == "created"
    assert shown["posts"][0]["model_version"]
    assert re.search(r"[+-]\d\d:\d\d$", shown["first_response_due"])
    missing = run_cli(capsys, "incident", "show", "999999", "--database", demo_db)
    assert missing.code == 1 and "не найден" in missing.err


def test_the_demo_gives_every_report_something_to_show(demo_db, capsys):
    growth = json.loads(run_cli(capsys, "growth", "--json", "--database", demo_db).out)
    assert growth["note"] is None
    assert any(series["sector"] == "housing" for series in growth["alerts"])
    ratings = json.loads(run_cli(capsys, "ratings", "--json", "--database", demo_db).out)
    shares = [r["on_time_share"] for r in ratings["ratings"] if r["on_time_share"] is not None]
    assert len(shares) >= 5 and len(set(shares)) > 1  # the recipients differ
    assert any(r["answered_share"] > 0 for r in ratings["ratings"])
    queue = json.loads(
        run_cli(
            capsys, "queue", "--json", "--status", "all", "--limit", "2000", "--database", demo_db
        ).out
    )
    statuses = {row["status"] for row in queue}
    assert {"closed", "rejected", "new"} <= statuses
    assert any(row["overdue"] for row in queue)
