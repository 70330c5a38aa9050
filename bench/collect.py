"""Collector speed and memory: posts per second from local servers, and memory over a long run.

    python bench/collect.py [--communities 20] [--posts 500] [--cycles 400] [--postgres URL]

The servers are the test servers of tests/collect_servers (VK API, t.me/s, RSS) on
127.0.0.1, so the numbers measure our side: HTTP, parsing and storing, not the network.
PostgreSQL defaults to OTKLIK_TEST_POSTGRES_URL; a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ itself must not be on the path: bench/queue.py would hide the standard `queue`
sys.path[:] = [str(ROOT), str(ROOT / "tests")] + [
    entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"
]

from collect_servers.harness import make_settings, now_ts  # noqa: E402
from collect_servers.rss import Feed, Item, RssServer  # noqa: E402
from collect_servers.telegram import Channel, Message, TelegramServer  # noqa: E402
from collect_servers.vk import TOKEN, Thread, VkServer, comment, post  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from monitor.collectors.runner import collect_pass, toolkit  # noqa: E402
from monitor.store import make_engine, upgrade  # noqa: E402

KEEP_ON_SERVER = 300  # posts a wall keeps, so the fake server's memory stays bounded


def rss_mb() -> float:
    """Resident memory of this process in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fill(vk: VkServer, tg: TelegramServer, news: RssServer, communities: int, count: int) -> int:
    """Walls, a channel and a feed; returns how many records a first pass stores."""
    newest = now_ts() - 60
    total = 0
    for group in range(1, communities + 1):
        vk.add_group(group, f"Группа {group}", 1000 * group)
        for number in range(1, count + 1):
            date = newest - (count - number) * 120
            item = post(-group, number, date, f"Пост {number} о воде и дорогах " * 5, views=number)
            if number % 10 == 0:
                vk.threads[(-group, number)] = [
                    Thread(comment(10_000 + c, 1000 + c, date + c, "комментарий")) for c in range(5)
                ]
                item["comments"]["count"] = 5
                total += 5
            vk.walls[-group].append(item)
            total += 1
    channel = Channel("news", "Новости")
    channel.messages = [Message(n, newest - (400 - n) * 60, f"Новость {n}") for n in range(1, 401)]
    tg.channels["news"] = channel
    news.feeds["/rss"] = Feed(
        "Лента", [Item(f"i{n}", f"Заголовок {n}", "текст", newest) for n in range(100)]
    )
    return total + 400 + 100


def settings_for(folder: Path, url: str, vk, tg, news, communities: int, refresh_hours: float):
    sources = [
        {"name": f"vk-{g}", "kind": "vk", "address": str(g)} for g in range(1, communities + 1)
    ]
    sources += [
        {"name": "tg", "kind": "telegram", "address": "news"},
        {"name": "rss", "kind": "rss", "address": news.url + "/rss"},
    ]
    collectors = {
        "http": {"timeout_seconds": 10},
        "vk": {"base_url": vk.url + "/method/", "min_interval_seconds": 0},
        "telegram": {"base_url": tg.url},
        "refresh_hours": refresh_hours,
    }
    return make_settings(folder, url, sources, collectors)


def throughput(url: str, communities: int, count: int) -> None:
    """Posts per second of a first pass (backfill) and of a refresh pass."""
    engine = make_engine(url)
    upgrade(engine)
    with (
        VkServer() as vk,
        TelegramServer() as tg,
        RssServer() as news,
        tempfile.TemporaryDirectory() as folder,
    ):
        expected = fill(vk, tg, news, communities, count)
        settings = settings_for(Path(folder), url, vk, tg, news, communities, refresh_hours=48)
        for label in ("first pass (backfill)", "refresh pass (all known)"):
            with toolkit(settings) as tools:
                started = time.perf_counter()
                reports = collect_pass(engine, settings, settings.sources, tools)
                elapsed = time.perf_counter() - started
            fetched = sum(r.fetched for r in reports)
            inserted = sum(r.inserted for r in reports)
            failed = [r.name for r in reports if r.error]
            assert not failed, failed
            if label.startswith("first"):
                assert inserted == expected, (inserted, expected)
            backend = make_url(url).get_backend_name()
            requests = len(vk.requests) + len(tg.requests) + len(news.requests)
            print(
                f"  {backend:<10} {label:<26} {fetched / elapsed:7.0f} posts/s"
                f"  ({fetched} posts, {requests} requests so far, {elapsed:.1f} s)"
            )
    engine.dispose()


def memory(url: str, communities: int, cycles: int) -> None:
    """Memory over many passes with new posts every pass: it must stay flat."""
    engine = make_engine(url)
    upgrade(engine)
    with (
        VkServer() as vk,
        TelegramServer() as tg,
        RssServer() as news,
        tempfile.TemporaryDirectory() as folder,
    ):
        fill(vk, tg, news, communities, 100)
        # no refresh window: each pass reads what is new, the steady state of a long run
        settings = settings_for(Path(folder), url, vk, tg, news, communities, refresh_hours=0)
        next_id = 101
        samples = []
        print(
            f"  {'cycle':>6} {'RSS, MB':>9} {'objects':>9}   ({communities * 10} new posts a cycle)"
        )
        with toolkit(settings) as tools:  # one run, as `otklik run` keeps it
            for cycle in range(1, cycles + 1):
                for group in range(1, communities + 1):
                    wall = vk.walls[-group]
                    wall += [
                        post(-group, next_id + k, now_ts(), "новый пост " * 20) for k in range(10)
                    ]
                    del wall[: max(0, len(wall) - KEEP_ON_SERVER)]
                next_id += 10
                for server in (vk, tg, news):
                    server.requests.clear()
                reports = collect_pass(engine, settings, settings.sources, tools)
                assert not [r.name for r in reports if r.error]
                if cycle in (1, 10) or cycle % max(1, cycles // 8) == 0:
                    gc.collect()
                    samples.append((cycle, rss_mb(), len(gc.get_objects())))
                    print(f"  {cycle:>6} {samples[-1][1]:>9.1f} {samples[-1][2]:>9}", flush=True)
    engine.dispose()
    tail = [s for s in samples if s[0] >= 10]
    print(
        f"  growth from cycle {tail[0][0]} to {tail[-1][0]}: {tail[-1][1] - tail[0][1]:+.1f} MB,"
        f" {tail[-1][2] - tail[0][2]:+d} objects"
    )


def scratch_postgres(url: str):
    name = f"otklik_bench_collect_{os.getpid()}"
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, make_url(url).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=20)
    parser.add_argument("--posts", type=int, default=500, help="posts on each wall")
    parser.add_argument("--cycles", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("OTKLIK_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    os.environ["OTKLIK_VK_TOKEN"] = TOKEN
    with tempfile.TemporaryDirectory() as folder:
        print(
            f"Throughput: {args.communities} VK walls x {args.posts} posts (+ comments), "
            "a channel of 400, a feed of 100"
        )
        throughput(f"sqlite:///{folder}/speed.db", args.communities, args.posts)
        if args.postgres:
            admin, name, url = scratch_postgres(args.postgres)
            try:
                throughput(url, args.communities, args.posts)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print(f"Memory over {args.cycles} passes (SQLite)")
        memory(f"sqlite:///{folder}/memory.db", args.communities, args.cycles)


if __name__ == "__main__":
    main()
