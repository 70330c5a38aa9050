"""What a newcomer meets at the command line: config and model found from any folder,
one Russian line per mistake, tables that keep the incident number at 80 columns."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFIG, ROOT
from tests.helpers import run_cli


@pytest.fixture
def elsewhere(tmp_path, monkeypatch) -> Path:
    """A working folder outside the clone, with no config.yaml in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("OTKLIK_CONFIG", raising=False)
    monkeypatch.delenv("OTKLIK_DATABASE_URL", raising=False)
    return folder


@pytest.fixture
def demo_db(tmp_path_factory) -> str:
    """The demo, built once in its own folder."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    env = {**os.environ, "OTKLIK_DEMO_PASSWORD": "demo-password-1"}
    subprocess.run(
        [sys.executable, "-m", "monitor", "demo", "--database", url, "--config", str(CONFIG)],
        cwd=ROOT,  # this checkout's code, wherever the package is installed from
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return url


def test_classify_finds_config_and_model_from_another_folder(elsewhere, capsys) -> None:
    result = run_cli(capsys, "classify", "--text", "Поврежден колодец во дворе")
    assert result.code == 0, result.err
    assert '"relevant"' in result.out


def test_a_named_config_that_does_not_exist_is_an_error(elsewhere, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OTKLIK_CONFIG", str(elsewhere / "nope.yaml"))
    result = run_cli(capsys, "queue")
    assert result.code == 1
    assert result.err.startswith("Ошибка: Файл настроек не найден (OTKLIK_CONFIG)")
    assert "nope.yaml" in result.err


def test_read_commands_never_create_a_database(elsewhere, capsys) -> None:
    for args in (["queue"], ["incident", "show", "1"], ["summary"], ["heatmap"]):
        result = run_cli(capsys, *args)
        assert result.code == 1, args
        assert "База данных не найдена" in result.err and "otklik init" in result.err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["incident", "show", "abc"], "неверное значение ID: нужно целое число"),
        (["queue", "--limt", "5"], "нет параметра --limt; может быть, --limit?"),
        (["quue"], "нет команды 'quue'; может быть, 'queue'?"),
        (["queue", "--limit", "1.5"], "неверное значение --limit: нужно целое число"),
    ],
)
def test_usage_mistakes_are_one_russian_line(capsys, args, expected) -> None:
    result = run_cli(capsys, *args)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("Ошибка: ") and expected in lines[0]
    assert "Справка: otklik" in lines[0] and "--help" in lines[0]
    assert not re.search(r"[A-Za-z]{4,} (is|an|not|valid)\b", lines[0])


def test_a_refused_postgresql_connection_is_one_russian_line(capsys) -> None:
    result = run_cli(capsys, "queue", "--database", "postgresql://nobody@127.0.0.1:1/none")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "сервер базы данных не принимает соединения" in lines[0]


def test_error_text_with_markup_characters_is_printed_as_it_is(elsewhere, capsys) -> None:
    result = run_cli(capsys, "ingest", str(elsewhere / "[/]y.jsonl"), "--config", str(CONFIG))
    assert result.code == 1
    assert "[/]y.jsonl" in result.err


def test_help_is_russian(capsys) -> None:
    result = run_cli(capsys, "incident", "show", "--help")
    assert result.code == 0
    assert "Параметры" in result.out and "Показать эту справку и выйти" in result.out
    assert "Show this message" not in result.out


def test_queue_says_how_many_of_how_many_and_keeps_the_number_at_80_columns(
    demo_db, capsys, monkeypatch
) -> None:
    from monitor.cli.render import console

    monkeypatch.setattr(console, "_width", 80)
    result = run_cli(capsys, "queue", "--limit", "5", "--database", demo_db)
    assert result.code == 0, result.err
    total = int(re.search(r"Очередь инцидентов: 5 из (\d+)", result.out).group(1))
    assert total > 5
    assert f"--limit {total}" in result.out
    assert max(len(line) for line in result.out.splitlines()) <= 80
    numbers = re.findall(r"^│\s+(\d+) │", result.out, flags=re.MULTILINE)
    assert len(numbers) == 5
    shown = run_cli(capsys, "queue", "--limit", "5", "--json", "--database", demo_db)
    assert [int(n) for n in numbers] == [
        int(n) for n in re.findall(r'^    "id": (\d+)', shown.out, flags=re.MULTILINE)
    ]


def test_heat_map_fits_80_columns_and_says_what_it_left_out(demo_db, capsys, monkeypatch):
    from monitor.cli.render import console

    monkeypatch.setattr(console, "_width", 80)
    result = run_cli(capsys, "heatmap", "--database", demo_db)
    assert result.code == 0, result.err
    assert max(len(line) for line in result.out.splitlines()) <= 80
    assert "показаны" in result.out and "остальные" in result.out


def test_incident_history_reads_in_russian_with_names(demo_db, capsys) -> None:
    result = run_cli(capsys, "incident", "show", "1", "--database", demo_db)
    assert result.code == 0, result.err
    history = result.out.split("История", 1)[1]
    assert "Создан" in history and "Направлен получателю" in history
    assert "{" not in history and "'" not in history
    for code in ("routed", "post_added", "first_response", "centre"):
        assert code not in history


def test_cli_is_runnable_from_the_installed_script_outside_the_clone(tmp_path) -> None:
    script = Path(sys.executable).with_name("otklik")
    if not script.exists():
        pytest.skip("the otklik script is not installed beside this interpreter")
    installed = subprocess.run(
        [sys.executable, "-c", "import monitor; print(monitor.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not installed.startswith(str(ROOT)):
        pytest.skip(f"the installed otklik runs another checkout ({installed})")
    result = subprocess.run(
        [str(script), "classify", "--text", "огромные ямы вдоль дороги"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "OTKLIK_CONFIG"},
    )
    assert result.returncode == 0, result.stderr
    assert '"sector"' in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_root_has_the_default_config() -> None:
    assert (ROOT / "config.yaml").is_file()


def _commands(command, path=("otklik",)):
    yield path, command
    for name, child in getattr(command, "commands", {}).items():
        yield from _commands(child, (*path, name))


def test_every_command_and_option_has_russian_help() -> None:
    import typer.main

    from monitor.cli import app

    missing = []
    cyrillic = re.compile("[А-Яа-яЁё]")
    for path, command in _commands(typer.main.get_command(app)):
        if not cyrillic.search(command.help or ""):
            missing.append(" ".join(path))
        for param in command.params:
            if param.param_type_name == "option" and not cyrillic.search(param.help or ""):
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_weekly_note_into_a_missing_folder_is_an_error(demo_db, capsys, tmp_path) -> None:
    target = tmp_path / "no-such-dir" / "sub" / "note.docx"
    result = run_cli(capsys, "report", "weekly", "--out", str(target), "--database", demo_db)
    assert result.code == 1
    assert "Папки для записки нет" in result.err
    assert not (tmp_path / "no-such-dir").exists()
