"""A JSONL file another system appends to: read from where the last poll stopped."""

from __future__ import annotations

import json

from collect_servers.harness import collect, make_settings, source_row, stored

from monitor.store import make_engine


def line(number: int, **extra) -> str:
    data = {"id": f"ext:{number}", "text": f"сообщение {number}", **extra}
    return json.dumps(data, ensure_ascii=False) + "\n"


def test_appended_lines_are_read_once(tmp_path, sqlite_url):
    drop = tmp_path / "drop.jsonl"
    drop.write_text(line(1) + line(2) + "{broken\n" + line(3, territory="Губкин"), "utf-8")
    source = {"name": "export", "kind": "file", "address": "drop.jsonl", "territory": "Белгород"}
    settings = make_settings(tmp_path, sqlite_url, [source])
    engine = make_engine(sqlite_url)

    first = collect(settings, engine)["export"]

    posts = stored(engine)
    assert first.inserted == 3 and first.skipped == 1
    assert posts["ext:1"].territory_hint == "Белгород"
    assert posts["ext:3"].territory_hint == "Губкин"
    with drop.open("a", encoding="utf-8") as handle:
        handle.write(line(4) + '{"id": "ext:5", "text": "ещё пиш')  # the last line is unfinished
    second = collect(settings, engine)["export"]
    assert second.fetched == 1 and "ext:5" not in stored(engine)
    with drop.open("a", encoding="utf-8") as handle:
        handle.write('ется"}\n')
    assert collect(settings, engine)["export"].inserted == 1
    assert source_row(engine, "export").cursor["offset"] == drop.stat().st_size


def test_a_replaced_file_is_read_again_without_duplicates(tmp_path, sqlite_url):
    drop = tmp_path / "drop.jsonl"
    drop.write_text(line(1) + line(2) + line(3), "utf-8")
    source = {"name": "export", "kind": "file", "address": str(drop)}
    settings = make_settings(tmp_path, sqlite_url, [source])
    engine = make_engine(sqlite_url)
    collect(settings, engine)

    drop.unlink()
    drop.write_text(line(3) + line(4), "utf-8")  # rotated: shorter, new inode
    report = collect(settings, engine)["export"]

    assert report.inserted == 1 and set(stored(engine)) == {f"ext:{n}" for n in (1, 2, 3, 4)}


def test_a_missing_file_is_unavailable(tmp_path, sqlite_url):
    source = {"name": "export", "kind": "file", "address": "nowhere.jsonl"}
    settings = make_settings(tmp_path, sqlite_url, [source])
    report = collect(settings, make_engine(sqlite_url))["export"]
    assert report.status == "unavailable" and "nowhere.jsonl" in report.error
