"""The weekly note as sections of paragraphs, tables and charts, for DOCX and HTML alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from monitor.analytics.drivers import Driver
from monitor.analytics.weekly import WeeklyNote
from monitor.analytics.wording import change, duration, hours, number, percent, signed
from monitor.incidents.lifecycle import RISK_NAMES
from monitor.risks.weekly import risks_section

DRIVER_KINDS = {"term": "слова", "place": "места", "source": "источники"}


@dataclass
class Text:
    """A paragraph; `note` marks small explanatory print."""

    text: str
    note: bool = False
    kind: str = "text"


@dataclass
class Bullets:
    """A bulleted list."""

    items: list[str]
    kind: str = "bullets"


@dataclass
class Grid:
    """A table; `heat` holds 0..1 shades of the body cells, `numeric` right-aligned columns.

    `upright` headers of the numeric columns are set vertically, so that a wide table of
    numbers (the heat map) fits a portrait page.
    """

    columns: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)
    heat: list[list[float]] | None = None
    upright: bool = False
    kind: str = "grid"


@dataclass
class Chart:
    """A chart of `WeeklyNote.charts`."""

    key: str
    caption: str
    kind: str = "chart"


Block = Text | Bullets | Grid | Chart


def heat_colour(share: float) -> str:
    """Hex RGB of a heat-map cell, from white (0) to red (1)."""
    green_blue = int(255 - 175 * max(0.0, min(share, 1.0)))
    return f"FF{green_blue:02X}{green_blue:02X}"


@dataclass
class Section:
    """A numbered section of the note."""

    title: str
    blocks: list[Block]


def _totals(note: WeeklyNote) -> Section:
    heat = note.heat
    rows = [
        [
            "Всего",
            number(heat.total),
            number(heat.previous_total),
            change(heat.total, heat.previous_total),
        ]
    ]
    for risk, (now, before) in note.by_risk.items():
        rows.append(
            [f"риск «{RISK_NAMES[risk]}»", number(now), number(before), change(now, before)]
        )
    blocks: list[Block] = [
        Bullets(note.highlights),
        Grid(["Инциденты", "Отчётный период", "Предыдущий период", "Изменение"], rows, {1, 2, 3}),
        Text(_answers_sentence(note)),
    ]
    if heat.total or heat.previous_total:
        blocks.append(Chart("sectors", "Инциденты по секторам: отчётный и предыдущий периоды"))
    return Section("Итоги периода", blocks)


def _answers_sentence(note: WeeklyNote) -> str:
    """How the period's incidents were answered, in words that read well at zero too."""
    judged = note.on_time.judged
    if not judged:
        return (
            "Ответов по инцидентам периода ещё нет, просроченных тоже нет: "
            "доля ответов в срок появится с первым ответом или первой просрочкой."
        )
    answered = (
        f"дан окончательный ответ по {number(note.answered)}"
        if note.answered
        else "окончательных ответов пока нет"
    )
    return (
        f"Из зарегистрированных за период {answered}; доля ответов в срок — "
        f"{percent(note.on_time.share)} (в срок {number(note.on_time.on_time)} из "
        f"{number(judged)}: все отвеченные плюс открытые просроченные)."
    )


def _heat(note: WeeklyNote) -> Section:
    table = note.table
    if not table.sectors:
        return Section("Тепловая карта", [Text("За период инцидентов нет.")])
    peak = max((max(row) for row in table.counts), default=0) or 1
    rows, shades = [], []
    for (code, name), counts in zip(table.sectors, table.counts, strict=True):
        now, before = note.heat.sector_total(code)
        rows.append(
            [name, *(number(v) if v else "" for v in counts), number(now), signed(now - before)]
        )
        shades.append([v / peak for v in counts] + [0.0, 0.0])
    columns = ["Сектор", *table.territories, "Всего", "±"]
    return Section(
        "Тепловая карта",
        [
            Text(
                "Инциденты по секторам и территориям; «±» — изменение к предыдущему "
                "периоду той же длины."
            ),
            Grid(columns, rows, set(range(1, len(columns))), shades, upright=True),
            Chart("heat", "Тепловая карта: секторы × территории"),
        ],
    )


def _problems(note: WeeklyNote) -> Section:
    blocks: list[Block] = [
        Text(
            "Обращения крупнейших секторов и «Прочего» сгруппированы по текстам (TF-IDF по "
            "леммам и KMeans); категория названа ключевыми словами, пример — самое типичное "
            "обращение.",
            note=True,
        )
    ]
    for sector in note.problems:
        rows = [
            [c.name, number(c.count), percent(c.share), f"№ {c.example_id}: {c.example_title}"]
            for c in sector.categories[:5]
        ]
        blocks.append(Text(f"{sector.sector_name} — {number(sector.incidents)}"))
        blocks.append(Grid(["Проблема", "Инцидентов", "Доля", "Пример"], rows, {1, 2}))
    if not note.problems:
        blocks.append(Text("За период инцидентов нет."))
    return Section("Основные проблемы", blocks)


def _drivers(drivers: list[Driver]) -> str:
    parts = []
    for kind, title in DRIVER_KINDS.items():
        names = [f"{d.name} ({d.count})" for d in drivers if d.kind == kind][:5]
        if names:
            parts.append(f"{title}: " + ", ".join(names))
    return "; ".join(parts) or "—"


def _growth(note: WeeklyNote) -> Section:
    report = note.growth
    if report.note:
        return Section("Сигналы роста", [Text(report.note)])
    blocks: list[Block] = [Text(report.test_description, note=True)]
    if not report.alerts:
        blocks.append(Text("Аномального роста не выявлено."))
        return Section("Сигналы роста", blocks)
    rows = [
        [
            a.title,
            number(a.test.observed),
            number(a.test.expected, 1),
            f"{a.q_value:.1e}".replace(".", ","),
            _drivers(a.drivers),
        ]
        for a in report.alerts[:10]
    ]
    blocks.append(Grid(["Ряд", "Сигналов", "Ожидалось", "q", "Что растёт"], rows, {1, 2, 3}))
    blocks.append(Chart("growth", "Сигналы по дням: базовый период (серый) и отчётный (красный)"))
    return Section("Сигналы роста", blocks)


def _ratings(note: WeeklyNote) -> Section:
    if not note.ratings:
        return Section("Рейтинг получателей", [Text("За период инцидентов у получателей нет.")])
    rows = [
        [
            str(r.rank),
            r.name,
            number(r.incidents),
            hours(r.median_first_response_hours),
            hours(r.mean_first_response_hours),
            percent(r.on_time_share),
            percent(r.answered_share),
            percent(r.rework_share),
            f"{percent(r.satisfaction_share)} ({number(r.with_reaction)})",
            percent(r.reopened_share),
            hours(r.median_fix_hours),
        ]
        for r in note.ratings
    ]
    columns = [
        "Место",
        "Получатель",
        "Инцидентов",
        "Медиана первого ответа",
        "Среднее",
        "В срок",
        "С ответом",
        "Возвращено",
        "Довольны",
        "Переоткрыто",
        "Устойчивое решение",
    ]
    return Section(
        "Рейтинг получателей",
        [
            Grid(columns, rows, {0, 2, 3, 4, 5, 6, 7, 8, 9, 10}),
            Text(
                "«Возвращено» — доля инцидентов, переоткрытых или отклонённых оператором.",
                note=True,
            ),
            Text(
                "«Довольны» — доля довольных жителей среди ответов с ясной реакцией (в скобках "
                "— сколько ответов её получили); «Переоткрыто» — доля ответов, после которых "
                "инцидент переоткрывали; «Устойчивое решение» — медиана времени от обращения "
                "до ответа, который не оспорили.",
                note=True,
            ),
            Chart("ratings", "Доля ответов в срок по получателям"),
        ],
    )


def _official(note: WeeklyNote) -> Section | None:
    if not note.official:
        return None
    rows = [
        [
            str(place),
            s.page.name,
            number(s.posts),
            number(s.comments),
            number(len(s.signals)),
            percent(s.answered_share),
            hours(s.median_answer_hours),
            number(len(s.unanswered)),
            number(len(s.conflicts)),
        ]
        for place, s in enumerate(note.official, 1)
    ]
    columns = [
        "Место",
        "Страница",
        "Постов",
        "Комментариев",
        "Вопросов и жалоб",
        "Отвечено",
        "Медиана ответа",
        "Без ответа",
        "Конфликтов",
    ]
    blocks: list = [Grid(columns, rows, {0, 2, 3, 4, 5, 6, 7, 8})]
    for stats in note.official:
        for conflict in stats.conflicts[:5]:
            what = "оспорен жителем" if conflict.kind == "disputed" else "грубый тон"
            blocks.append(Text(f"{conflict.page}: ответ {what} — «{conflict.answer[:200]}»."))
    blocks.append(
        Text(
            "«Отвечено» — доля вопросов и жалоб жителей под постами страницы, на которые "
            "страница ответила в обсуждении.",
            note=True,
        )
    )
    return Section("Госпаблики", blocks)


def _overdue(note: WeeklyNote) -> Section:
    if not note.overdue_total:
        return Section("Просроченные инциденты", [Text("Открытых просроченных инцидентов нет.")])
    zone = ZoneInfo(note.period.zone)
    rows = [
        [
            str(o.id),
            o.title,
            o.recipient,
            o.missed,
            o.due.astimezone(zone).strftime("%d.%m.%Y %H:%M"),
            duration(o.hours_late),
        ]
        for o in note.overdue
    ]
    shown = f"показаны {number(len(note.overdue))} из {number(note.overdue_total)}"
    return Section(
        "Просроченные инциденты",
        [
            Text(f"Открытые инциденты с нарушенным сроком на момент подготовки записки ({shown})."),
            Grid(["№", "Суть", "Получатель", "Нарушен срок", "Срок", "Просрочка"], rows, {0, 5}),
        ],
    )


def note_sections(note: WeeklyNote) -> list[Section]:
    """The note's sections in reading order."""
    sections = [
        _totals(note),
        _heat(note),
        _problems(note),
        _growth(note),
        _ratings(note),
        *([official] if (official := _official(note)) else []),
        _overdue(note),
    ]
    risks = risks_section(note.risks, note.period.zone)
    return sections + ([risks] if risks else [])
