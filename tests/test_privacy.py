"""Personal data past its retention: pseudonymised by `purge` and by `run`, analytics whole."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from bench.history import HistoryWriter
from monitor.analytics.period import Period
from monitor.analytics.signals import daily_signals
from monitor.config import load_settings
from monitor.context import Context
from monitor.privacy import purge
from monitor.scheduler import purge_step
from monitor.store import make_engine
from monitor.store.tables import incident_posts, incidents, posts, store_keys
from tests.conftest import CONFIG
from tests.helpers import moment, run_cli

NOW = moment("2026-12-07T12:00:00+03:00")
OLD = NOW - timedelta(days=400)
RECENT = NOW - timedelta(days=10)


def _history(engine) -> None:
    """Old closed incident (2 posts by one author, 1 by another), an old open one, a recent."""
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        closed = w.incident(text="Нет воды", sector="housing", created_at=OLD, status="closed")
        for n, author in enumerate(("vk:1", "vk:1", "vk:2")):
            w.post(closed, text="Нет воды", published_at=OLD + timedelta(hours=n), author=author)
        still_open = w.incident(text="Яма", sector="roads", created_at=OLD, status="in_progress")
        w.post(still_open, text="Яма", published_at=OLD, author="vk:1")
        recent = w.incident(text="Свет", sector="housing", created_at=RECENT, status="closed")
        w.post(recent, text="Свет", published_at=RECENT, author="vk:1")
        w.flush()
        connection.execute(
            update(posts).values(
                author_name="Ирина Ковалёва",
                url="https://vk.com/wall1_" + posts.c.external_id,
                raw={"from_id": 1, "signer_id": 1},
            )
        )


def _snapshot(connection):
    rows = connection.execute(select(incidents).order_by(incidents.c.id)).all()
    authors = connection.execute(
        select(incident_posts.c.incident_id, func.count(func.distinct(posts.c.author_id)))
        .join(posts, posts.c.id == incident_posts.c.post_id)
        .group_by(incident_posts.c.incident_id)
        .order_by(incident_posts.c.incident_id)
    ).all()
    window = Period((OLD - timedelta(days=1)).date(), NOW.date(), "Europe/Moscow")
    signals = daily_signals(connection, window)
    return [tuple(r) for r in rows], [tuple(a) for a in authors], signals


def test_purge_pseudonymises_old_authors_and_keeps_everything_else(db_url):
    engine = make_engine(db_url)
    _history(engine)
    settings = load_settings(CONFIG, database_url=db_url)
    with engine.connect() as connection:
        before = _snapshot(connection)
        count_before = connection.execute(select(func.count()).select_from(posts)).scalar_one()

    report = purge(engine, settings, now=NOW)

    assert (report.posts, report.authors) == (3, 2)
    with engine.connect() as connection:
        rows = {r.id: r for r in connection.execute(select(posts).order_by(posts.c.id))}
        after = _snapshot(connection)
        count_after = connection.execute(select(func.count()).select_from(posts)).scalar_one()
    purged = [rows[1], rows[2], rows[3]]
    assert all(r.author_id.startswith("anon:") for r in purged)
    assert all(r.author_name is None and r.url is None and r.raw is None for r in purged)
    assert purged[0].author_id == purged[1].author_id != purged[2].author_id
    assert all(r.text for r in purged) and count_after == count_before
    # the open incident's post and the recent post keep their authors
    assert rows[4].author_id == "vk:1" and rows[4].author_name == "Ирина Ковалёва"
    assert rows[5].author_id == "vk:1" and rows[5].raw == {"from_id": 1, "signer_id": 1}
    # incidents, distinct-author counts and analytics are what they were
    assert after == before
    # a second purge finds nothing; the key stays the same
    assert purge(engine, settings, now=NOW).posts == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(store_keys)).scalar_one() == 1
    engine.dispose()


def test_pseudonyms_are_stable_across_purges(db_url):
    engine = make_engine(db_url)
    _history(engine)
    settings = load_settings(CONFIG, database_url=db_url)
    purge(engine, settings, now=NOW)
    with engine.begin() as connection:
        connection.execute(update(incidents).values(status="closed"))
    purge(engine, settings, now=NOW)  # the open incident finished: its post is purged now
    with engine.connect() as connection:
        ids = connection.execute(select(posts.c.author_id).order_by(posts.c.id)).scalars().all()
    assert ids[0] == ids[1] == ids[3] != ids[2] and ids[4] == "vk:1"
    engine.dispose()


def test_no_retention_keeps_everything(db_url):
    engine = make_engine(db_url)
    _history(engine)
    settings = load_settings(CONFIG, database_url=db_url)
    settings.privacy.retention_days = None
    assert purge(engine, settings, now=NOW).posts == 0
    engine.dispose()


def test_the_command_and_the_run_step(db_url, capsys):
    engine = make_engine(db_url)
    _history(engine)
    result = run_cli(capsys, "purge", "--database", db_url, "--now", NOW.isoformat())
    assert result.code == 0 and "Обезличено постов: 3, авторов: 2" in result.out
    again = run_cli(capsys, "purge", "--database", db_url, "--now", NOW.isoformat(), "--json")
    assert again.code == 0 and '"posts": 0' in again.out
    ctx = Context.open(CONFIG, db_url, NOW + timedelta(days=400))
    step = purge_step()
    assert step(ctx).posts == 1  # a year later the recent post too; the open one waits
    assert step(ctx) is None  # not again within purge_every_hours
    ctx.engine.dispose()
    engine.dispose()
