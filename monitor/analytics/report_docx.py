"""The weekly note as a Word document (python-docx): opens in Word and LibreOffice."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import _Cell

from monitor.analytics.layout import (
    Bullets,
    Chart,
    Grid,
    Section,
    Text,
    heat_colour,
    note_sections,
)
from monitor.analytics.weekly import WeeklyNote

FONT = "Times New Roman"
BODY_PT = 12
TABLE_PT = 8
USABLE_CM = 17.0
UPRIGHT_HEADER_CM = 2.6


def _shade(cell: _Cell, share: float) -> None:
    """Fill a cell from white to red by `share` (0..1)."""
    properties = cell._tc.get_or_add_tcPr()
    fill = OxmlElement("w:shd")
    fill.set(qn("w:val"), "clear")
    fill.set(qn("w:color"), "auto")
    fill.set(qn("w:fill"), heat_colour(share))
    properties.append(fill)


def _setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)
    for name in ("Normal", "Heading 1", "Heading 2", "Title"):
        style = document.styles[name]
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)
        # Theme fonts would win over the named font in Word and LibreOffice alike.
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(attribute), None)
        properties = style.element.get_or_add_rPr()
        language = properties.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            properties.append(language)
        language.set(qn("w:val"), "ru-RU")
        if name != "Normal":
            style.font.color.rgb = RGBColor(0x1F, 0x2A, 0x44)
    document.styles["Normal"].font.size = Pt(BODY_PT)
    document.styles["Heading 1"].font.size = Pt(14)
    document.styles["Title"].font.size = Pt(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)


def _widths(grid: Grid) -> list[float]:
    """Column widths in cm: shared out by the length of what each column holds."""
    lengths = []
    for index, title in enumerate(grid.columns):
        upright = grid.upright and index in grid.numeric
        word = 0 if upright else max(len(w) for w in title.split()) + 4  # never broken
        longest = max([0, *(len(row[index]) for row in grid.rows)])
        lengths.append(max(min(longest, 34 if not upright else 8), word, 5 if upright else 6))
    total = sum(lengths)
    return [USABLE_CM * length / total for length in lengths]


def _upright(cell: _Cell) -> None:
    """Set a header cell's text bottom to top (written after its width, as the schema orders)."""
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "btLr")
    cell._tc.get_or_add_tcPr().append(direction)


def _grid(document, grid: Grid) -> None:
    table = document.add_table(rows=1, cols=len(grid.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Word reads the cells' widths, LibreOffice the table grid's: set both.
    widths = [Cm(width) for width in _widths(grid)]
    for grid_column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_column.w = width
    header = table.rows[0]
    for index, (cell, title) in enumerate(zip(header.cells, grid.columns, strict=True)):
        upright = grid.upright and index in grid.numeric
        _write(cell, title, widths[index], bold=True, right=index in grid.numeric and not upright)
        if upright:
            _upright(cell)
    if grid.upright:
        header.height = Cm(UPRIGHT_HEADER_CM)
    for r, values in enumerate(grid.rows):
        # Each row's cells are read once: python-docx walks the whole row on every read.
        for index, (cell, value) in enumerate(zip(table.add_row().cells, values, strict=True)):
            _write(cell, value, widths[index], right=index in grid.numeric)
            if grid.heat and index >= 1 and grid.heat[r][index - 1] > 0:
                _shade(cell, grid.heat[r][index - 1])
    # Repeat the header row on every page the table spans.
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    document.add_paragraph()


def _write(
    cell: _Cell, value: str, width: Length, *, bold: bool = False, right: bool = False
) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(value)
    run.font.size = Pt(TABLE_PT)
    run.bold = bold
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _section(document, number: int, section: Section, note: WeeklyNote) -> None:
    document.add_heading(f"{number}. {section.title}", level=1)
    for block in section.blocks:
        if isinstance(block, Text):
            paragraph = document.add_paragraph(block.text)
            if block.note:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
                    run.italic = True
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Grid):
            _grid(document, block)
        elif isinstance(block, Chart) and block.key in note.charts:
            document.add_picture(io.BytesIO(note.charts[block.key]), width=Cm(USABLE_CM))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption = document.add_paragraph(block.caption)
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption.runs[0].font.size = Pt(9)
            caption.runs[0].italic = True


def write_docx(note: WeeklyNote, path: Path) -> Path:
    """Write the note to `path` (.docx) and return the path."""
    document = Document()
    _setup(document)
    document.core_properties.title = note.title
    document.core_properties.author = note.centre
    document.core_properties.language = "ru-RU"
    heading = document.add_heading(note.title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(note.subtitle)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for number, section in enumerate(note_sections(note), 1):
        _section(document, number, section, note)
    document.save(str(path))
    return path
