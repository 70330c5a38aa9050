"""Scale-out with real parts: Celery workers over a private redis-server, PostgreSQL as store.

Each test starts its own broker and `otklik worker` processes and kills them at the end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest
from sla_helpers import add_incident, config_file, event_kinds, make_settings, stored_notifications
from sqlalchemy import func, select

from monitor.store import make_engine
from monitor.store.tables import classifications, pending_posts, step_runs
from monitor.workers import tasks
from tests.conftest import ROOT, _postgres_url
from tests.worker_helpers import assert_processed_once, load_backlog
from tests.worker_procs import RabbitVhost, RedisBroker, Workers, ready, wait_for

pytestmark = pytest.mark.postgres

WORKERS = {
    "claim_seconds": 6,  # a killed worker's batch is free again after 6 s
    "process_every_seconds": 1,
    "tick_every_seconds": 1,
    "notify_every_seconds": 1,
    "collect_every_seconds": 3600,
    "visibility_timeout_seconds": 5,
    "retry_backoff_max_seconds": 2,
}
START_SECONDS = 120  # a worker loads the model before it takes tasks (slow on a busy machine)


@pytest.fixture
def pg_url(request) -> str:
    """A fresh, migrated PostgreSQL database (skipped without OTKLIK_TEST_POSTGRES_URL)."""
    return _postgres_url(request)


@pytest.fixture
def broker(tmp_path):
    server = RedisBroker(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def setup(tmp_path, pg_url, broker):
    """A config for the test database and broker, and a pool of workers cleaned up after."""
    config = config_file(
        tmp_path,
        pg_url,
        email={"enabled": True},
        sources=[],
        classifier={"model": str(ROOT / "models" / "default"), "batch_size": 50},
        workers={**WORKERS, "broker_url": broker.url},
    )
    pool = Workers(tmp_path, config, pg_url, broker.url)
    tasks.configure(
        make_settings(pg_url, workers={**WORKERS, "broker_url": broker.url}), None, None
    )
    engine = make_engine(pg_url)
    yield engine, pool
    pool.stop_all()
    engine.dispose()


def _classified(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(classifications)).scalar_one()


def _batches(log) -> int:
    return log.read_bytes().count(b"otklik.process_batch[") // 2  # "received" + "succeeded"


def test_several_workers_process_one_backlog_exactly_once(setup, tmp_path):
    engine, pool = setup
    load_backlog(engine, tmp_path, 1200)
    logs = [
        pool.start("--queues", "process,schedule", "--concurrency", "1", "--beat")[1],
        pool.start("--queues", "process", "--concurrency", "1")[1],
        pool.start("--queues", "process", "--concurrency", "1")[1],
    ]
    wait_for(lambda: all(ready(log) for log in logs), START_SECONDS, "workers to start")
    wait_for(lambda: _classified(engine) == 1200, 150, "the backlog to be processed")
    wait_for(lambda: _no_claims(engine), 30, "the last claims to go")
    assert_processed_once(engine, 1200)
    assert all(_batches(log) > 0 for log in logs), "a worker took no batch"


def _no_claims(engine) -> bool:
    with engine.connect() as connection:
        return not connection.execute(select(func.count()).select_from(pending_posts)).scalar_one()


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(setup, tmp_path):
    engine, pool = setup
    load_backlog(engine, tmp_path, 600)
    victim, log = pool.start("--queues", "process,schedule", "--concurrency", "1")
    wait_for(lambda: ready(log), START_SECONDS, "the worker to start")
    tasks.dispatch_process.apply_async()  # no beat yet: the test asks for one dispatch
    # Wait until the worker holds a batch while it has already stored some: mid-work.
    in_flight: list[int] = []

    def mid_batch() -> bool:
        with engine.connect() as connection:
            in_flight[:] = (
                connection.execute(
                    select(pending_posts.c.post_id).where(pending_posts.c.owner.is_not(None))
                )
                .scalars()
                .all()
            )
        return bool(in_flight) and _classified(engine) > 0

    wait_for(mid_batch, 120, "a batch in flight")
    pool.kill(victim)
    assert 0 < _classified(engine) < 600
    survivor_log = pool.start("--queues", "process,schedule", "--concurrency", "1", "--beat")[1]
    wait_for(lambda: ready(survivor_log), START_SECONDS, "the second worker to start")
    wait_for(lambda: _classified(engine) == 600, 120, "the rest of the backlog")
    wait_for(lambda: _no_claims(engine), 30, "the last claims to go")
    assert_processed_once(engine, 600)
    with engine.connect() as connection:
        done = set(connection.execute(select(classifications.c.post_id)).scalars())
    assert set(in_flight) <= done  # the killed worker's batch was taken again


def test_a_broker_restart_during_work_is_survived(setup, tmp_path, broker):
    engine, pool = setup
    load_backlog(engine, tmp_path, 900)
    log = pool.start("--queues", "process,schedule", "--concurrency", "2", "--beat")[1]
    wait_for(lambda: ready(log), START_SECONDS, "the worker to start")
    wait_for(lambda: _classified(engine) >= 100, 120, "work to begin")
    broker.stop()  # queued and unacknowledged messages are lost with it
    assert _classified(engine) < 900
    broker.start()
    wait_for(lambda: _classified(engine) == 900, 150, "the backlog after the restart")
    wait_for(lambda: _no_claims(engine), 30, "the last claims to go")
    assert_processed_once(engine, 900)
    assert log.read_bytes().count(b" ready.") >= 1


def test_two_beats_and_parallel_ticks_escalate_once(setup, pg_url):
    engine, pool = setup
    settings = make_settings(pg_url, email={"enabled": True})
    for _ in range(20):  # registered long ago: every level of escalation is due now
        add_incident(
            engine, settings, registered_at=datetime.fromisoformat("2025-10-31T16:00+03:00")
        )
    logs = [pool.start("--queues", "schedule", "--concurrency", "2", "--beat")[1] for _ in range(2)]
    wait_for(lambda: all(ready(log) for log in logs), START_SECONDS, "workers to start")
    for _ in range(6):  # and six ticks sent at once, on top of the two beats'
        tasks.tick.apply_async(queue="schedule")
    wait_for(lambda: _tick_runs(engine) >= 4, 60, "several ticks to run")
    kinds = event_kinds(engine)
    assert kinds.count("escalated") == 40
    assert kinds.count("overdue") == 20
    assert len(stored_notifications(engine, kind="escalation")) == 40


def _tick_runs(engine) -> int:
    with engine.connect() as connection:
        runs = connection.execute(
            select(step_runs.c.runs).where(step_runs.c.step == "tick")
        ).scalar()
    return runs or 0


def test_a_worker_over_rabbitmq_and_the_health_command(tmp_path, pg_url):
    vhost = RabbitVhost()
    if not vhost.create():
        pytest.skip("rabbitmqctl cannot add a virtual host here")
    settings = {**WORKERS, "broker_url": vhost.url}
    config = config_file(
        tmp_path,
        pg_url,
        sources=[],
        classifier={"model": str(ROOT / "models" / "default"), "batch_size": 50},
        workers=settings,
    )
    pool = Workers(tmp_path, config, pg_url, vhost.url)
    engine = make_engine(pg_url)
    try:
        load_backlog(engine, tmp_path, 300)
        log = pool.start("--concurrency", "2", "--beat")[1]
        wait_for(lambda: ready(log), START_SECONDS, "the worker to start")
        wait_for(lambda: _classified(engine) == 300, 120, "the backlog")
        wait_for(lambda: _no_claims(engine), 30, "the last claims to go")
        assert_processed_once(engine, 300)
        shown = subprocess.run(
            [sys.executable, "-m", "monitor", "workers", "--json", "--config", str(config)],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT), "OTKLIK_BROKER_URL": vhost.url},
            capture_output=True,
            timeout=120,
        )
        assert shown.returncode == 0, shown.stderr.decode()
        health = json.loads(shown.stdout)
        assert health["broker_error"] is None
        assert set(health["queues"]) == {"collect", "process", "schedule"}
        assert all(isinstance(n, int) for n in health["queues"].values())  # declared by the worker
        assert len(health["workers"]) == 1
        assert health["pending_posts"] == 0 and health["claimed_posts"] == 0
        steps = {step["step"]: step for step in health["steps"]}
        assert steps["process"]["runs"] >= 6 and steps["process"]["failures"] == 0
        assert steps["tick"]["last_status"] == "ok"
    finally:
        pool.stop_all()
        engine.dispose()
        vhost.delete()


def test_the_health_command_names_a_broker_that_is_down(tmp_path, pg_url):
    config = config_file(tmp_path, pg_url, workers={"broker_url": "redis://127.0.0.1:1/0"})
    shown = subprocess.run(
        [sys.executable, "-m", "monitor", "workers", "--config", str(config)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr.decode()
    out = shown.stdout.decode()
    assert "Брокер redis://127.0.0.1:1/0 недоступен" in out
    assert "Постов ждут обработки: 0" in out
