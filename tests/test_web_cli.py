"""`otklik user add|list|token` and the demo's login hint."""

from __future__ import annotations

import io
import json

import pytest

from monitor.cli.web import demo_login
from monitor.context import Context
from monitor.web.users import check_password
from tests.conftest import CONFIG
from tests.helpers import run_cli
from tests.web_helpers import cheap_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def database(sqlite_url):
    ctx = Context.open(CONFIG, sqlite_url)
    from monitor.incidents.routing import sync_recipients

    with ctx.db.begin() as connection:
        sync_recipients(connection, ctx.settings)
    ctx.engine.dispose()
    return sqlite_url


def _add(capsys, monkeypatch, database, *args, password="long-password-1"):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return run_cli(capsys, "user", "add", *args, "--config", str(CONFIG), "--database", database)


def test_add_list_and_token(capsys, monkeypatch, database):
    added = _add(
        capsys, monkeypatch, database, "zhkh", "--role", "recipient", "--recipient", "minzhkh"
    )
    assert added.code == 0, added.err
    assert "Министерство ЖКХ области" in added.out
    listed = run_cli(capsys, "user", "list", "--json", "--database", database)
    assert json.loads(listed.out) == [
        {
            "name": "zhkh",
            "role": "recipient",
            "recipient": "minzhkh",
            "active": True,
            "api_token": False,
        }
    ]
    issued = run_cli(capsys, "user", "token", "zhkh", "--database", database)
    token = issued.out.strip().splitlines()[-1]
    assert token.startswith("otk_") and len(token) > 40
    ctx = Context.open(CONFIG, database)
    with ctx.db.connect() as connection:
        assert check_password(connection, "zhkh", "long-password-1").recipient_code == "minzhkh"
    ctx.engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("x", "--role", "boss"), "Неизвестная роль"),
        (("x", "--role", "recipient"), "нужен получатель"),
        (("x", "--role", "officer", "--recipient", "minzhkh"), "только для роли recipient"),
        (("x", "--role", "recipient", "--recipient", "nobody"), "Получатель не найден"),
    ],
)
def test_bad_user_is_one_clear_line(capsys, monkeypatch, database, args, message):
    result = _add(capsys, monkeypatch, database, *args)
    assert result.code == 1
    assert message in result.err and "Traceback" not in result.err


def test_short_password_and_duplicate_name(capsys, monkeypatch, database):
    assert (
        "Пароль короче"
        in _add(capsys, monkeypatch, database, "a", "--role", "admin", password="short").err
    )
    assert _add(capsys, monkeypatch, database, "a", "--role", "admin").code == 0
    assert "уже есть" in _add(capsys, monkeypatch, database, "a", "--role", "admin").err


def test_demo_login_prints_how_to_sign_in(capsys, monkeypatch, database):
    ctx = Context.open(CONFIG, database)
    monkeypatch.delenv("OTKLIK_DEMO_PASSWORD", raising=False)
    demo_login(ctx, None, database)
    out = capsys.readouterr().out
    password = out.split("admin / ")[1].split()[0]
    assert f"otklik serve --database {database}" in out
    assert "http://127.0.0.1:8000/" in out
    monkeypatch.setenv("OTKLIK_DEMO_PASSWORD", "from-the-environment")
    demo_login(ctx, None, database)
    again = capsys.readouterr().out
    assert "пароль из OTKLIK_DEMO_PASSWORD" in again and "from-the-environment" not in again
    with ctx.db.connect() as connection:
        assert check_password(connection, "admin", password) is None
        assert check_password(connection, "admin", "from-the-environment").role == "admin"
    ctx.engine.dispose()
