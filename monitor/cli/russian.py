"""The command line speaks Russian: typer's help frame, the help option and usage errors.

Typer and click print their own frame ("Options", "Show this message and exit.", usage
errors) in English; this module sets the frame's strings, which typer exposes for this, and
turns click's usage errors into one Russian line with where to find help.
"""

from __future__ import annotations

import re
import types
from enum import Enum
from pathlib import Path
from typing import Any

import typer
import typer.rich_utils as rich_utils

try:  # typer 0.26 and newer carry their own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer on the real click
    from click import exceptions as click_errors

HELP_OPTION_TEXT = "Показать эту справку и выйти"
USAGE_PREFIX = "Вызов: "

FRAME = {
    "ARGUMENTS_PANEL_TITLE": "Аргументы",
    "OPTIONS_PANEL_TITLE": "Параметры",
    "COMMANDS_PANEL_TITLE": "Команды",
    "ERRORS_PANEL_TITLE": "Ошибка",
    "ABORTED_TEXT": "Прервано.",
    "DEFAULT_STRING": "[по умолчанию: {}]",
    "ENVVAR_STRING": "[переменная окружения: {}]",
    "REQUIRED_LONG_STRING": "[обязательно]",
    "DEPRECATED_STRING": "(устарело) ",
    "RICH_HELP": "Справка: [blue]'{command_path} {help_option}'[/]",
}

TYPE_NEEDS = {
    int: "нужно целое число",
    float: "нужно число",
    bool: "нужно да или нет (true/false)",
    Path: "нужен путь к файлу",
}


def russify_frame() -> None:
    """Set typer's help-frame strings to Russian (idempotent)."""
    for name, text in FRAME.items():
        setattr(rich_utils, name, text)


def russify_commands(command: Any) -> None:
    """Give every command of the tree a Russian usage line and `--help` text."""

    def get_help_option(self, ctx):
        option = type(self).get_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    def format_usage(self, ctx, formatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    command.get_help_option = types.MethodType(get_help_option, command)
    command.format_usage = types.MethodType(format_usage, command)
    if command.options_metavar:
        command.options_metavar = "[ПАРАМЕТРЫ]"
    if getattr(command, "subcommand_metavar", None):
        command.subcommand_metavar = "КОМАНДА [АРГУМЕНТЫ]..."
    for child in getattr(command, "commands", {}).values():
        russify_commands(child)


def _param_hint(param: Any) -> str:
    if param is None:
        return "значение"
    if getattr(param, "param_type_name", "") == "argument":
        return (param.metavar or param.name or "аргумент").upper()
    return " / ".join(param.opts) or param.name


def _annotation(param: Any) -> Any:
    """The Python type a parameter takes (typer's descriptor, or click's type)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        return descriptor.annotation
    return {"integer": int, "float": float, "boolean": bool, "path": Path}.get(
        getattr(getattr(param, "type", None), "name", "")
    )


def _bad_value(exc: Any) -> str:
    param = exc.param
    quoted = re.search(r"'([^']*)'", exc.message or "")
    value = f" {quoted.group(1)!r}" if quoted else ""
    annotation = _annotation(param)
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        need = "одно из: " + ", ".join(str(member.value) for member in annotation)
    elif low is not None or high is not None:
        need = f"нужно число от {'…' if low is None else low} до {'…' if high is None else high}"
    else:
        need = TYPE_NEEDS.get(annotation, exc.message or "")
    return f"неверное значение {_param_hint(param)}{value}: {need}"


def usage_message(exc: Any) -> str:
    """One Russian line for a click usage error."""
    message = exc.message or ""
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"нет параметра {exc.option_name}"
        if exc.possibilities:
            text += "; может быть, " + ", ".join(sorted(exc.possibilities)) + "?"
        return text
    if isinstance(exc, click_errors.MissingParameter):
        return f"не указан {_param_hint(exc.param)}"
    if isinstance(exc, click_errors.BadParameter):
        return _bad_value(exc)
    if isinstance(exc, click_errors.BadOptionUsage):
        return f"параметру {exc.option_name} нужно значение"
    unknown = re.match(r"No such command '([^']*)'\.?(?: Did you mean (.*)\?)?", message)
    if unknown:
        text = f"нет команды {unknown.group(1)!r}"
        return text + (f"; может быть, {unknown.group(2)}?" if unknown.group(2) else "")
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", message)
    if extra:
        return f"лишние аргументы: {extra.group(1)}"
    if message.startswith("Missing command"):
        return "не указана команда"
    return message


def usage_line(exc: Any) -> str:
    """The usage error and where the user finds help for the command that failed."""
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "otklik"
    message = usage_message(exc).rstrip(".")
    separator = " " if message.endswith("?") else ". "
    return f"{message}{separator}Справка: {path} --help"


UsageError = click_errors.UsageError
NoArgsIsHelpError = getattr(click_errors, "NoArgsIsHelpError", ())
Abort = typer.Abort
