"""«Разметка» in a real Chromium: an analyst labels with the keyboard alone and undoes."""

from __future__ import annotations

from sqlalchemy import select

from monitor.store.tables import labels
from tests.test_web_browser import ARTIFACTS, _login, browser, pytestmark, server  # noqa: F401


def _labels(store) -> list:
    with store.ctx.db.connect() as connection:
        return connection.execute(select(labels).order_by(labels.c.id)).all()


def test_analyst_labels_with_one_key_per_decision(server, browser):  # noqa: F811
    base, store = server
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    _login(page, base, "analyst")
    page.click("nav >> text=Разметка")
    page.click("nav.tabs >> text=Аудит")
    page.wait_for_url("**queue=audit**")
    first = page.locator("#review-post").get_attribute("data-post")
    top = page.locator("#sector-top li").first.get_attribute("data-sector")
    assert page.locator("#model-guess").inner_text().startswith("сигнал")

    page.keyboard.press("1")  # a signal, with the model's sector and risk
    page.wait_for_url("**done=saved**")
    assert page.locator("#review-post").get_attribute("data-post") != first
    [signal] = _labels(store)
    assert (signal.relevant, signal.sector, signal.actor) == (True, top, "analyst")

    second = page.locator("#review-post").get_attribute("data-post")
    page.keyboard.press("0")  # not a signal
    page.wait_for_url(lambda url: "done=saved" in url and f"undo={signal.id}" not in url)
    assert [row.relevant for row in _labels(store)] == [True, False]

    page.keyboard.press("u")  # undo the last decision: the post comes back
    page.wait_for_url("**done=undone**")
    assert page.locator("#review-post").get_attribute("data-post") == second
    assert [row.relevant for row in _labels(store)] == [True]

    runner_up = page.locator("#sector-top li").nth(1).get_attribute("data-sector")
    page.keyboard.press("2")  # a signal in the model's second sector
    page.wait_for_url("**done=saved**")
    latest = _labels(store)[-1]
    assert (latest.relevant, latest.sector) == (True, runner_up)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
    page.click("text=Оценки потока")
    assert "Полнота" in page.locator("#estimates").inner_text()
