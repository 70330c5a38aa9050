"""Analytics pages: «Тепловая карта», «Рейтинг», «Рост», «Проблемы», and the weekly note.

Admins, officers and analysts see the whole region; a recipient's user sees only its own
incidents and its own row of the rating.
"""

from __future__ import annotations

import base64
import tempfile
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from monitor.analytics import (
    build_weekly_note,
    cell_incidents,
    growth_report,
    heat_map,
    heat_table,
    problems_by_sector,
    recipient_ratings,
    resolve_period,
    wording,
    write_note,
)
from monitor.analytics.charts import growth_chart
from monitor.analytics.labels import NO_TERRITORY
from monitor.analytics.period import Period, centre_zone
from monitor.analytics.ratings import RANKING_RULE
from monitor.errors import AccessDenied, InputError
from monitor.web.access import require
from monitor.web.deps import context, page_user
from monitor.web.render import render
from monitor.web.users import User

router = APIRouter(prefix="/analytics", include_in_schema=False)
HEAT_LEVELS = 6
PAGES = (
    ("heatmap", "Тепловая карта"),
    ("ratings", "Рейтинг"),
    ("growth", "Рост"),
    ("problems", "Проблемы"),
    ("official", "Госпаблики"),
)
NOTE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


class PeriodQuery:
    """The period fields every analytics page takes: `week`, or `from` and `to`."""

    def __init__(
        self,
        week: str | None = Query(None, max_length=10),
        first: str | None = Query(None, alias="from", max_length=10),
        last: str | None = Query(None, alias="to", max_length=10),
    ) -> None:
        self.week = week or None
        # The form sends the dates too; a week typed in wins over them.
        self.first = None if self.week else first or None
        self.last = None if self.week else last or None

    def period(self, request: Request, default_days: int | None = None) -> Period:
        """The period asked for, or the page's default."""
        ctx = context(request)
        return resolve_period(
            zone=centre_zone(ctx.settings),
            now=ctx.now(),
            week=self.week,
            first=self.first,
            last=self.last,
            default_days=default_days,
        )


def _page(request: Request, template: str, user: User, period: Period, page: str, **values):
    return render(
        request,
        f"analytics/{template}",
        user=user,
        period=period,
        page=page,
        pages=PAGES,
        w=wording,
        active="analytics",
        scoped=user.scope is not None,
        **values,
    )


@router.get("/analytics.css")
def stylesheet() -> Response:
    """The pages' own styles (heat-map shades), served from the templates folder."""
    css = resources.files("monitor.web") / "templates" / "analytics" / "analytics.css"
    return Response(
        css.read_text(encoding="utf-8"),
        media_type="text/css",
        headers={"Cache-Control": "max-age=3600"},
    )


@router.get("")
@router.get("/heatmap")
def heatmap_page(
    request: Request,
    when: PeriodQuery = Depends(),
    user: User = Depends(page_user),
    every_territory: bool = Query(False, alias="all"),
) -> Response:
    """Тепловая карта: incidents by sector × territory, with the change.

    The largest territories fit a laptop's screen (`analytics.report_territories`, the
    rest in one column); `?all=1` shows every territory, scrolled sideways with the sector
    column kept in view.
    """
    require(user, "view_incidents")
    ctx = context(request)
    period = when.period(request)
    with ctx.db.connect() as connection:
        heat = heat_map(connection, ctx.settings, period, recipient_id=user.scope)
    shown = len(heat.territories)
    if not every_territory:
        shown = min(shown, ctx.settings.analytics.report_territories)
    table = heat_table(heat, territories=shown)
    peak = max((max(row) for row in table.counts), default=0) or 1
    levels = [[_level(v, peak) for v in row] for row in table.counts]
    return _page(
        request,
        "heatmap.html",
        user,
        period,
        "heatmap",
        heat=heat,
        table=table,
        levels=levels,
        territories=heat.territories[:shown],
        every_territory=every_territory,
        no_territory=NO_TERRITORY,
    )


def _level(value: int, peak: int) -> int:
    if not value:
        return 0
    return 1 + min(HEAT_LEVELS - 2, int((HEAT_LEVELS - 1) * value / (peak + 1)))


@router.get("/heatmap/cell")
def cell_page(
    request: Request,
    sector: str = Query(max_length=50),
    territory: str = Query(max_length=200),
    when: PeriodQuery = Depends(),
    user: User = Depends(page_user),
) -> Response:
    """The incidents of one heat-map cell."""
    require(user, "view_incidents")
    ctx = context(request)
    period = when.period(request)
    with ctx.db.connect() as connection:
        listing = cell_incidents(
            connection, period, sector=sector, territory=territory, recipient_id=user.scope
        )
    names = {s.code: s.name for s in ctx.settings.sectors}
    return _page(
        request,
        "cell.html",
        user,
        period,
        "heatmap",
        sector_name=names.get(sector, sector),
        territory=territory,
        incidents=listing,
    )


@router.get("/ratings")
def ratings_page(
    request: Request, when: PeriodQuery = Depends(), user: User = Depends(page_user)
) -> Response:
    """Рейтинг получателей for a period (a recipient sees its own row)."""
    require(user, "view_incidents")
    ctx = context(request)
    period = when.period(request)
    with ctx.db.connect() as connection:
        rows = recipient_ratings(connection, period, now=ctx.now(), recipient_id=user.scope)
    return _page(request, "ratings.html", user, period, "ratings", ratings=rows, rule=RANKING_RULE)


@router.get("/growth")
def growth_page(
    request: Request, when: PeriodQuery = Depends(), user: User = Depends(page_user)
) -> Response:
    """Рост: growth alerts with their drivers (default: the last 7 days)."""
    require(user, "view_incidents")
    ctx = context(request)
    period = when.period(request, default_days=7)
    with ctx.db.connect() as connection:
        report = growth_report(connection, ctx.settings, period, recipient_id=user.scope)
    chart = None
    if report.alerts:
        chart = base64.b64encode(growth_chart(report)).decode("ascii")
    return _page(request, "growth.html", user, period, "growth", report=report, chart=chart)


@router.get("/problems")
def problems_page(
    request: Request,
    sector: str | None = Query(None, max_length=50),
    when: PeriodQuery = Depends(),
    user: User = Depends(page_user),
) -> Response:
    """Проблемы: each sector's incidents clustered into named problem categories."""
    require(user, "view_incidents")
    ctx = context(request)
    period = when.period(request)
    known = list(ctx.settings.sectors)
    if sector and sector not in {s.code for s in known}:
        raise InputError(f"Неизвестный сектор: {sector}")
    with ctx.db.connect() as connection:
        found = problems_by_sector(
            connection,
            ctx.settings,
            period,
            sectors=[sector] if sector else None,
            recipient_id=user.scope,
        )
    return _page(
        request,
        "problems.html",
        user,
        period,
        "problems",
        sectors=found,
        sector=sector or "",
        choices=known,
    )


@router.get("/weekly.{kind}")
def weekly_note(
    request: Request, kind: str, when: PeriodQuery = Depends(), user: User = Depends(page_user)
) -> Response:
    """The weekly note as a DOCX or HTML download (not for recipients' users)."""
    if user.scope is not None:
        raise AccessDenied("Аналитическая записка доступна центру, а не получателям")
    require(user, "view_incidents")
    if kind not in NOTE_TYPES:
        raise InputError("Записка бывает в формате docx или html")
    ctx = context(request)
    period = when.period(request)
    note = build_weekly_note(ctx.db, ctx.settings, period, now=ctx.now())
    with tempfile.TemporaryDirectory() as folder:
        path = write_note(note, Path(folder) / f"note.{kind}")
        body = path.read_bytes()
    name = f"note-{period.week_name() or period.first.isoformat()}.{kind}"
    return Response(
        body,
        media_type=NOTE_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
