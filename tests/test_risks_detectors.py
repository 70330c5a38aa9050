"""The spread and copies detectors on generated trajectories and planted stories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import CopiesSettings, SpreadSettings
from monitor.incidents.similarity import signature
from monitor.risks.copies import CopyCandidate, find_stories, normalise_link
from monitor.risks.spread import Trajectory, detect_spread, intervals
from tests.risk_trajectories import ordinary_region, ordinary_sources, with_planted

HOUR = 3600.0


@pytest.fixture(scope="module")
def region() -> list[Trajectory]:
    """1,000 ordinary trajectories over ten sources, one of them big but steady."""
    return ordinary_region(seed=7, posts=1000)


def test_intervals_skip_reads_closer_than_the_minimum():
    trajectory = Trajectory(1, 1, 0.0, [600, 1800, 2400, 4000, 5400], [10, 30, 35, 60, 61])
    cut = intervals(trajectory, 0.5)
    assert [(i.start, i.end) for i in cut] == [(0, 30), (30, 60)]
    assert cut[0].hours == pytest.approx(0.5) and cut[1].age_hours == pytest.approx(4000 / HOUR)


def test_false_alarm_rate_on_1000_ordinary_trajectories_is_under_one_percent(region):
    found = detect_spread(region, SpreadSettings())
    assert len(region) == 1000
    assert len(found) / len(region) < 0.01


def test_a_big_but_steady_source_raises_no_alarm(region):
    big = ordinary_sources()[0]
    assert big.typical == 200_000
    found = detect_spread(region, SpreadSettings())
    assert [f for f in found if f.source_id == big.source_id] == []


def test_planted_fast_spreads_are_found(region):
    mixed, planted = with_planted(region, seed=11, count=50, factor=10)
    found = {f.post_id: f for f in detect_spread(mixed, SpreadSettings())}
    hits = planted & set(found)
    assert len(hits) / len(planted) >= 0.9
    assert len(set(found) - planted) / len(region) < 0.01
    for post_id in hits:
        assert found[post_id].ratio >= SpreadSettings().min_ratio
        assert found[post_id].growth > found[post_id].usual_factor


def test_a_spread_in_a_source_is_judged_against_that_source():
    # Two sources with the same shape: one post of the small one gains 20 times its usual
    # views in an hour, which is nothing for the big one.
    def steady(post_id: int, source: int, scale: float) -> Trajectory:
        times = [HOUR * h for h in (1, 2, 3, 4, 5, 6)]
        values = [scale * v for v in (50, 80, 95, 100, 102, 103)]
        return Trajectory(post_id, source, 0.0, times, values)

    posts = [steady(n, 1, 10) for n in range(30)] + [steady(100 + n, 2, 1000) for n in range(30)]
    burst = Trajectory(999, 1, 0.0, [HOUR * h for h in (1, 2, 3, 4)], [500, 800, 16_800, 18_000])
    found = detect_spread([*posts, burst], SpreadSettings(min_gain=300))
    assert [f.post_id for f in found] == [999]
    assert found[0].start == 800 and found[0].end >= 16_800 and found[0].ratio > 10


T = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
POOL = [
    "Когда наконец починят дорогу на Гагарина, вся в ямах после зимы и никто не ремонтирует",
    "Спасибо администрации за новую детскую площадку во дворе, дети довольны и родители тоже",
    "Автобус номер сорок два опять не пришёл утром, люди стоят на остановке по полчаса",
    "Продаётся велосипед подростковый синего цвета, звоните вечером после шести часов",
    "Вчера в парке провели субботник, убрали мусор вдоль пруда и покрасили скамейки",
    "Подскажите где можно сдать старую бытовую технику на переработку в нашем районе",
]
STORY = (
    "Срочно! В Шебекино с завтрашнего дня отключат горячую воду на три недели во всех домах "
    "микрорайона Северный, управляющая компания молчит"
)


def candidate(post_id: int, source: int, minutes: int, text: str, **extra) -> CopyCandidate:
    return CopyCandidate(
        post_id=post_id,
        source_id=source,
        external_id=extra.pop("external_id", f"vk:{post_id}"),
        published_at=T + timedelta(minutes=minutes),
        text=text,
        lemmas=signature(text),
        **extra,
    )


def chatter(start: int, count: int, seed: int = 5) -> list[CopyCandidate]:
    """Ordinary posts: each its own words, in many sources, within a few hours."""
    rng = random.Random(seed)
    words = sorted({w for line in POOL for w in line.split() if len(w) > 4 and w.isalpha()})
    return [
        candidate(start + n, 50 + n % 20, n * 5, " ".join(rng.sample(words, 12)))
        for n in range(count)
    ]


def test_a_story_copied_into_many_sources_is_found():
    copies = [
        candidate(1, 1, 0, STORY),
        candidate(2, 2, 20, "Репост: " + STORY.replace("Срочно! ", "")),
        candidate(3, 3, 45, STORY + " Делитесь!"),
        candidate(4, 4, 90, STORY.replace("три недели", "три недели!!!")),
        candidate(5, 5, 150, STORY.lower()),
    ]
    stories = find_stories(copies + chatter(100, 40), CopiesSettings())
    assert len(stories) == 1
    assert sorted(stories[0].post_ids) == [1, 2, 3, 4, 5]
    assert stories[0].sources == 5 and stories[0].ties["text"] >= 4


def test_the_same_link_and_reposts_of_one_original_join_a_story():
    link = "https://www.example.ru/news/vzryv-na-zavode?utm_source=vk"
    posts = [
        candidate(1, 1, 0, "Взрыв на заводе", external_id="vk:-1_1"),
        candidate(2, 2, 10, "", repost_of="vk:-1_1"),
        candidate(3, 3, 30, "", repost_of="vk:-1_1"),
        candidate(4, 4, 40, f"Жуть {link}"),
        candidate(5, 5, 50, "Читайте: http://example.ru/news/vzryv-na-zavode/"),
        candidate(6, 1, 55, f"Подробнее {link}"),
    ]
    stories = find_stories(posts, CopiesSettings(min_sources=3))
    assert [sorted(s.post_ids) for s in stories] == [[1, 2, 3], [4, 5, 6]]
    assert stories[0].ties["repost"] == 2 and stories[1].ties["link"] == 2


def test_ordinary_chatter_and_slow_stories_are_not_copies():
    slow = [candidate(n, n, n * 8 * 60, STORY) for n in range(1, 5)]  # one a day... 8 hours apart
    assert find_stories(chatter(100, 60) + slow, CopiesSettings(window_hours=6)) == []
    same_source = [candidate(n, 1, n, STORY) for n in range(1, 6)]
    assert find_stories(same_source, CopiesSettings()) == []


def test_links_are_normalised_and_bare_domains_are_no_story():
    assert normalise_link("https://m.vk.com/wall-1_2?utm_medium=x&w=1#c") == "vk.com/wall-1_2?w=1"
    assert normalise_link("http://www.site.ru/") is None
    assert normalise_link("https://site.ru/a/b/.") == "site.ru/a/b"
