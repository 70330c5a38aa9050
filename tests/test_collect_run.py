"""`otklik run` as a process: collects, then stops on SIGTERM with nothing lost, exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from collect_servers.harness import collect, make_settings, now_ts, source_row, write_config
from collect_servers.rss import Feed, Item, RssServer
from collect_servers.telegram import Channel, Message, TelegramServer
from collect_servers.vk import TOKEN, VkServer, post
from sqlalchemy import func, select

from monitor.store import make_engine
from monitor.store.tables import posts, sources

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUP = 41234567


def per_source(engine) -> dict[str, tuple[int, int]]:
    """(posts, distinct external ids) by source name."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(sources.c.name, func.count(), func.count(posts.c.external_id.distinct()))
            .join(posts, posts.c.source_id == sources.c.id)
            .group_by(sources.c.name)
        )
        return {name: (total, distinct) for name, total, distinct in rows}


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.1)


def test_run_collects_and_stops_on_sigterm_after_the_current_step(
    tmp_path, sqlite_url, monkeypatch
):
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as vk, TelegramServer() as tg, RssServer() as news:
        vk.add_group(GROUP, "Группа", 100)
        for number in range(1, 251):
            vk.walls[-GROUP].append(post(-GROUP, number, now_ts() - 3600 + number, "пост"))
        vk.hang_after = 1  # VK's second page hangs until the stop comes
        tg.channels["news"] = Channel(
            "news", "Новости", messages=[Message(n, now_ts() - 60, f"м{n}") for n in range(1, 31)]
        )
        news.feeds["/rss"] = Feed(
            "Лента", [Item(f"i{n}", "новость", "", now_ts()) for n in range(5)]
        )
        source_list = [  # new sources are read in config order: VK last
            {"name": "tg", "kind": "telegram", "address": "news"},
            {"name": "feed", "kind": "rss", "address": news.url + "/rss"},
            {"name": "vk", "kind": "vk", "address": str(GROUP)},
        ]
        collectors = {
            "http": {"timeout_seconds": 10, "retries": 1},
            "vk": {"base_url": vk.url + "/method/"},
            "telegram": {"base_url": tg.url},
            "cycle_seconds": 1,
        }
        config = write_config(tmp_path, sqlite_url, source_list, collectors)
        engine = make_engine(sqlite_url)
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from monitor.cli import main; main()",
                "run",
                "--config",
                str(config),
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(lambda: len(vk.requests) >= 2 and per_source(engine).get("vk") == (100, 100))
            wait_for(lambda: per_source(engine).get("tg") and per_source(engine).get("feed"))
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert "Остановлено" in out
        assert "SIGTERM: stopping after the current step" in err

        stopped = source_row(engine, "vk")
        assert stopped.cursor == {} and stopped.consecutive_failures == 0  # interrupted, not failed
        assert per_source(engine) == {"vk": (100, 100), "tg": (30, 30), "feed": (5, 5)}

        vk.hang_after = None
        vk.release.set()
        settings = make_settings(tmp_path, sqlite_url, source_list, collectors)
        collect(settings, engine, ["vk"])

        assert per_source(engine)["vk"] == (250, 250)
        assert source_row(engine, "vk").cursor == {"last_id": 250}
