"""`otklik train`, `otklik evaluate` and `otklik classify` as a user runs them."""

from __future__ import annotations

import io
import itertools
import json
import sys

from tests import classifier_helpers
from tests.classifier_helpers import write_jsonl
from tests.conftest import CONFIG
from tests.helpers import run_cli

# Shared fixtures, bound here so pytest finds them.
sample_file = classifier_helpers.sample_file
tiny_model = classifier_helpers.tiny_model


def test_train_writes_a_package_and_prints_the_test_report(capsys, tmp_path, sample_file):
    out = tmp_path / "models" / "cli"
    result = run_cli(
        capsys,
        "train",
        "--data",
        str(sample_file),
        "--out",
        str(out),
        "--cv",
        "0",
        "--config",
        str(CONFIG),
    )
    assert result.code == 0, result.err
    assert (out / "meta.json").is_file()
    assert "Отложенная тестовая выборка" in result.out and "macro-F1" in result.out


def test_train_refuses_bad_labels(capsys, tmp_path):
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [{"id": "1", "text": "x", "relevant": True, "sector": "roadz", "risk": "low"}],
    )
    result = run_cli(
        capsys, "train", "--data", str(bad), "--out", str(tmp_path / "m"), "--config", str(CONFIG)
    )
    assert result.code == 1
    assert "неизвестный сектор 'roadz'" in result.err


def test_evaluate_json_has_the_agreed_keys(capsys, tmp_path, tiny_model):
    gold = write_jsonl(
        tmp_path / "gold.jsonl",
        [
            {
                "id": "a",
                "text": "На улице Ленина огромная яма, машины бьют колёса",
                "relevant": True,
                "sector": "roads",
                "risk": "medium",
            },
            {"id": "b", "text": "Поздравляю всех с праздником!", "relevant": False},
            {
                "id": "c",
                "text": "Только сектор: во дворе не вывозят мусор",
                "sector": "waste",
                "relevant": True,
            },
        ],
    )
    result = run_cli(
        capsys,
        "evaluate",
        "--model",
        str(tiny_model),
        "--data",
        str(gold),
        "--json",
        "--config",
        str(CONFIG),
    )
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["n"] == 3
    assert {"precision", "recall", "f1"} <= set(report["relevance"])
    assert {"n", "accuracy", "macro_f1"} <= set(report["sector"])
    assert {"n", "accuracy", "macro_f1"} <= set(report["risk"])
    assert report["sector"]["n"] == 2 and report["risk"]["n"] == 1


def _evaluate(capsys, model, data, *options):
    """`otklik evaluate` on a model and a labelled file, with the test config."""
    return run_cli(
        capsys,
        "evaluate",
        "--model",
        str(model),
        "--data",
        str(data),
        *options,
        "--config",
        str(CONFIG),
    )


def test_evaluate_prints_tables(capsys, tiny_model, sample_file):
    result = _evaluate(capsys, tiny_model, sample_file)
    assert result.code == 0, result.err
    assert "Релевантность" in result.out and "Сектор" in result.out
    assert "Порог релевантности в потоке, где сигналов 12.5%" in result.out
    assert "(модели)" in result.out


def test_evaluate_json_gives_operating_points_for_the_asked_prior(capsys, tiny_model, sample_file):
    result = _evaluate(capsys, tiny_model, sample_file, "--prior", "0.05", "--json")
    assert result.code == 0, result.err
    section = json.loads(result.out)["operating_points"]
    assert section["prior"] == 0.05
    points = section["points"]
    assert [p["own"] for p in points].count(True) == 1
    thresholds = [p["threshold"] for p in points]
    assert thresholds == sorted(thresholds)
    # A higher threshold never catches more signals nor flags more non-signals.
    for low, high in itertools.pairwise(points):
        assert high["recall"] <= low["recall"] and high["flagged"] <= low["flagged"]


def test_evaluate_refuses_a_prior_outside_0_1(capsys, tiny_model, sample_file):
    result = _evaluate(capsys, tiny_model, sample_file, "--prior", "1.5")
    assert result.code != 0


def test_classify_stdin_skips_bad_lines(capsys, monkeypatch, tiny_model):
    lines = [
        json.dumps({"id": "x1", "text": "В подъезде пахнет газом, срочно!"}, ensure_ascii=False),
        "not json",
        json.dumps({"id": "x2"}),
        json.dumps({"text": "Продаю коляску недорого"}, ensure_ascii=False),
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    result = run_cli(capsys, "classify", "--model", str(tiny_model), "--config", str(CONFIG))
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [row["id"] for row in rows] == ["x1", "4"]
    assert "строка 2 пропущена" in result.err and "строка 3 пропущена" in result.err
    assert {
        "relevant",
        "sector",
        "sector_proba",
        "risk_text",
        "risk",
        "entities",
        "territory",
        "model_version",
    } <= set(rows[0])


def test_classify_one_text_with_the_default_model(capsys):
    result = run_cli(
        capsys, "classify", "--text", "В Валуйках прорвало трубу, нет воды", "--config", str(CONFIG)
    )
    assert result.code == 0, result.err
    row = json.loads(result.out)
    assert row["id"] == "text" and row["relevant"] and row["territory"] == "Валуйки"


def test_missing_model_is_one_clear_line(capsys, tmp_path):
    result = run_cli(
        capsys,
        "classify",
        "--model",
        str(tmp_path / "none"),
        "--text",
        "x",
        "--config",
        str(CONFIG),
    )
    assert result.code == 1
    assert "Модель не найдена" in result.err
