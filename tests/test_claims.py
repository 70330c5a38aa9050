"""Claims: two processing runs at once classify and group every post exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from monitor.context import Context
from monitor.pipeline import process_pending
from monitor.store import make_engine
from monitor.store.claims import acquire_lease, claim_posts, release_lease
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import classifications, pending_posts, posts
from tests.conftest import CONFIG, ROOT
from tests.helpers import record
from tests.worker_helpers import assert_processed_once, load_backlog

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _classification(post_id: int) -> dict:
    return {
        "post_id": post_id,
        "model_version": "t",
        "relevant": False,
        "relevance_proba": 0.1,
        "classified_at": NOW,
    }


def _posts(engine, count: int) -> list[int]:
    with engine.begin() as connection:
        source = ensure_source(connection, "vk-test", "vk")
        store_posts(
            connection,
            source,
            [
                record(f"p{n}", f"пост {n}", at=f"2026-11-16T10:{n:02d}:00+03:00")
                for n in range(count)
            ],
            collected_at=NOW,
        )
        return list(connection.execute(select(posts.c.id).order_by(posts.c.id)).scalars())


def test_the_store_refuses_a_second_classification_of_a_post(db_url):
    engine = make_engine(db_url)
    [post_id] = _posts(engine, 1)
    with engine.begin() as connection:
        connection.execute(insert(classifications).values(**_classification(post_id)))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(classifications).values(**_classification(post_id)))
    engine.dispose()


def test_claims_split_posts_and_an_expired_claim_is_taken_again(db_url):
    engine = make_engine(db_url)
    ids = _posts(engine, 5)
    first = claim_posts(engine, "a", 3, now=NOW, lease_seconds=60)
    second = claim_posts(engine, "b", 3, now=NOW, lease_seconds=60)
    assert [row.id for row in first] == ids[:3]
    assert [row.id for row in second] == ids[3:]
    assert claim_posts(engine, "c", 3, now=NOW, lease_seconds=60) == []
    # "a" was killed: after its lease its posts go to the next run, in the same order.
    later = NOW + timedelta(seconds=61)
    third = claim_posts(engine, "c", 10, now=later, lease_seconds=60)
    assert [row.id for row in third] == ids  # "b"'s lease ran out too
    with engine.connect() as connection:
        owners = set(connection.execute(select(pending_posts.c.owner)).scalars())
    assert owners == {"c"}
    engine.dispose()


def test_a_lease_has_one_holder_until_it_expires(db_url):
    engine = make_engine(db_url)
    assert acquire_lease(engine, "collect:x", "a", now=NOW, seconds=60)
    assert acquire_lease(engine, "collect:x", "a", now=NOW, seconds=60)  # ours: renewed
    assert not acquire_lease(engine, "collect:x", "b", now=NOW + timedelta(seconds=30), seconds=60)
    assert acquire_lease(engine, "collect:x", "b", now=NOW + timedelta(seconds=61), seconds=60)
    release_lease(engine, "collect:x", "a")  # no longer a's: stays b's
    assert not acquire_lease(engine, "collect:x", "a", now=NOW + timedelta(seconds=62), seconds=60)
    release_lease(engine, "collect:x", "b")
    assert acquire_lease(engine, "collect:x", "a", now=NOW + timedelta(seconds=62), seconds=60)
    engine.dispose()


def test_a_post_stored_by_another_run_is_not_grouped_again(db_url):
    """A slow run whose claim expired finds the post classified: it stores and groups nothing."""
    ctx = Context.open(CONFIG, db_url)
    [post_id] = _posts(ctx.db, 1)
    slow = claim_posts(ctx.db, "slow", 10, now=NOW, lease_seconds=1)
    assert [row.id for row in slow] == [post_id]
    report = process_pending(ctx, now=NOW)  # takes the expired claim, stores the post
    assert report.classified == 1
    from monitor.pipeline import ProcessReport, _process_batch

    late = ProcessReport()
    _process_batch(ctx, "slow", slow, NOW, late)
    assert late.classified == 0 and late.posts_grouped == 0
    assert_processed_once(ctx.db, 1)
    ctx.engine.dispose()


def test_two_process_commands_at_once_process_every_post_once(db_url, tmp_path):
    engine = make_engine(db_url)
    load_backlog(engine, tmp_path, 1500)
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    config["classifier"]["model"] = str(ROOT / "models" / "default")
    config["classifier"]["batch_size"] = 50  # many batches: the runs interleave
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    command = [sys.executable, "-m", "monitor", "process", "--config", str(path)]
    command += ["--database", db_url, "--now", "2026-12-01T12:00:00+03:00"]
    runs = [
        subprocess.Popen(
            command,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},  # this tree's code, not the installed one
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        outputs = [run.communicate(timeout=240) for run in runs]
    finally:
        for run in runs:
            run.kill()
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()[-2000:]
    done = [int(out.decode().split("Обработано постов: ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(done) == 1500
    assert min(done) > 0, "one run took every batch: the test did not run them at once"
    assert_processed_once(engine, 1500)
    engine.dispose()


def test_migration_keeps_one_classification_per_post_and_fills_the_backlog(db_url):
    from alembic import command

    from monitor.store import upgrade
    from monitor.store.migrate import alembic_config, revision_below

    engine = make_engine(db_url)
    command.downgrade(alembic_config(engine), revision_below("0008"))
    assert "pending_posts" not in inspect(engine).get_table_names()
    ids = _posts(engine, 3)
    with engine.begin() as connection:
        for post_id in (ids[0], ids[0], ids[1], ids[0]):
            connection.execute(insert(classifications).values(**_classification(post_id)))
    upgrade(engine)
    with engine.connect() as connection:
        kept = connection.execute(
            select(classifications.c.id, classifications.c.post_id).order_by(classifications.c.id)
        ).all()
    assert [tuple(row) for row in kept] == [(1, ids[0]), (3, ids[1])]
    uniques = [ix for ix in inspect(engine).get_indexes("classifications") if ix["unique"]]
    assert [ix["column_names"] for ix in uniques] == [["post_id"]]
    assert _pending(engine) == [ids[2]]  # the one post never classified
    with engine.begin() as connection:  # and the trigger: a post stored now is pending
        store_posts(connection, ensure_source(connection, "vk-test", "vk"), [record("new")])
        newest = connection.execute(select(func.max(posts.c.id))).scalar()
    assert _pending(engine) == [ids[2], newest]
    with engine.begin() as connection:  # classified by any code: no longer pending
        connection.execute(insert(classifications).values(**_classification(newest)))
    assert _pending(engine) == [ids[2]]
    command.downgrade(alembic_config(engine), revision_below("0008"))
    assert "pending_posts" not in inspect(engine).get_table_names()
    with engine.begin() as connection:  # the trigger went with its table
        store_posts(connection, ensure_source(connection, "vk-test", "vk"), [record("later")])
    upgrade(engine)
    engine.dispose()


def _pending(engine) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(pending_posts.c.post_id).order_by(pending_posts.c.post_id)
            ).scalars()
        )
