"""Web latency: p50/p95 of the queue page and the queue API with 100,000 incidents.

    python -m bench.web [--incidents N] [--repeat N] [--database URL]

Incidents are synthetic and written straight into the store (`fill` of bench/queue_latency.py);
the app runs in a real uvicorn server on 127.0.0.1 and is asked over HTTP with keep-alive, as
an officer and as a recipient user. Target: p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import tempfile
import threading
import time
from datetime import timedelta

import httpx
import uvicorn

from bench.queue_latency import fill
from bench.synthetic import START
from monitor.context import Context
from monitor.store import make_engine, upgrade
from monitor.web import create_app
from monitor.web.users import add_user, issue_token

PASSWORD = "bench-password"
CASES = {
    "default (open)": {},
    "sector": {"sector": "housing"},
    "risk": {"risk": "critical"},
    "territory + recipient": {"territory": "Шебекино", "recipient": "minzhkh"},
    "overdue": {"overdue": "1"},
    "all statuses, page 20": {"status": "all", "page": "20"},
    "source": {"source": "bench"},
    "text search": {"q": "Инцидент 4"},
}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(0.95 * len(ordered)) - 1)]


def _serve(ctx: Context) -> tuple[str, uvicorn.Server]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ctx, secret="bench"), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def _page_client(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    return client


def _measure(client: httpx.Client, path: str, params: dict, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, params=params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, params, response.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/web.db"
        engine = make_engine(url)
        upgrade(engine)
        ctx = Context.open("config.yaml", url, now=START + timedelta(days=200))
        print(f"filling {url}: {args.incidents} incidents, one post each")
        fill(engine, ctx.settings, args.incidents, args.incidents)
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load; without statistics the planner
            # takes 100,000 fresh rows for a few hundred and picks hash joins.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        engine.dispose()
        for name, role, recipient in (
            ("officer", "officer", None),
            ("zhkh", "recipient", "minzhkh"),
        ):
            add_user(ctx.db, name, role, PASSWORD, now=ctx.now(), recipient_code=recipient)
        tokens = {name: issue_token(ctx.db, name) for name in ("officer", "zhkh")}
        base, server = _serve(ctx)
        everything: dict[str, list[float]] = {"page": [], "api": []}
        print(f"{'user':<8} {'filter':<24} {'page p50':>9} {'p95':>7} {'api p50':>9} {'p95':>7}")
        for user in ("officer", "zhkh"):
            page = _page_client(base, user)
            api = httpx.Client(
                base_url=base, timeout=60, headers={"Authorization": f"Bearer {tokens[user]}"}
            )
            for label, params in CASES.items():
                if user == "zhkh" and "recipient" in params:
                    continue
                api_params = {k: v for k, v in params.items() if k != "page"}
                if "page" in params:
                    api_params["offset"] = str((int(params["page"]) - 1) * 50)
                page_ms = _measure(page, "/queue", params, args.repeat)
                api_ms = _measure(api, "/api/incidents", api_params, args.repeat)
                everything["page"] += page_ms
                everything["api"] += api_ms
                (p50, p95), (a50, a95) = _percentiles(page_ms), _percentiles(api_ms)
                print(f"{user:<8} {label:<24} {p50:9.1f} {p95:7.1f} {a50:9.1f} {a95:7.1f}")
        server.should_exit = True
        for kind, samples in everything.items():
            p50, p95 = _percentiles(samples)
            print(
                f"{kind:<5} all: p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
                f"target p95 200 ms: {200 / p95:.2f}x headroom"
            )
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
