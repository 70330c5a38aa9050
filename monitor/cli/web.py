"""Web commands: `otklik serve` and `otklik user add|list|token`."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from monitor.cli.app import (
    ConfigOption,
    DatabaseOption,
    JsonOption,
    actor_name,
    app,
    open_context,
)
from monitor.cli.render import console, print_json
from monitor.context import Context
from monitor.errors import InputError

DEMO_ADMIN = "admin"
DEMO_PASSWORD_ENV = "OTKLIK_DEMO_PASSWORD"
user_app = typer.Typer(help="Пользователи веб-страницы и API.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command(help="Запустить веб-страницу и JSON API.")
def serve(
    host: Annotated[str | None, typer.Option(help="Адрес (по умолчанию web.host)")] = (None),
    port: Annotated[int | None, typer.Option(help="Порт (по умолчанию web.port)")] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Start the web page and the JSON API."""
    import uvicorn

    from monitor.web import create_app

    ctx = open_context(config, database)
    ctx.db  # noqa: B018  (fail now, with a clear message, if the store is not migrated)
    host = host or ctx.settings.web.host
    port = port or ctx.settings.web.port
    console.print(f"Отклик: http://{host}:{port}/  (API: http://{host}:{port}/api/docs)")
    uvicorn.run(create_app(ctx), host=host, port=port, log_level="info", proxy_headers=False)


def demo_login(ctx: Context, config: Path | None, database: str | None) -> None:
    """Create the demo admin and print how to open the page and sign in."""
    from monitor.web.users import ensure_admin

    password = os.environ.get(DEMO_PASSWORD_ENV) or secrets.token_urlsafe(9)
    ensure_admin(ctx.db, DEMO_ADMIN, password, now=ctx.now())
    options = "".join(
        f" {flag} {value}"
        for flag, value in (("--config", config), ("--database", database))
        if value
    )
    web = ctx.settings.web
    console.print("\n[bold]Веб-страница[/]")
    console.print(f"  Запустите:  otklik serve{options}")
    console.print(f"  Откройте:   http://{web.host}:{web.port}/")
    if os.environ.get(DEMO_PASSWORD_ENV):
        console.print(f"  Вход:       {DEMO_ADMIN}, пароль из {DEMO_PASSWORD_ENV}")
    else:
        console.print(f"  Вход:       {DEMO_ADMIN} / {password}", highlight=False)
        console.print(
            f"  (пароль показан один раз; свой пароль можно задать в {DEMO_PASSWORD_ENV})"
        )


def read_password(name: str) -> str:
    """The new password: the first line of stdin when piped, else asked twice."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("Пароль не передан: подайте его первой строкой на stdin")
        return password
    return typer.prompt(f"Пароль для {name}", hide_input=True, confirmation_prompt=True)


@user_app.command(
    "add",
    help="Добавить пользователя; пароль читается со стандартного ввода или спрашивается.",
)
def user_add(
    name: Annotated[str, typer.Argument(help="Имя для входа")],
    role: Annotated[str, typer.Option("--role", help="admin, officer, recipient или analyst")],
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="Код получателя (только для роли recipient)")
    ] = None,
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Add a user; the password comes from stdin or is asked for."""
    from monitor.web.users import add_user

    ctx = open_context(config, database)
    engine = ctx.db
    user = add_user(
        engine,
        name,
        role,
        read_password(name),
        now=ctx.now(),
        recipient_code=recipient,
        actor=actor_name(None),
    )
    where = f" ({user.recipient_name})" if user.recipient_name else ""
    console.print(f"Пользователь {user.name} добавлен: {user.role_name}{where}")


@user_app.command("list", help="Пользователи с ролями и получателями.")
def user_list(
    as_json: JsonOption = False, config: ConfigOption = None, database: DatabaseOption = None
) -> None:
    """List users with their roles and recipients."""
    from monitor.web.users import list_users

    ctx = open_context(config, database)
    with ctx.db.connect() as connection:
        people = list_users(connection)
    rows = [
        {
            "name": person.name,
            "role": person.role,
            "recipient": person.recipient_code,
            "active": person.active,
            "api_token": person.has_token,
        }
        for person in people
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("Пользователей нет: добавьте командой otklik user add")
    for person in people:
        state = "" if person.active else " (заблокирован)"
        where = f" · {person.recipient_code}" if person.recipient_code else ""
        token = " · API-токен выдан" if person.has_token else ""
        console.print(f"{person.name}: {person.role_name}{where}{token}{state}")


@user_app.command(
    "token",
    help="Выдать новый API-токен (старый перестаёт работать); показывается один раз.",
)
def user_token(
    name: Annotated[str, typer.Argument(help="Имя для входа")],
    config: ConfigOption = None,
    database: DatabaseOption = None,
) -> None:
    """Issue a new API token for a user (the old one stops working); printed once."""
    from monitor.web.users import issue_token

    ctx = open_context(config, database)
    token = issue_token(ctx.db, name, actor=actor_name(None))
    console.print(f"API-токен для {name} (показан один раз):", highlight=False)
    print(token)
