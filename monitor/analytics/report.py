"""Writing the weekly note in the format its file name asks for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from monitor.analytics.report_docx import write_docx
from monitor.analytics.report_html import write_html
from monitor.analytics.weekly import WeeklyNote
from monitor.errors import InputError

WRITERS = {".docx": write_docx, ".html": write_html, ".htm": write_html}


def note_writer(path: Path) -> Callable[[WeeklyNote, Path], Path]:
    """The writer for the file's extension; InputError for one we cannot write or a folder
    that does not exist (a typo in the path must not create folders)."""
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise InputError(f"Записку можно сохранить в .docx или .html, а не {path.name}")
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        raise InputError(f"Папки для записки нет: {folder}; создайте её или укажите другую")
    return writer


def write_note(note: WeeklyNote, path: Path) -> Path:
    """Write the note as DOCX or HTML, by the file's extension."""
    writer = note_writer(path)
    try:
        return writer(note, path)
    except OSError as exc:
        raise InputError(f"Не удалось записать {path}: {exc.strerror or exc}") from None
