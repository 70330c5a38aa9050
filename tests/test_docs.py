"""Every setting and every command is documented."""

from __future__ import annotations

import re

import typer
from pydantic import BaseModel

from monitor.cli import app
from monitor.config import Settings, load_settings
from tests.conftest import CONFIG, ROOT


def _models(model: type[BaseModel], seen: set) -> list[type[BaseModel]]:
    found = [model]
    seen.add(model)
    for field in model.model_fields.values():
        for arg in _types(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
                found += _models(arg, seen)
    return found


def _types(annotation) -> list:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [t for arg in args for t in _types(arg)]


def test_every_setting_has_help():
    missing = [
        f"{model.__name__}.{name}"
        for model in _models(Settings, set())
        for name, field in model.model_fields.items()
        if not field.description
    ]
    assert missing == []


def test_shipped_config_loads_and_routes_to_known_recipients():
    settings = load_settings(CONFIG)
    codes = {r.code for r in settings.recipients}
    assert {rule.recipient for rule in settings.routing.rules} <= codes
    assert settings.routing.fallback in codes
    assert len(settings.sectors) == 15


def _commands(group, prefix: str = "") -> dict:
    found = {}
    for name, command in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):
            found.update(_commands(command, full + " "))
        else:
            found[full] = command
    return found


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _commands(typer.main.get_command(app))
    assert commands
    undocumented = [
        name
        for name, command in commands.items()
        if not command.help or not re.search(rf"otklik {re.escape(name)}\b", readme)
    ]
    assert undocumented == []


def test_every_command_takes_config_and_database():
    commands = _commands(typer.main.get_command(app))
    missing = [
        name
        for name, command in commands.items()
        if not {"--config", "--database"}
        <= {opt for p in command.params for opt in getattr(p, "opts", [])}
    ]
    assert missing == []
