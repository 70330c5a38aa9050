"""The weekly note: DOCX read back by python-docx, HTML, and LibreOffice where installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from monitor.analytics import build_weekly_note, write_note
from monitor.config import load_settings
from monitor.errors import InputError
from monitor.store import make_engine
from tests.analytics_data import NOW, WEEK, note_history
from tests.conftest import CONFIG

SECTIONS = [
    "1. Итоги периода",
    "2. Тепловая карта",
    "3. Основные проблемы",
    "4. Сигналы роста",
    "5. Рейтинг получателей",
    "6. Просроченные инциденты",
]


@pytest.fixture(scope="module")
def note(tmp_path_factory, sqlite_template):
    path = tmp_path_factory.mktemp("note") / "otklik.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    note_history(engine)
    settings = load_settings(CONFIG)
    settings.analytics.report_overdue = 1000  # list every overdue incident
    settings.analytics.report_sectors = 2  # the two largest sectors, and «Прочее» always
    built = build_weekly_note(engine, settings, WEEK, now=NOW)
    engine.dispose()
    return built


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_numbers_behind_the_note(note):
    assert note.heat.total > 0 and note.heat.previous_total > 0
    assert {s.title for s in note.growth.alerts} >= {"ЖКХ · Шебекино"}
    assert [p.sector for p in note.problems] == ["housing", "roads", "other"]
    assert [r.code for r in note.ratings][:1] == ["mindor"]
    assert note.overdue_total >= 3 and len(note.overdue) == note.overdue_total
    planted = next(o for o in note.overdue if o.title.startswith("<b>Провал"))
    assert (planted.missed, planted.recipient) == ("первый ответ", "mindor")
    assert planted.hours_late == pytest.approx((NOW - planted.due).total_seconds() / 3600)
    assert note.overdue == sorted(note.overdue, key=lambda o: -o.hours_late)
    assert set(note.charts) == {"sectors", "heat", "ratings", "growth"}
    assert all(png.startswith(b"\x89PNG") for png in note.charts.values())


def test_docx_opens_with_every_section_table_and_chart(note, tmp_path):
    path = write_note(note, tmp_path / "note.docx")
    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS
    assert document.paragraphs[0].text == "Аналитическая записка"
    assert "16–22 ноября 2026 г. (неделя 2026-W47)" in document.paragraphs[1].text
    assert len(document.inline_shapes) == 4
    text = _text(document)
    assert "Зарегистрировано" in text and "к предыдущему периоду" in text
    assert "Шебекино" in text and "ЖКХ" in text
    assert "труба" in text  # the growth driver
    assert "<b>Провал</b> асфальта на Мира & Ленина" in text  # stored text, as it is
    ratings = next(t for t in document.tables if t.rows[0].cells[0].text == "Место")
    assert [row.cells[1].text for row in ratings.rows[1:3]] == ["mindor", "minzhkh"]
    second = note.ratings[1]
    assert ratings.rows[2].cells[5].text == f"{round(second.on_time_share * 100)}\u00a0%"
    assert document.core_properties.title == "Аналитическая записка"


def test_html_is_self_contained_and_escaped(note, tmp_path):
    html = write_note(note, tmp_path / "note.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert all(f"<h2>{title}</h2>" in html for title in SECTIONS)
    assert len(re.findall(r'src="data:image/png;base64,', html)) == 4
    assert "&lt;b&gt;Провал&lt;/b&gt;" in html and "<b>Провал" not in html
    assert "http://" not in html and "https://" not in html  # nothing fetched from outside


def test_an_unknown_format_is_refused(note, tmp_path):
    with pytest.raises(InputError, match=r"\.docx или \.html"):
        write_note(note, tmp_path / "note.pdf")


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_docx(note, tmp_path):
    path = write_note(note, tmp_path / "note.docx")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "note.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
            check=True,
            timeout=120,
        )
        pages = sorted(Path(tmp_path).glob("page-*.png"))
        assert len(pages) >= 3
