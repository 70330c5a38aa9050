"""A small reach chart drawn on the server as inline SVG (no script, nothing the CSP blocks)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 260, 56, 3


def sparkline(
    points: Sequence[tuple[datetime, int]], *, label: str, start: datetime | None = None
) -> Markup:
    """Reach over time as a line from `start` (the publication, at zero) through the points."""
    if not points:
        return Markup('<p class="muted small">Истории охвата нет</p>')
    series = (
        [(start, 0)] + list(points) if start is not None and start < points[0][0] else list(points)
    )
    if len(series) == 1:
        return Markup(f'<p class="muted small">Одно измерение: {int(points[0][1])}</p>')
    first, last = series[0][0], series[-1][0]
    span = max((last - first).total_seconds(), 1.0)
    top = max(max(value for _, value in series), 1)

    def x(moment: datetime) -> float:
        return PAD + (WIDTH - 2 * PAD) * (moment - first).total_seconds() / span

    def y(value: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / top

    path = " ".join(f"{x(moment):.1f},{y(value):.1f}" for moment, value in series)
    dots = "".join(
        f'<circle cx="{x(moment):.1f}" cy="{y(value):.1f}" r="1.6"></circle>'
        for moment, value in points
    )
    title = escape(label)
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        f' role="img" aria-label="{title}"><title>{title}</title>'
        f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}"'
        f' y2="{HEIGHT - PAD}"></line>'
        f'<polyline points="{path}" fill="none"></polyline>{dots}</svg>'
    )
