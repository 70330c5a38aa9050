"""`otklik init` and `otklik ingest` as a user runs them: idempotent, clear errors."""

from __future__ import annotations

import json

from sqlalchemy import select

from monitor.store import make_engine
from monitor.store.tables import posts, sources
from tests.conftest import CONFIG
from tests.helpers import run_cli


def _write(path, rows):
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


ROWS = [
    {
        "id": "vk:-1_1",
        "source": "vk",
        "text": "Нет воды на Ленина",
        "published_at": "2026-11-16T10:00:00+03:00",
        "reach": {"views": 100},
        "author": {"id": "vk:5", "name": "Ира", "audience": 40},
        "mood": "злой",
    },
    {"id": "vk:-1_2", "source": "vk", "text": "Яма у школы", "published_at": 1763283600},
]


def test_init_then_ingest_twice_stores_once(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    assert run_cli(capsys, "init", "--config", str(CONFIG), "--database", url).code == 0
    data = _write(tmp_path / "posts.jsonl", ROWS)
    first = run_cli(capsys, "ingest", str(data), "--database", url, "--source", "vk-test")
    second = run_cli(capsys, "ingest", str(data), "--database", url, "--source", "vk-test")
    assert first.code == second.code == 0
    assert "новых 2" in first.out and "новых 0" in second.out
    with make_engine(url).connect() as connection:
        rows = connection.execute(
            select(posts.c.external_id, posts.c.raw, posts.c.views).order_by(posts.c.external_id)
        ).all()
        names = connection.execute(select(sources.c.name)).scalars().all()
    assert [r.external_id for r in rows] == ["vk:-1_1", "vk:-1_2"]
    assert rows[0].raw["mood"] == "злой" and rows[0].views == 100
    assert names == ["vk-test"]


def test_malformed_line_names_the_line_and_stores_nothing(tmp_path, capsys, sqlite_url):
    data = tmp_path / "bad.jsonl"
    data.write_text(json.dumps(ROWS[0]) + "\n" + '{"id": "x", "text": \n', encoding="utf-8")
    result = run_cli(capsys, "ingest", str(data), "--database", sqlite_url)
    assert result.code == 1
    assert "строка 2" in result.err and "Traceback" not in result.err
    with make_engine(sqlite_url).connect() as connection:
        assert connection.execute(select(posts)).all() == []
    skipped = run_cli(capsys, "ingest", str(data), "--database", sqlite_url, "--skip-bad")
    assert skipped.code == 0 and "пропущено строк 1" in skipped.out


def test_wrong_encoding_missing_fields_and_missing_file(tmp_path, capsys, sqlite_url):
    cp1251 = tmp_path / "cp1251.jsonl"
    cp1251.write_bytes('{"id": "1", "text": "Нет воды"}\n'.encode("cp1251"))
    no_text = _write(tmp_path / "notext.jsonl", [{"id": "1"}])
    cases = {
        cp1251: "UTF-8",
        no_text: "нет текста",
        tmp_path / "absent.jsonl": "Файл не найден",
    }
    for path, message in cases.items():
        result = run_cli(capsys, "ingest", str(path), "--database", sqlite_url)
        assert result.code == 1 and message in result.err, result.err


def test_bad_database_url_and_uninitialised_database(tmp_path, capsys):
    bad = run_cli(capsys, "queue", "--database", "mysql+nothing://x")
    assert bad.code == 1 and "Ошибка" in bad.err and "Traceback" not in bad.err
    empty = run_cli(capsys, "queue", "--database", f"sqlite:///{tmp_path / 'e.db'}")
    assert empty.code == 1 and "otklik init" in empty.err


def test_bad_config_file_is_one_clear_line(tmp_path, capsys):
    config = tmp_path / "c.yaml"
    config.write_text("grouping:\n  window_hours: много\n", encoding="utf-8")
    result = run_cli(capsys, "init", "--config", str(config))
    assert result.code == 1 and "grouping.window_hours" in result.err
    missing = run_cli(capsys, "init", "--config", str(tmp_path / "none.yaml"))
    assert missing.code == 1 and "не найден" in missing.err
