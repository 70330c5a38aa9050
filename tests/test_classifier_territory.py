"""Territory from a post: gazetteer names matched in any grammatical case."""

from __future__ import annotations

from pathlib import Path

import pymorphy3
import pytest
import yaml

from classifier.territory import Gazetteer, word_forms
from tests.conftest import CONFIG

CASES = Path(__file__).parent / "data" / "classifier_territory.txt"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    entries = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["territories"]
    return Gazetteer.build(entries, pymorphy3.MorphAnalyzer())


def _cases() -> list[tuple[str, str]]:
    lines = CASES.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize(("text", "expected"), _cases())
def test_territory_golden(gazetteer, text, expected):
    assert gazetteer.resolve(text) == (None if expected == "-" else expected)


def test_hint_used_only_without_a_match(gazetteer):
    assert gazetteer.resolve("нет воды третий день", hint="Губкин") == "Губкин"
    assert gazetteer.resolve("в Валуйках нет воды", hint="Губкин") == "Валуйки"
    assert gazetteer.resolve("нет воды", hint="Москва") is None


def test_unknown_name_gets_case_endings():
    forms = word_forms("Ивня", pymorphy3.MorphAnalyzer())
    assert {"ивня", "ивни", "ивне", "ивню"} <= forms


def test_match_positions(gazetteer):
    text = "жители Красной Яруги"
    [(name, start, end, _)] = gazetteer.find(text)
    assert (name, text[start:end]) == ("Красная Яруга", "Красной Яруги")
