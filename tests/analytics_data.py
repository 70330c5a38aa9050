"""Generated incident histories whose analytics answers are known in advance."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bench.history import HistoryWriter
from monitor.analytics.period import Period, iso_week
from tests.helpers import moment

ZONE = "Europe/Moscow"
WEEK = iso_week("2026-W47", ZONE)  # 16–22 November 2026
NOW = moment("2026-11-30T12:00:00+03:00")


def at(day: str, time: str = "10:00") -> datetime:
    """A moment in Moscow time: at('2026-11-16', '10:00')."""
    return moment(f"{day}T{time}:00+03:00")


def h(hours: float) -> timedelta:
    """Hours as a timedelta."""
    return timedelta(hours=hours)


def ratings_history(engine: Engine) -> None:
    """Recipient minzhkh: 7 incidents in WEEK with known numbers; mindor: 2, both on time.

    minzhkh: first responses after 2, 6, 1 and 3 hours (median 2.5, mean 3.0); answered
    #1, #2, #5 (on time #1 and #5); open and overdue #3, #4; #6 rejected; #7 waiting since
    before its deadline. On-time share 2 / (3 + 2) = 0.4; answered 3/7; rework (#5
    reopened, #6 rejected) 2/7.
    """
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        mon, tue, wed, thu = "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"

        def incident(created: datetime, **values) -> int:
            return w.incident(
                text="Нет горячей воды",
                sector="housing",
                territory="Шебекино",
                recipient=values.pop("recipient", "minzhkh"),
                created_at=created,
                first_response_due=created + h(4),
                final_answer_due=created + h(72),
                **values,
            )

        incident(at(mon), first_response_at=at(mon) + h(2), answered_at=at(mon) + h(24))
        incident(
            at(mon, "11:00"),
            first_response_at=at(mon, "11:00") + h(6),
            answered_at=at(mon, "11:00") + h(48),
        )
        incident(at(tue), first_response_at=at(tue) + h(1), status="in_progress")
        incident(at(tue, "12:00"), status="assigned")
        fifth = incident(
            at(wed, "09:00"),
            first_response_at=at(wed, "09:00") + h(3),
            answered_at=at(wed, "09:00") + h(24),
        )
        w.event(fifth, "reopen", at(wed, "12:00"))
        sixth = incident(at(wed), status="rejected", closed_at=at(wed, "11:00"))
        w.event(sixth, "rejected", at(wed, "11:00"))
        incident(at(thu), status="waiting", paused_at=at(thu, "11:00"))
        # Outside the week: ignored by the rating of WEEK.
        incident(at("2026-11-13"), first_response_at=at("2026-11-13") + h(50))
        incident(at("2026-11-23"), first_response_at=at("2026-11-23") + h(50))
        for day in (mon, tue):
            incident(
                at(day, "15:00"),
                recipient="mindor",
                first_response_at=at(day, "15:30"),
                answered_at=at(day, "17:00"),
            )
        w.flush()


def heat_history(engine: Engine) -> dict[tuple[str, str | None], tuple[int, int]]:
    """Incidents in WEEK and the week before; returns {(sector, territory): (now, before)}."""
    plan = {
        ("housing", "Шебекино"): (5, 2),
        ("housing", "Губкин"): (1, 0),
        ("roads", "Губкин"): (3, 3),
        ("roads", None): (2, 0),
        ("waste", "Валуйки"): (0, 4),
    }
    previous = WEEK.previous()
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        for (sector, territory), (now, before) in plan.items():
            for count, period in ((now, WEEK), (before, previous)):
                for n in range(count):
                    created = datetime.combine(
                        period.dates()[n % 7], datetime.min.time(), period.tz
                    ) + h(9 + n)
                    w.incident(
                        text=f"обращение {sector} {n}",
                        sector=sector,
                        territory=territory,
                        created_at=created,
                        recipient="minzhkh" if sector == "housing" else "mindor",
                    )
        # Just outside WEEK on both sides (local midnight edges).
        w.incident(
            text="раньше",
            sector="housing",
            territory="Шебекино",
            created_at=at("2026-11-08", "23:59"),
        )
        w.incident(
            text="позже",
            sector="housing",
            territory="Шебекино",
            created_at=at("2026-11-23", "00:00"),
        )
        w.flush()
    return plan


def daily_series(
    w: HistoryWriter,
    period: Period,
    *,
    sector: str,
    territory: str | None,
    rate: float,
    rng: random.Random,
    texts: list[str],
    source: str = "vk-city",
    places: list[str] | None = None,
    answered: bool = False,
) -> int:
    """Poisson(rate) incidents a day over the period, one post each; returns how many.

    `answered` incidents got a first response after an hour and the answer after two.
    """
    total = 0
    for day in period.dates():
        for _ in range(_poisson(rng, rate)):
            created = datetime.combine(day, datetime.min.time(), period.tz) + h(
                rng.uniform(0, 23.9)
            )
            text = rng.choice(texts)
            times = {"first_response_at": created + h(1), "answered_at": created + h(2)}
            incident = w.incident(
                text=text,
                sector=sector,
                territory=territory,
                created_at=created,
                **(times if answered else {}),
            )
            w.post(incident, text=text, published_at=created, source=source, places=places)
            total += 1
    return total


def _poisson(rng: random.Random, rate: float) -> int:
    # Knuth's method: enough for small rates and keeps the generator seeded by `rng`.
    limit, count, product = pow(2.718281828459045, -rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


GROWING = ["прорвало трубу отопления, кипяток во дворе", "прорыв трубы отопления у подъезда"]
OUTSIDE_TAXONOMY = ["бродячие собаки у школы", "пропал интернет", "стая собак кусается"]
USUAL = ["нет горячей воды в доме", "холодные батареи в квартире", "течёт крыша подъезда"]


def note_history(engine: Engine) -> None:
    """Everything a weekly note of WEEK shows: ratings, heat, a planted growth, overdue."""
    ratings_history(engine)
    heat_history(engine)
    rng = random.Random(1)
    window = Period(WEEK.previous(28).first, WEEK.last, WEEK.zone)
    with engine.begin() as connection:
        w = HistoryWriter(connection)
        daily_series(
            w,
            window,
            sector="roads",
            territory="Губкин",
            rate=2,
            rng=rng,
            texts=USUAL,
            answered=True,
        )
        daily_series(
            w,
            WEEK,
            sector="housing",
            territory="Шебекино",
            rate=6,
            rng=rng,
            texts=GROWING,
            source="vk-shebekino",
            places=["улица Ленина"],
        )
        overdue = w.incident(
            text="<b>Провал</b> асфальта на Мира & Ленина",
            sector="roads",
            territory="Губкин",
            recipient="mindor",
            created_at=at("2026-11-20"),
            first_response_due=at("2026-11-20", "14:00"),
        )
        w.post(overdue, text="<b>Провал</b> асфальта", published_at=at("2026-11-20"))
        for n, text in enumerate(OUTSIDE_TAXONOMY * 2):
            w.incident(text=text, sector="other", created_at=at("2026-11-21") + h(n))
        w.flush()
