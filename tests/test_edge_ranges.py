"""Out-of-range dates and numbers: a clear Russian error, never a traceback or a 500."""

from __future__ import annotations

import pytest

from tests import web_helpers
from tests.helpers import run_cli
from tests.web_helpers import login

store = web_helpers.store  # the shared fixture, bound here so pytest finds it

BAD_PERIODS = [
    {"week": "9999-W52"},
    {"week": "0001-W01"},
    {"from": "0001-01-01"},
    {"to": "9999-12-31"},
    {"from": "1970-01-01", "to": "2099-12-31"},  # within the dates, longer than ten years
]
PAGES = [
    "/analytics/heatmap",
    "/analytics/ratings",
    "/analytics/growth",
    "/analytics/problems",
    "/analytics/weekly.html",
]


def _options(period: dict) -> list[str]:
    return [part for key, value in period.items() for part in (f"--{key}", value)]


@pytest.mark.parametrize("period", BAD_PERIODS, ids=lambda p: "-".join(p.values()))
def test_cli_periods_out_of_range_are_clear_errors(period, capsys, sqlite_url, tmp_path):
    for command in (["heatmap"], ["growth"], ["ratings"], ["problems"]):
        result = run_cli(capsys, *command, *_options(period), "--database", sqlite_url)
        assert result.code == 1, (command, result)
        assert result.err.startswith("Ошибка:") and "Traceback" not in result.err
    if "week" in period:
        out = str(tmp_path / "note.docx")
        result = run_cli(
            capsys,
            "report",
            "weekly",
            "--week",
            period["week"],
            "--out",
            out,
            "--database",
            sqlite_url,
        )
        assert result.code == 1 and "вне допустимых дат" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["tick", "--now", "9999-12-31T23:59:59+00:00"],
        ["process", "--now", "0001-01-01T00:00:00+05:00"],
        ["queue", "--limit", "99999999999999999999"],
        ["queue", "--limit", "0"],
        ["incident", "show", "99999999999999999999"],
        ["incident", "close", "99999999999999999999"],
        ["incident", "pause", "99999999999999999999"],
        ["incident", "show", "0"],
    ],
)
def test_cli_numbers_and_moments_out_of_range_are_clear_errors(args, capsys, db_url):
    result = run_cli(capsys, *args, "--database", db_url)
    assert result.code == 1 and result.err.startswith("Ошибка:"), result
    assert "Traceback" not in result.err


def test_web_periods_out_of_range_are_422_not_500(store):
    client = store.client()
    login(client, "analyst")
    for period in BAD_PERIODS:
        for page in PAGES:
            response = client.get(page, params=period)
            assert response.status_code == 422, (page, period, response.status_code)
            assert "вне допустимых дат" in response.text or "длиннее" in response.text
        cell = {"sector": "housing", "territory": "Шебекино", **period}
        assert client.get("/analytics/heatmap/cell", params=cell).status_code == 422


def test_api_incident_numbers_out_of_range(store):
    client = store.client()
    headers = {"Authorization": f"Bearer {store.tokens['officer']}"}
    for number in ("99999999999999999999", "2147483648", "0"):
        response = client.get(f"/api/incidents/{number}", headers=headers)
        assert response.status_code in (404, 422), (number, response.status_code)
        assert response.json()["error"] in ("not_found", "invalid")
    response = client.get("/api/incidents", params={"limit": 10**20}, headers=headers)
    assert response.status_code == 422 and response.json()["error"] == "invalid"


@pytest.mark.parametrize("command", [["queue"], ["incident", "show", "1"], ["heatmap"]])
def test_a_database_in_a_missing_folder_is_an_error_not_created(command, capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'sub' / 'otklik.db'}"
    result = run_cli(capsys, *command, "--database", url)
    assert result.code == 1 and "Папка для файла базы не существует" in result.err
    assert not (tmp_path / "missing").exists()
