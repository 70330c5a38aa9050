"""The weekly note as one self-contained HTML file (charts embedded as data URIs)."""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.analytics.layout import heat_colour, note_sections
from monitor.analytics.weekly import WeeklyNote


def render_html(note: WeeklyNote) -> str:
    """The note as an HTML document."""
    environment = Environment(
        loader=PackageLoader("monitor.analytics", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.get_template("weekly.html")
    return template.render(
        note=note,
        sections=note_sections(note),
        images={key: base64.b64encode(png).decode("ascii") for key, png in note.charts.items()},
        shade=lambda share: "#" + heat_colour(share),
    )


def write_html(note: WeeklyNote, path: Path) -> Path:
    """Write the note to `path` (.html) and return the path."""
    path.write_text(render_html(note), encoding="utf-8")
    return path
