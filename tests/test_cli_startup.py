"""The CLI starts without the heavy libraries: an officer runs `queue` all day.

This is a test on the import graph, not on time: each command may load what it needs, but
`import monitor.cli`, `--help`, `queue` and `incident show` must not load the model, the
analytics' numerical stack, the network clients or the web server.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = (
    "sklearn",
    "scipy",
    "numpy",
    "matplotlib",
    "docx",
    "natasha",
    "pymorphy3",
    "razdel",
    "vk_api",
    "feedparser",
    "selectolax",
    "httpx",
    "requests",
    "lxml",
    "fastapi",
    "uvicorn",
    "jinja2",
    "apscheduler",
    "celery",
    "classifier.api",
    "classifier.model",
    "classifier.text",
)

PROBE = """
import json, sys
from monitor.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except (SystemExit, Exception) as exc:  # a clear "not found" still counts: imports are done
    print(type(exc).__name__, exc, file=sys.stderr)
print("\\nMODULES" + json.dumps(sorted(sys.modules)))
"""


def loaded_modules(*args: str) -> set[str]:
    """The modules loaded after running `otklik ARGS` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    marker = result.stdout.rfind("MODULES")
    assert marker >= 0, result.stdout + result.stderr
    return set(json.loads(result.stdout[marker + len("MODULES") :]))


def heavy_in(modules: set[str]) -> list[str]:
    """The heavy modules (or their submodules) among the loaded ones."""
    return sorted(h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules))


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert heavy_in(loaded_modules("--help")) == []


@pytest.mark.parametrize(
    "command", [["queue"], ["incident", "show", "1"], ["summary"], ["sources"]]
)
def test_officers_commands_load_no_heavy_library(sqlite_url, command) -> None:
    modules = loaded_modules(*command, "--database", sqlite_url)
    assert (
        "monitor.incidents.queue" in modules
        or "monitor.summary" in modules
        or command == ["sources"]
    )
    assert heavy_in(modules) == []


def test_analytics_commands_still_load_what_they_need(sqlite_url) -> None:
    modules = loaded_modules("problems", "--database", sqlite_url)
    assert "sklearn" in heavy_in(modules)
