"""Charts of the weekly note as PNG images (matplotlib, no display needed)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from monitor.analytics.growth import GrowthReport
from monitor.analytics.heatmap import HeatMap, HeatTable
from monitor.analytics.ratings import RecipientRating

WIDTH_INCHES = 7.0
DPI = 150
NOW_COLOUR = "#c0392b"
BEFORE_COLOUR = "#95a5a6"


def _figure(height: float):
    # The object-oriented API keeps no global state, so charts can be drawn from threads.
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def sector_bars(heat: HeatMap, limit: int = 10) -> bytes:
    """Incidents by sector, this period against the previous one (horizontal bars)."""
    sectors = heat.sectors[:limit]
    names = {cell.sector: cell.sector_name for cell in heat.cells}
    now = [heat.sector_total(s)[0] for s in sectors]
    before = [heat.sector_total(s)[1] for s in sectors]
    figure = _figure(0.45 * max(len(sectors), 2) + 1.0)
    axes = figure.add_subplot()
    positions = range(len(sectors))
    before_at = [p + 0.2 for p in positions]
    now_at = [p - 0.2 for p in positions]
    axes.barh(before_at, before, 0.4, color=BEFORE_COLOUR, label="Прошлый период")
    axes.barh(now_at, now, 0.4, color=NOW_COLOUR, label="Отчётный период")
    axes.set_yticks(list(positions), [names.get(s, s) for s in sectors])
    axes.invert_yaxis()
    axes.set_xlabel("Инцидентов")
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def heat_chart(table: HeatTable) -> bytes:
    """The heat map: sectors × territories, counts written in the cells."""
    rows, columns = len(table.sectors), len(table.territories)
    figure = _figure(0.42 * max(rows, 2) + 1.6)
    axes = figure.add_subplot()
    image = axes.imshow(table.counts or [[0]], cmap="OrRd", aspect="auto")
    peak = max((max(row) for row in table.counts if row), default=0)
    for r, row in enumerate(table.counts):
        for c, value in enumerate(row):
            if value:
                colour = "white" if value > peak * 0.6 else "black"
                axes.text(c, r, str(value), ha="center", va="center", fontsize=7, color=colour)
    axes.set_xticks(range(columns), table.territories, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(range(rows), [name for _, name in table.sectors], fontsize=8)
    figure.colorbar(image, ax=axes, shrink=0.6, label="Инцидентов")
    return _png(figure)


def growth_chart(report: GrowthReport, limit: int = 4) -> bytes:
    """Daily signals of growing series: baseline days grey, the period red, mean dashed."""
    shown = report.alerts[:limit]
    days = (report.baseline.dates() if report.baseline else []) + report.period.dates()
    ticks = list(range(len(days) - 1, -1, -7))[::-1]
    figure = _figure(1.9 * max(len(shown), 1) + 0.3)
    for index, series in enumerate(shown, 1):
        axes = figure.add_subplot(len(shown), 1, index)
        base, now = series.baseline_daily, series.daily
        axes.bar(range(len(base)), base, color=BEFORE_COLOUR, width=0.8)
        axes.bar(range(len(base), len(base) + len(now)), now, color=NOW_COLOUR, width=0.8)
        axes.axhline(series.test.baseline_mean, color="black", linestyle="--", linewidth=0.8)
        axes.set_title(series.title, fontsize=9, loc="left")
        axes.set_ylabel("Сигналов в день", fontsize=7)
        axes.set_xticks(ticks, [days[t].strftime("%d.%m") for t in ticks])
        axes.tick_params(labelsize=7)
        axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def ratings_chart(ratings: Sequence[RecipientRating], limit: int = 15) -> bytes:
    """On-time share of the recipients, best first."""
    shown = [r for r in ratings if r.on_time_share is not None][:limit]
    figure = _figure(0.38 * max(len(shown), 2) + 1.0)
    axes = figure.add_subplot()
    shares = [r.on_time_share * 100 for r in shown if r.on_time_share is not None]
    axes.barh(range(len(shown)), shares, color="#2e86c1")
    axes.set_yticks(range(len(shown)), [_short(r.name) for r in shown], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("Ответов в срок, %")
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def _short(name: str, width: int = 45) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
