"""A record the store cannot take is skipped with its reason; its source and the next go on."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from collect_servers.harness import collect, make_settings, source_row, stored

from monitor.collectors.base import Batch
from monitor.collectors.runner import commit_one_by_one
from monitor.records import Reach
from monitor.store import make_engine
from monitor.store.posts import ensure_source
from tests.helpers import record


def line(number: int, **extra) -> str:
    data = {"id": f"ext:{number}", "text": f"сообщение {number}", **extra}
    return json.dumps(data, ensure_ascii=False) + "\n"


def test_bad_records_never_stop_a_source_or_the_next(tmp_path, db_url):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        line(1)
        + line(2, published_at="9999-12-31T23:59:59-12:00")
        + line(3).replace('"text"', '"reach": {"views": 1e400}, "text"')
        + line(4, reach={"views": 10**30})
        + line(5),
        "utf-8",
    )
    healthy = tmp_path / "healthy.jsonl"
    healthy.write_text(line(10) + line(11), "utf-8")
    sources = [
        {"name": "bad", "kind": "file", "address": "bad.jsonl"},
        {"name": "healthy", "kind": "file", "address": "healthy.jsonl"},
    ]
    settings = make_settings(tmp_path, db_url, sources)
    engine = make_engine(db_url)

    reports = collect(settings, engine)

    assert reports["bad"].status == "active" and reports["bad"].error is None
    assert reports["bad"].inserted == 2 and reports["bad"].skipped == 3
    assert reports["healthy"].inserted == 2
    assert set(stored(engine, "bad")) == {"ext:1", "ext:5"}
    assert source_row(engine, "bad").cursor["offset"] == bad.stat().st_size  # it moved on
    again = collect(settings, engine)
    assert again["bad"].fetched == 0 and again["bad"].status == "active"
    engine.dispose()


def test_a_batch_the_store_refuses_is_stored_record_by_record(db_url):
    engine = make_engine(db_url)
    with engine.begin() as connection:
        source_id = ensure_source(connection, "s", "vk")
    # Built past the edge on purpose: the store itself refuses this counter.
    refused = replace(record("vk:2"), reach=Reach(views=10**30))
    batch = Batch([record("vk:1"), refused, record("vk:3")], {"last_id": 3})
    result = commit_one_by_one(engine, source_id, batch, collected_at=datetime.now(UTC))
    assert result.inserted == 2
    assert [r.external_id for r in batch.records] == ["vk:1", "vk:3"]
    assert len(batch.skipped) == 1 and "vk:2" in batch.skipped[0]
    assert set(stored(engine)) == {"vk:1", "vk:3"}
    assert source_row(engine, "s").cursor == {"last_id": 3}
    engine.dispose()
