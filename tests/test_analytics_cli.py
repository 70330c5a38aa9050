"""`otklik heatmap / ratings / growth / problems / report weekly` as a user runs them."""

from __future__ import annotations

import json
import shutil

import pytest
from docx import Document

from monitor.store import make_engine
from tests.analytics_data import note_history
from tests.conftest import CONFIG
from tests.helpers import run_cli

NOW = "2026-11-30T12:00:00+03:00"


@pytest.fixture(scope="module")
def database(tmp_path_factory, sqlite_template) -> str:
    path = tmp_path_factory.mktemp("cli") / "otklik.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    note_history(engine)
    engine.dispose()
    return url


def _run(capsys, database: str, *args: str):
    return run_cli(capsys, *args, "--config", str(CONFIG), "--database", database, "--now", NOW)


def test_heatmap_json_and_drill_down(capsys, database):
    result = _run(capsys, database, "heatmap", "--week", "2026-W47", "--json")
    assert result.code == 0, result.err
    heat = json.loads(result.out)
    assert heat["period"]["from"] == "2026-11-16"
    assert heat["previous_period"]["to"] == "2026-11-15"
    cell = next(c for c in heat["cells"] if (c["sector"], c["territory"]) == ("roads", None))
    assert (cell["count"], cell["previous"]) == (2, 0)
    result = _run(
        capsys,
        database,
        "heatmap",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-22",
        "--sector",
        "roads",
        "--territory",
        "не определена",
        "--json",
    )
    assert len(json.loads(result.out)["incidents"]) == 2


def test_heatmap_table_for_people(capsys, database):
    result = _run(capsys, database, "heatmap", "--week", "2026-W47")
    assert result.code == 0
    assert "16–22 ноября 2026 г." in result.out and "Шебекино" in result.out
    assert "Всего:" in result.out


def test_ratings_json_has_the_rule_and_the_rank(capsys, database):
    result = _run(capsys, database, "ratings", "--week", "2026-W47", "--json")
    rows = json.loads(result.out)
    assert "Место" in rows["rule"]
    assert [r["rank"] for r in rows["ratings"]] == list(range(1, len(rows["ratings"]) + 1))
    mine = _run(
        capsys, database, "ratings", "--week", "2026-W47", "--recipient", "minzhkh", "--json"
    )
    assert [r["code"] for r in json.loads(mine.out)["ratings"]] == ["minzhkh"]


def test_growth_names_the_test_and_the_drivers(capsys, database):
    result = _run(capsys, database, "growth", "--week", "2026-W47", "--json")
    report = json.loads(result.out)
    assert "Бенджамини" in report["test"]
    cell = next(a for a in report["alerts"] if a["level"] == "sector_territory")
    assert (cell["sector"], cell["territory"]) == ("housing", "Шебекино")
    assert {"kind": "source", "name": "vk-shebekino"} in [
        {"kind": d["kind"], "name": d["name"]} for d in cell["drivers"]
    ]
    text = _run(capsys, database, "growth", "--week", "2026-W47").out
    assert "ЖКХ · Шебекино" in text and "труба" in text


def test_problems_of_one_sector(capsys, database):
    result = _run(
        capsys, database, "problems", "--week", "2026-W47", "--sector", "housing", "--json"
    )
    [housing] = json.loads(result.out)["sectors"]
    assert housing["sector"] == "housing" and len(housing["categories"]) >= 3
    assert all(c["example_title"] for c in housing["categories"])


def test_report_weekly_writes_docx_and_html(capsys, database, tmp_path):
    result = _run(
        capsys,
        database,
        "report",
        "weekly",
        "--week",
        "2026-W47",
        "--out",
        str(tmp_path / "note.docx"),
    )
    assert result.code == 0, result.err
    assert "сохранена" in result.out
    assert Document(str(tmp_path / "note.docx")).paragraphs[0].text == "Аналитическая записка"
    result = _run(
        capsys,
        database,
        "report",
        "weekly",
        "--week",
        "2026-W47",
        "--out",
        str(tmp_path / "note.html"),
    )
    assert (tmp_path / "note.html").read_text(encoding="utf-8").startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "weekly", "--out", "note.pdf"), ".docx или .html"),
        (("heatmap", "--week", "2026-W99"), "нет недели 99"),
        (("heatmap", "--sector", "roads"), "и --territory"),
        (("problems", "--sector", "nonsense"), "Неизвестный сектор"),
        (("ratings", "--recipient", "nobody"), "Получатель не найден"),
        (("growth", "--from", "2026-11-20", "--to", "2026-11-01"), "раньше начала"),
    ],
)
def test_mistakes_get_one_russian_line(capsys, database, args, message):
    result = _run(capsys, database, *args)
    assert result.code == 1
    assert message in result.err and "Traceback" not in result.err
