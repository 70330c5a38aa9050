"""The weekly note's section on information risks, in DOCX and HTML."""

from __future__ import annotations

from datetime import timedelta

from docx import Document
from sqlalchemy import select

from monitor.analytics import build_weekly_note, write_note
from monitor.config import load_settings
from monitor.risks import actions
from monitor.risks.store import Finding, save_findings
from monitor.store import make_engine
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import info_risks, posts
from tests.analytics_data import NOW, WEEK
from tests.conftest import CONFIG
from tests.helpers import record


def _risks(engine) -> None:
    inside = WEEK.start + timedelta(days=2)
    with engine.begin() as connection:
        source = ensure_source(connection, "vk", "vk")
        store_posts(connection, source, [record("a", "Пожар"), record("b", "Свалка")])
        ids = dict(connection.execute(select(posts.c.external_id, posts.c.id)).all())
        save_findings(
            connection,
            [
                Finding("spread", "spread:a", 4, "просмотры ×40 за 2 ч", ids["a"], [ids["a"]]),
                Finding("copies", "copies:b", 1.5, "та же история в 5 источниках", ids["b"], []),
            ],
            inside,
        )
        save_findings(  # detected after the week: not in its note
            connection,
            [Finding("negativity", "negativity:b", 1, "3 из 4", ids["b"], [])],
            WEEK.end + timedelta(hours=1),
        )
        spread = connection.execute(
            select(info_risks.c.id).where(info_risks.c.kind == "spread")
        ).scalar_one()
    actions.handle(engine, spread, "Опровержение в группе", actor="ivanova", now=inside)


def test_the_note_tells_the_weeks_risks_and_how_they_were_handled(db_url, tmp_path):
    engine = make_engine(db_url)
    _risks(engine)
    note = build_weekly_note(engine, load_settings(CONFIG), WEEK, now=NOW, charts_too=False)
    assert [r["kind"] for r in note.risks.risks] == ["spread", "copies"]
    document = Document(str(write_note(note, tmp_path / "note.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[-1] == "7. Информационные риски"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Выявлено информационных рисков: 2 (быстрое распространение — 1; копии" in text
    assert "Отработано: 1, отклонено как не риск: 0, остаются открытыми: 1" in text
    table = document.tables[-1]
    assert table.rows[1].cells[4].text == "просмотры ×40 за 2 ч"
    assert table.rows[1].cells[5].text == "отработан: Опровержение в группе"
    html = write_note(note, tmp_path / "note.html").read_text(encoding="utf-8")
    assert "Информационные риски" in html and "та же история в 5 источниках" in html
    engine.dispose()


def test_a_week_without_risks_has_no_such_section(db_url):
    engine = make_engine(db_url)
    note = build_weekly_note(engine, load_settings(CONFIG), WEEK, now=NOW, charts_too=False)
    assert note.risks.risks == []
    engine.dispose()
