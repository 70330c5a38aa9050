"""Synthetic posts and incidents for benchmarks (volume, not language quality)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from monitor.records import Author, PostRecord, Reach

WORDS = (
    "вода отопление дорога яма мусор автобус свет газ школа садик поликлиника врач "
    "пенсия двор парк дым пожар кража цены стадион стройка связь почта улица дом "
    "подъезд крыша лифт тариф контейнер остановка маршрут фонарь собаки река завод"
).split()
START = datetime(2025, 11, 1, tzinfo=UTC)


def posts(count: int, *, seed: int = 1, prefix: str = "b") -> list[PostRecord]:
    """`count` posts spread over a year, with reach and authors."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        out.append(
            PostRecord(
                external_id=f"{prefix}:{n}",
                network="vk",
                text=text,
                published_at=START + timedelta(seconds=rng.randint(0, 365 * 86400)),
                author=Author(
                    id=f"u{rng.randint(1, count // 3 + 1)}",
                    name="Житель",
                    audience=rng.randint(0, 5000),
                ),
                reach=Reach(views=rng.randint(0, 10000), likes=rng.randint(0, 100)),
            )
        )
    return out
