"""Crashes at any point lose nothing and duplicate nothing; a hanging source times out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from collect_servers.harness import collect, make_settings, now_ts, source_row, write_config
from collect_servers.rss import Feed, Item, RssServer
from collect_servers.telegram import Channel, Message, TelegramServer
from collect_servers.vk import TOKEN, VkServer, post
from sqlalchemy import func, select

import monitor.collectors.runner as runner
from monitor.store import make_engine
from monitor.store.tables import posts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUP = 41234567
OWNER = -GROUP


class Crash(BaseException):
    """Stands for the process dying: nothing in the collector may catch it."""


@pytest.fixture
def vk(monkeypatch):
    """A VK wall of 250 recent posts: three pages."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.add_group(GROUP, "Группа", 100)
        newest = now_ts() - 60
        for number in range(1, 251):
            server.walls[OWNER].append(post(OWNER, number, newest - (250 - number) * 60, "т"))
        yield server


def vk_source(server):
    return [{"name": "vk", "kind": "vk", "address": str(GROUP)}], {
        "vk": {"base_url": server.url + "/method/"}
    }


def counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count(), func.count(posts.c.external_id.distinct()))
        ).one()


def test_a_crash_between_fetch_and_commit(vk, tmp_path, db_url, monkeypatch):
    settings = make_settings(tmp_path, db_url, *vk_source(vk))
    engine = make_engine(db_url)
    real_commit = runner.commit_batch
    commits = []

    def crashing_commit(connection, source_id, batch, **kwargs):
        if commits:  # the second page was fetched and is about to be committed
            raise Crash
        commits.append(batch)
        return real_commit(connection, source_id, batch, **kwargs)

    monkeypatch.setattr(runner, "commit_batch", crashing_commit)
    with pytest.raises(Crash):
        collect(settings, engine)
    assert counts(engine) == (100, 100)
    assert source_row(engine, "vk").cursor == {}  # not moved: the rest is still to be read

    monkeypatch.setattr(runner, "commit_batch", real_commit)
    report = collect(settings, engine)["vk"]
    assert report.inserted == 150
    assert counts(engine) == (250, 250)
    assert source_row(engine, "vk").cursor == {"last_id": 250}


def test_a_crash_inside_the_commit_rolls_the_batch_back(vk, tmp_path, db_url, monkeypatch):
    settings = make_settings(tmp_path, db_url, *vk_source(vk))
    engine = make_engine(db_url)
    real_store = runner.store_posts

    def store_then_crash(*args, **kwargs):
        real_store(*args, **kwargs)
        raise Crash  # posts written, cursor not yet: the transaction must undo both

    monkeypatch.setattr(runner, "store_posts", store_then_crash)
    with pytest.raises(Crash):
        collect(settings, engine)
    assert counts(engine) == (0, 0)
    monkeypatch.setattr(runner, "store_posts", real_store)
    collect(settings, engine)
    assert counts(engine) == (250, 250)


def test_a_crash_after_the_last_commit_reads_nothing_twice(vk, tmp_path, db_url, monkeypatch):
    settings = make_settings(tmp_path, db_url, *vk_source(vk))
    engine = make_engine(db_url)

    def crash(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(runner, "mark_success", crash)
    with pytest.raises(Crash):
        collect(settings, engine)
    assert counts(engine) == (250, 250)
    assert source_row(engine, "vk").cursor == {"last_id": 250}
    monkeypatch.undo()
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    again = collect(settings, engine)["vk"]
    assert again.inserted == 0 and counts(engine) == (250, 250)


def test_a_killed_collect_process_loses_and_duplicates_nothing(vk, tmp_path, sqlite_url):
    config = write_config(tmp_path, sqlite_url, *vk_source(vk))
    engine = make_engine(sqlite_url)
    vk.hang_after = 1  # the second page never comes: the process is killed waiting for it
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from monitor.cli import main; main()",
            "collect",
            "--config",
            str(config),
        ],
        cwd=ROOT,
        env={**os.environ, "OTKLIK_VK_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while (len(vk.requests) < 2 or counts(engine)[0] < 100) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert counts(engine) == (100, 100)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    vk.hang_after = None
    vk.release.set()

    collect(make_settings(tmp_path, sqlite_url, *vk_source(vk)), engine)

    assert counts(engine) == (250, 250)


def test_a_hanging_source_times_out_and_the_others_are_read(vk, tmp_path, sqlite_url):
    with RssServer() as hanging_feed, TelegramServer() as tg:
        hanging_feed.feeds["/rss"] = Feed("Лента", [Item("1", "a", "b", now_ts())])
        hanging_feed.hang.set()
        vk.hang.set()
        tg.channels["news"] = Channel("news", "Новости", messages=[Message(1, now_ts(), "т")])
        sources = [
            {"name": "vk", "kind": "vk", "address": str(GROUP)},
            {"name": "feed", "kind": "rss", "address": hanging_feed.url + "/rss"},
            {"name": "tg", "kind": "telegram", "address": "news"},
        ]
        collectors = {
            "http": {"timeout_seconds": 0.3, "retries": 1},
            "vk": {"base_url": vk.url + "/method/"},
            "telegram": {"base_url": tg.url},
        }
        settings = make_settings(tmp_path, sqlite_url, sources, collectors)
        engine = make_engine(sqlite_url)

        reports = collect(settings, engine)

    assert reports["tg"].inserted == 1
    for name in ("vk", "feed"):
        assert reports[name].status == "failing"
        assert "нет ответа" in reports[name].error
        assert source_row(engine, name).consecutive_failures == 1
    assert len(hanging_feed.requests) == 2  # the first try and one retry


def test_a_bug_in_one_collector_is_recorded_and_the_others_are_read(
    vk, tmp_path, sqlite_url, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise KeyError("media")

    monkeypatch.setattr("monitor.collectors.rss.parse_feed", broken)
    with RssServer() as news:
        news.feeds["/rss"] = Feed("Лента", [Item("1", "a", "b", now_ts())])
        sources = [
            {"name": "feed", "kind": "rss", "address": news.url + "/rss"},
            {"name": "vk", "kind": "vk", "address": str(GROUP)},
        ]
        settings = make_settings(tmp_path, sqlite_url, sources, vk_source(vk)[1])
        reports = collect(settings, make_engine(sqlite_url))

    assert reports["feed"].status == "failing"
    assert "внутренняя ошибка сборщика: KeyError('media')" in reports["feed"].error
    assert "Traceback" in caplog.text  # a bug is logged in full, for whoever fixes it
    assert reports["vk"].inserted == 250
