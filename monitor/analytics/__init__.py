"""Analytics: heat map, ratings of recipients, growth, problems of a sector, weekly note."""

from monitor.analytics.growth import GrowthReport, SeriesGrowth, growth_report
from monitor.analytics.heatmap import HeatCell, HeatMap, cell_incidents, heat_map, heat_table
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
