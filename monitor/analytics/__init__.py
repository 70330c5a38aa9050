"""Analytics: heat map, ratings of recipients, growth, problems of a sector, weekly note.

The public names are loaded on first use: growth and problems need SciPy and scikit-learn,
which a command such as `otklik queue` must not pay for at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.analytics.growth import GrowthReport, SeriesGrowth, growth_report
    from monitor.analytics.heatmap import (
        HeatCell,
        HeatMap,
        cell_incidents,
        heat_map,
        heat_table,
    )
    from monitor.analytics.period import Period, iso_week, resolve_period
    from monitor.analytics.problems import (
        ProblemCategory,
        SectorProblems,
        problems_by_sector,
        sector_problems,
    )
    from monitor.analytics.ratings import RecipientRating, recipient_ratings
    from monitor.analytics.report import write_note
    from monitor.analytics.weekly import WeeklyNote, build_weekly_note

_HOMES = {
    "GrowthReport": "growth",
    "SeriesGrowth": "growth",
    "growth_report": "growth",
    "HeatCell": "heatmap",
    "HeatMap": "heatmap",
    "cell_incidents": "heatmap",
    "heat_map": "heatmap",
    "heat_table": "heatmap",
    "Period": "period",
    "iso_week": "period",
    "resolve_period": "period",
    "ProblemCategory": "problems",
    "SectorProblems": "problems",
    "problems_by_sector": "problems",
    "sector_problems": "problems",
    "RecipientRating": "ratings",
    "recipient_ratings": "ratings",
    "write_note": "report",
    "WeeklyNote": "weekly",
    "build_weekly_note": "weekly",
}

__all__ = [
    "GrowthReport",
    "HeatCell",
    "HeatMap",
    "Period",
    "ProblemCategory",
    "RecipientRating",
    "SectorProblems",
    "SeriesGrowth",
    "WeeklyNote",
    "build_weekly_note",
    "cell_incidents",
    "growth_report",
    "heat_map",
    "heat_table",
    "iso_week",
    "problems_by_sector",
    "recipient_ratings",
    "resolve_period",
    "sector_problems",
    "write_note",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"monitor.analytics.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'monitor.analytics' has no attribute {name!r}")
