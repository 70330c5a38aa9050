"""«Инфориски» in a real Chromium against `otklik serve`: the chart, the copies, an action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from monitor.risks.store import Finding, save_findings
from monitor.store.tables import posts, reach_history
from tests.test_web_browser import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    CHROMIUM,
    _login,
    browser,
    server,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


@pytest.fixture(scope="module")
def risky(server):  # noqa: F811
    """The served store plus a spread risk (with reach history) and a copies risk."""
    base, store = server
    now = datetime.now(UTC)
    with store.ctx.db.begin() as connection:
        ids = dict(connection.execute(select(posts.c.external_id, posts.c.id)).all())
        connection.execute(
            insert(reach_history),
            [
                {"post_id": ids["vk:4"], "at": now - timedelta(minutes=m), "views": v}
                for m, v in ((90, 400), (60, 2500), (30, 9000), (5, 16000))
            ],
        )
        save_findings(
            connection,
            [
                Finding("spread", "spread:b", 3, "просмотры ×40 за 1 ч", ids["vk:4"], []),
                Finding(
                    "copies",
                    "copies:b",
                    1.2,
                    "та же история в 4 источниках за 2 ч",
                    ids["vk:3"],
                    [ids["vk:5"]],
                    sources_count=4,
                ),
            ],
            now,
        )
    store.ctx.engine.dispose()
    return base


def test_officer_reads_the_chart_and_handles_a_risk(risky, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    _login(page, risky, "officer")
    page.click("nav >> text=Инфориски")
    page.wait_for_url(f"{risky}/risks")
    cards = page.locator("article.risk")
    assert cards.count() == 2
    assert "просмотры ×40 за 1 ч" in cards.first.inner_text()
    chart = cards.first.locator("svg.sparkline")
    assert chart.is_visible() and chart.locator("circle").count() == 5
    assert "Мусор не вывозят" in cards.nth(1).inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "risks.png"), full_page=True)
    cards.first.locator("h2 a").click()
    page.fill("#handle-form textarea[name=note]", "Дали разъяснение в группе")
    page.click("#handle-form button[type=submit]")
    page.wait_for_url("**done=handle")
    assert "Риск отмечен как отработанный" in page.locator("main").inner_text()
    assert "Дали разъяснение в группе" in page.locator("main").inner_text()
    assert not [text for text in problems if "Content Security Policy" in text]
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    _login(phone, risky, "officer")
    phone.goto(f"{risky}/risks")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
