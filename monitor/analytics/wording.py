"""Numbers as a Russian reader expects them: spaces in thousands, decimal commas, plurals."""

from __future__ import annotations

NBSP = "\u00a0"
MINUS = "\u2212"


def number(value: float, digits: int = 0) -> str:
    """1234567 → «1 234 567», 3.5 → «3,5» (with `digits`)."""
    text = f"{abs(value):,.{digits}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if value < 0 else "") + text


def decimal(value: float) -> str:
    """A short decimal with a comma: 0.05 → «0,05», 1.5 → «1,5»."""
    return f"{value:g}".replace(".", ",").replace("-", MINUS)


def percent(share: float | None, digits: int = 0) -> str:
    """0.873 → «87 %»; None → «—»."""
    if share is None:
        return "—"
    return f"{number(share * 100, digits)}{NBSP}%"


def hours(value: float | None) -> str:
    """Hours with one decimal: 2.25 → «2,3 ч»; None → «—»."""
    if value is None:
        return "—"
    return f"{number(value, 1)}{NBSP}ч"


def duration(value: float | None) -> str:
    """Hours up to two days («5,5 ч»), then days («3,2 дн.»)."""
    if value is None:
        return "—"
    if abs(value) < 48:
        return hours(value)
    return f"{number(value / 24, 1)}{NBSP}дн."


def change(now: int, before: int) -> str:
    """Change against a previous count: «+12 %», «−5 %», «без изменений», «было 0»."""
    if now == before:
        return "без изменений"
    if before == 0:
        return f"+{number(now)} (было 0)"
    share = (now - before) / before
    sign = "+" if share > 0 else ""
    return f"{sign}{percent(share)}"


def signed(value: int) -> str:
    """+3, −2, 0."""
    if value > 0:
        return f"+{number(value)}"
    return number(value)


def plural(count: int, one: str, few: str, many: str) -> str:
    """The word for `count`: 1 инцидент, 2 инцидента, 5 инцидентов."""
    tail = abs(count) % 100
    if 11 <= tail <= 14:
        return many
    last = tail % 10
    if last == 1:
        return one
    if 2 <= last <= 4:
        return few
    return many


def incidents_phrase(count: int) -> str:
    """«1 234 инцидента»."""
    return f"{number(count)} {plural(count, 'инцидент', 'инцидента', 'инцидентов')}"
