"""The pages in a real Chromium against a real server: the officer's day and a recipient's limits.

Screenshots of the queue and an incident page go to test-artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.store import make_engine, upgrade
from tests.conftest import CONFIG, ROOT
from tests.web_helpers import PASSWORD, build_store, cheap_hashing  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"otklik serve exited: {process.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("otklik serve did not start listening")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`otklik serve` on a free port over a store filled as of the real present."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'otklik.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with pytest.MonkeyPatch.context() as patch:
        from argon2 import PasswordHasher

        from monitor.web import users

        patch.setattr(
            users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        store = build_store(url, now=None)
    store.ctx.engine.dispose()
    port = _free_port()
    env = {**os.environ, "OTKLIK_WEB_SECRET": "browser-test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor",
            "serve",
            "--config",
            str(CONFIG),
            "--database",
            url,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}", store
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _login(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/queue")


def test_officer_filters_opens_assigns_and_answers(server, browser):
    base, store = server
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, base, "officer")
    assert page.locator("tr.row").count() == 5
    page.select_option("select[name=sector]", "housing")
    page.click("text=Показать")
    page.wait_for_url("**sector=housing**")
    assert page.locator("tr.row").count() == 2
    page.screenshot(path=str(ARTIFACTS / "queue.png"))
    # keyboard: j selects the first row, Enter opens it
    page.keyboard.press("j")
    assert page.locator("tr.row.selected").count() == 1
    first = page.locator("tr.row.selected").get_attribute("data-id")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/incidents/{first}")
    assert page.locator("h2", has_text="Публикации").is_visible()
    page.select_option("#assign-form select[name=recipient]", "adm-shebekino")
    page.click("#assign-form button[type=submit]")
    page.wait_for_url("**done=assign")
    assert page.locator("#recipient").inner_text() == "Администрация Шебекинского округа"
    page.select_option("#answer-template", index=0)
    page.check("#answer-form input[name=kind][value=interim]")
    page.fill("#answer-form textarea[name=text]", "Аварийная бригада выехала, воду дадут к 18:00")
    page.click("#answer-form button[type=submit]")
    page.wait_for_url("**done=interim_answer")
    assert page.locator("#status").inner_text() == "в работе"
    history = page.locator("#history").inner_text()
    assert "Промежуточный ответ" in history
    assert "Аварийная бригада выехала, воду дадут к 18:00" in history
    page.screenshot(path=str(ARTIFACTS / "incident.png"), full_page=True)
    # back to the queue keeps the filter
    page.click("text=← К очереди")
    page.wait_for_url("**sector=housing**")
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    _login(phone, base, "officer")
    phone.screenshot(path=str(ARTIFACTS / "queue-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_recipient_cannot_open_another_recipients_incident(server, browser):
    base, store = server
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, base, "zhkh")
    shown = {int(row.get_attribute("data-id")) for row in page.locator("tr.row").all()}
    # vk:1 may have been reassigned by the officer's test; vk:5 stays with the ministry
    assert store.incidents["vk:5"] in shown
    assert shown <= {store.incidents["vk:1"], store.incidents["vk:5"]}
    response = page.goto(f"{base}/incidents/{store.incidents['vk:2']}")
    assert response.status == 404
    assert "не найден" in page.locator("main").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "recipient-404.png"))


def test_admin_copies_and_deletes_answer_templates(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, base, "admin")
    page.click("nav >> text=Шаблоны")
    page.click("text=Скопировать встроенные, чтобы их менять")
    page.wait_for_url("**done=copied")
    assert page.locator("#templates tbody tr").count() == 6
    page.once("dialog", lambda dialog: dialog.accept())  # the delete form asks first
    row = page.locator("#templates tbody tr", has_text="Вывоз отходов")
    row.locator("button", has_text="Удалить").click()
    page.wait_for_url("**done=deleted")
    assert page.locator("#templates tbody tr").count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "templates.png"), full_page=True)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """`otklik serve` over the demo (21 territories, a month of history)."""
    folder = tmp_path_factory.mktemp("browser-demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    env = {**os.environ, "OTKLIK_WEB_SECRET": "browser-test", "OTKLIK_DEMO_PASSWORD": PASSWORD}
    base_args = [sys.executable, "-m", "monitor"]
    common = ["--config", str(CONFIG), "--database", url]
    subprocess.run(
        [*base_args, "demo", *common],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    port = _free_port()
    process = subprocess.Popen(
        [*base_args, "serve", *common, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_heat_map_fits_a_laptop_and_scrolls_to_every_territory(demo_server, browser):
    base = demo_server
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, base, "admin")
    page.goto(f"{base}/analytics/heatmap?from=2026-01-01&to=2026-12-31")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    fits = page.evaluate(
        "(() => { const s = document.querySelector('.scroll');"
        " return [s.scrollWidth, s.clientWidth] })()"
    )
    assert fits[0] <= fits[1], f"the default heat map must fit 1366 px: {fits}"
    header = page.locator("table.heat thead th").all_inner_texts()
    assert "остальные" in header and len(header) == 1 + 10 + 1 + 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "heatmap.png"), full_page=True)
    page.click("text=Показать все территории")
    page.wait_for_url("**all=1**")
    header = page.locator("table.heat thead th").all_inner_texts()
    assert "остальные" not in header and len(header) > 1 + 10 + 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    scrolled = page.evaluate(
        "(() => { const s = document.querySelector('.scroll'); s.scrollLeft = s.scrollWidth;"
        " const box = (q) => document.querySelector(q).getBoundingClientRect();"
        " const last = box('table.heat thead th:last-child');"
        " const sector = box('table.heat tbody th.sector');"
        " return [s.scrollLeft > 0, last.right <= window.innerWidth, sector.left >= 0] })()"
    )
    assert scrolled == [True, True, True]
    page.screenshot(path=str(ARTIFACTS / "heatmap-all.png"), full_page=True)


def test_api_docs_render_from_this_server_only(server, browser):
    base, _ = server
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    refused: list[str] = []
    page.on(
        "console", lambda msg: refused.append(msg.text) if "Content Security" in msg.text else 0
    )
    response = page.goto(f"{base}/api/docs")
    assert (
        response.status == 200
        and "script-src 'self'" in response.headers["content-security-policy"]
    )
    page.wait_for_selector("#swagger-ui .opblock", timeout=30_000)
    assert "/api/incidents/{incident_id}" in page.inner_text("#swagger-ui")
    assert requested and all(url.startswith(base) for url in requested), requested
    assert refused == []
    page.close()
