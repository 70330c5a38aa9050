"""Growth: each sector and each sector × territory against its own baseline.

The unit is a signal's cause (see `signals`): a burst of reposts of one post is one. For
every series with signals in the period, `stats.upper_tail` asks how unlikely the
period's count is given the series' daily counts over the `baseline_days` before it, and
`stats.benjamini_hochberg` corrects all those p-values together. A series is an alert
when its q-value is at most `growth_fdr`, it has at least `growth_min_count` signals and
at least `growth_min_ratio` times the expected count. Alerts name their drivers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from monitor.analytics.drivers import Driver, DriverFinder
from monitor.analytics.labels import sector_names, territory_name
from monitor.analytics.period import Period
from monitor.analytics.signals import (
    Cause,
    SeriesKey,
    causes_of,
    daily_signals,
    incidents_with_signals,
)
from monitor.analytics.stats import TEST_NAME, TailTest, benjamini_hochberg, upper_tail
from monitor.analytics.wording import decimal
from monitor.config import AnalyticsSettings, Settings
from monitor.store.tables import incidents

MIN_BASELINE_DAYS = 7


@dataclass
class SeriesGrowth:
    """One tested series: its daily counts, the test, and (for alerts) the drivers."""

    sector: str
    sector_name: str
    territory: str | None  # None with whole_sector: the sector over all territories
    whole_sector: bool
    daily: list[int]
    baseline_daily: list[int]
    test: TailTest
    incidents: int = 0  # distinct incidents behind the period's signals
    q_value: float = 1.0
    alert: bool = False
    drivers: list[Driver] = field(default_factory=list)

    @property
    def title(self) -> str:
        """«ЖКХ» or «ЖКХ · Шебекино»."""
        if self.whole_sector:
            return self.sector_name
        return f"{self.sector_name} · {territory_name(self.territory)}"

    @property
    def ratio(self) -> float | None:
        """Observed over expected."""
        return self.test.observed / self.test.expected if self.test.expected else None

    def as_dict(self) -> dict[str, Any]:
        """The series for JSON output."""
        return {
            "sector": self.sector,
            "sector_name": self.sector_name,
            "territory": None if self.whole_sector else territory_name(self.territory),
            "level": "sector" if self.whole_sector else "sector_territory",
            "observed": self.test.observed,
            "incidents": self.incidents,
            "expected": round(self.test.expected, 3),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "model": self.test.model,
            "baseline_mean": round(self.test.baseline_mean, 4),
            "baseline_variance": round(self.test.baseline_variance, 4),
            "p_value": self.test.p_value,
            "q_value": self.q_value,
            "alert": self.alert,
            "daily": self.daily,
            "drivers": [
                {"kind": d.kind, "name": d.name, "count": d.count, "expected": round(d.expected, 2)}
                for d in self.drivers
            ],
        }


@dataclass
class GrowthReport:
    """Every tested series of a period and the alerts among them."""

    period: Period
    baseline: Period | None
    series: list[SeriesGrowth]
    rules: AnalyticsSettings
    note: str | None = None

    @property
    def alerts(self) -> list[SeriesGrowth]:
        """Series flagged as growing, most significant first."""
        return [s for s in self.series if s.alert]

    @property
    def test_description(self) -> str:
        """The test and the alert rule in Russian."""
        r = self.rules
        return (
            f"Тест: {TEST_NAME}; сигнал роста — q ≤ {decimal(r.growth_fdr)}, за период не "
            f"меньше {r.growth_min_count} сигналов и не меньше чем в "
            f"{decimal(r.growth_min_ratio)} раза больше ожидаемого. "
            f"Базовый период — {r.baseline_days} дн. перед периодом; "
            "сигнал — голос жителя: репосты одной публикации и публикации одного автора "
            "об одном инциденте считаются одним сигналом."
        )

    def as_dict(self) -> dict[str, Any]:
        """The report for JSON output (alerts first, then the other tested series)."""
        return {
            "period": self.period.as_dict(),
            "baseline": self.baseline.as_dict() if self.baseline else None,
            "test": self.test_description,
            "note": self.note,
            "alerts": [s.as_dict() for s in self.alerts],
            "series": [s.as_dict() for s in self.series if not s.alert],
        }


def _baseline(connection: Connection, period: Period, days: int) -> Period | None:
    """The baseline before the period, cut to the store's history; None when too short."""
    first = connection.execute(select(func.min(incidents.c.created_at))).scalar_one()
    baseline = period.previous(days)
    if first is None:
        return None
    history_start = first.astimezone(period.tz).date()
    if history_start > baseline.first:
        usable = (period.first - history_start).days
        if usable < MIN_BASELINE_DAYS:
            return None
        baseline = period.previous(usable)
    return baseline


def _series(
    counts: dict[SeriesKey, dict], period: Period, baseline: Period
) -> dict[tuple[str, str | None, bool], tuple[list[int], list[int]]]:
    days, base_days = period.dates(), baseline.dates()
    found: dict[tuple[str, str | None, bool], tuple[list[int], list[int]]] = {}
    for (sector, territory), by_day in counts.items():
        for key in ((sector, territory, False), (sector, None, True)):
            now, before = found.setdefault(key, ([0] * len(days), [0] * len(base_days)))
            for index, day in enumerate(days):
                now[index] += by_day.get(day, 0)
            for index, day in enumerate(base_days):
                before[index] += by_day.get(day, 0)
    return found


def growth_report(
    connection: Connection,
    settings: Settings,
    period: Period,
    *,
    recipient_id: int | None = None,
) -> GrowthReport:
    """Test every sector and sector × territory for growth in the period; name the drivers."""
    rules = settings.analytics
    baseline = _baseline(connection, period, rules.baseline_days)
    if baseline is None:
        note = f"Недостаточно истории: нужен хотя бы {MIN_BASELINE_DAYS} дн. до начала периода"
        return GrowthReport(period, None, [], rules, note)
    window = Period(baseline.first, period.last, period.zone)
    counts = daily_signals(connection, window, recipient_id=recipient_id)
    behind = incidents_with_signals(connection, period, recipient_id=recipient_id)
    names = sector_names(settings)
    tested: list[SeriesGrowth] = []
    for (sector, territory, whole), (now, before) in sorted(
        _series(counts, period, baseline).items(), key=lambda item: (item[0][0], item[0][1] or "")
    ):
        if sum(now) == 0:
            continue
        test = upper_tail(sum(now), before, period.days)
        many = sum(n for (s, t), n in behind.items() if s == sector and (whole or t == territory))
        tested.append(
            SeriesGrowth(
                sector, names.get(sector, sector), territory, whole, now, before, test, many
            )
        )
    for series, q_value in zip(
        tested, benjamini_hochberg([s.test.p_value for s in tested]), strict=True
    ):
        series.q_value = q_value
        series.alert = (
            q_value <= rules.growth_fdr
            and series.test.observed >= rules.growth_min_count
            and series.test.observed >= rules.growth_min_ratio * series.test.expected
        )
    tested.sort(key=lambda s: (not s.alert, s.q_value, -s.test.observed, s.title))
    _add_drivers(connection, tested, period, baseline, recipient_id, rules.drivers)
    return GrowthReport(period, baseline, tested, rules)


def _add_drivers(
    connection: Connection,
    tested: list[SeriesGrowth],
    period: Period,
    baseline: Period,
    recipient_id: int | None,
    limit: int,
) -> None:
    alerts = [s for s in tested if s.alert]
    if not alerts:
        return
    causes = causes_of(
        connection,
        baseline.start,
        period.end,
        sectors={s.sector for s in alerts},
        recipient_id=recipient_id,
    )
    finder = DriverFinder(connection)
    finder.load_places(causes)
    # A cause belongs to the period it first appeared in.
    start = period.start
    scale = period.days / baseline.days
    for series in alerts:
        mine = [c for c in causes if _in_series(c, series)]
        now = [c for c in mine if c.published_at >= start]
        before = [c for c in mine if c.published_at < start]
        series.drivers = finder.drivers(
            now, before, scale, whole_sector=series.whole_sector, limit=limit
        )


def _in_series(cause: Cause, series: SeriesGrowth) -> bool:
    if cause.sector != series.sector:
        return False
    return series.whole_sector or cause.territory == series.territory
