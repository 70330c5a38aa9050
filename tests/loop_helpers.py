"""Shared pieces of the analysts' loop tests: a processed sample and labels for it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CONFIG, ROOT
from tests.helpers import run_cli

SAMPLE = ROOT / "monitor" / "sample" / "posts.jsonl"
NOW = "2026-11-23T12:00:00+03:00"
PERIOD = ("--from", "2026-11-16", "--to", "2026-11-22")
# Words that make a sample post a signal for these tests' "analysts" (and its sector).
SIGNAL_WORDS = {
    "мусор": "waste",
    "яма": "roads",
    "ямы": "roads",
    "автобус": "transport",
    "свет": "energy",
    "вод": "housing",
    "отоплен": "housing",
}


def cli(capsys, db_url: str, *args: str):
    """`otklik ARGS` on the test database with the shipped config; must succeed."""
    result = run_cli(capsys, *args, "--config", str(CONFIG), "--database", db_url)
    assert result.code == 0, result.err + result.out
    return result


def processed(capsys, db_url: str) -> None:
    """The demo sample ingested and processed with the shipped model."""
    cli(capsys, db_url, "ingest", str(SAMPLE))
    cli(capsys, db_url, "process", "--now", NOW)


def analyst_label(item: dict) -> dict:
    """What the tests' analyst decides about a suggested post: a fixed keyword rule."""
    text = item["text"].lower()
    sector = next((s for word, s in SIGNAL_WORDS.items() if word in text), None)
    return {
        "id": item["id"],
        "relevant": sector is not None,
        "sector": sector,
        "risk": "medium" if sector else None,
        "territory": None,
    }


def suggested(capsys, db_url: str, queue: str, n: int) -> list[dict]:
    """`review suggest --json` as dicts."""
    out = cli(
        capsys, db_url, "review", "suggest", "--queue", queue, "--n", str(n), "--json", *PERIOD
    )
    return [json.loads(line) for line in out.out.splitlines() if line.strip()]


def write_labels(path: Path, items: list[dict]) -> Path:
    """The analyst's labels of suggested posts as an import file."""
    path.write_text(
        "".join(json.dumps(analyst_label(item), ensure_ascii=False) + "\n" for item in items),
        encoding="utf-8",
    )
    return path
