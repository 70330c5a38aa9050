"""Grouping: reposts, comments and near-duplicates become one incident; routing; risk rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.config import load_settings
from monitor.incidents.grouping import ClassifiedPost, group_post, make_title
from monitor.incidents.routing import route, sync_recipients
from monitor.store import make_engine
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import events, incident_posts, incidents, posts, recipients
from tests.conftest import CONFIG
from tests.helpers import moment, record

NOW = moment("2026-11-18T12:00:00+03:00")


@pytest.fixture
def store(db_url):
    settings = load_settings(CONFIG, database_url=db_url)
    engine = make_engine(db_url)
    with engine.begin() as connection:
        sync_recipients(connection, settings)
    yield settings, engine
    engine.dispose()


def put(
    engine, settings, rec, *, relevant=True, sector="housing", risk="medium", territory="Шебекино"
):
    """Store a post and group it as if the model had classified it."""
    with engine.begin() as connection:
        source_id = ensure_source(connection, "vk-test", "vk")
        store_posts(connection, source_id, [rec], collected_at=rec.published_at)
        row = connection.execute(select(posts).where(posts.c.external_id == rec.external_id)).one()
        post = ClassifiedPost(
            post_id=row.id,
            external_id=row.external_id,
            author_id=row.author_id,
            text=row.text,
            published_at=row.published_at,
            collected_at=row.collected_at,
            parent_external_id=row.parent_external_id,
            repost_of_external_id=row.repost_of_external_id,
            relevant=relevant,
            sector=sector,
            risk=risk,
            risk_text=risk,
            territory=territory,
        )
        return group_post(connection, settings, post, NOW)


def test_near_duplicates_from_different_authors_join_one_incident(store):
    settings, engine = store
    first, created = put(
        engine,
        settings,
        record("vk:1", "На улице Ленина в Шебекино третий день нет воды", author="a"),
    )
    second, created_again = put(
        engine,
        settings,
        record(
            "vk:2",
            "шебекино ленина воды нет уже три дня!!! сколько можно",
            author="b",
            at="2026-11-17T09:00:00+03:00",
        ),
    )
    assert created and not created_again
    assert first == second


def test_other_problem_or_territory_or_old_post_makes_a_new_incident(store):
    settings, engine = store
    base, _ = put(engine, settings, record("vk:1", "На улице Ленина нет воды третий день"))
    roof, _ = put(
        engine, settings, record("vk:2", "Течёт крыша в доме 5 по Мира, затопило подъезд")
    )
    elsewhere, _ = put(
        engine, settings, record("vk:3", "На улице Ленина нет воды"), territory="Губкин"
    )
    late, _ = put(
        engine, settings, record("vk:4", "На улице Ленина нет воды", at="2026-11-25T10:00:00+03:00")
    )
    assert len({base, roof, elsewhere, late}) == 4


def test_repost_and_comment_join_their_original(store):
    settings, engine = store
    origin, _ = put(engine, settings, record("vk:1", "Яма на дороге у школы"), sector="roads")
    repost, _ = put(engine, settings, record("vk:2", "", repost_of="vk:1"), relevant=False)
    comment, _ = put(
        engine,
        settings,
        record("vk:3", "у нас тоже яма", parent="vk:1", author="c"),
        sector="roads",
    )
    chatter, _ = put(engine, settings, record("vk:4", "ахаха", parent="vk:1"), relevant=False)
    assert origin == repost == comment
    assert chatter is None
    with engine.connect() as connection:
        roles = dict(
            connection.execute(
                select(posts.c.external_id, incident_posts.c.role).join(
                    incident_posts, incident_posts.c.post_id == posts.c.id
                )
            ).all()
        )
    assert roles == {"vk:1": "origin", "vk:2": "repost", "vk:3": "comment"}


def test_many_authors_confirming_raise_risk_once(store):
    settings, engine = store
    texts = [
        "Нет отопления в доме на Садовой 12",
        "садовая 12 батареи холодные отопления нет",
        "отопление на Садовой так и не дали",
        "Садовая 12 отопления нет, дети мерзнут",
    ]
    ids = {
        put(engine, settings, record(f"vk:{n}", text, author=f"u{n}"))[0]
        for n, text in enumerate(texts)
    }
    assert len(ids) == 1
    with engine.connect() as connection:
        incident = connection.execute(select(incidents)).one()
        raised = connection.execute(
            select(events.c.payload).where(events.c.kind == "risk_raised")
        ).all()
    assert incident.risk == "high" and incident.authors_count == 4
    assert len(raised) == 1
    assert incident.first_response_due - incident.created_at < timedelta(hours=8)


def test_routing_prefers_sector_and_territory_then_falls_back_to_centre(store):
    settings, _ = store
    assert route(settings, "improvement", "Шебекино") == "adm-shebekino"
    assert route(settings, "improvement", "Ивня") == "centre"
    assert route(settings, "housing", "Ивня") == "minzhkh"
    assert route(settings, "housing", "Воронеж") == "centre"
    assert route(settings, "housing", None) == "centre"


def test_new_incident_is_routed_with_deadlines_and_history(store):
    settings, engine = store
    incident_id, _ = put(
        engine, settings, record("vk:1", "Мусор не вывозят неделю"), sector="waste", risk="high"
    )
    with engine.connect() as connection:
        incident = connection.execute(
            select(incidents, recipients.c.code).join(
                recipients, recipients.c.id == incidents.c.recipient_id
            )
        ).one()
        kinds = (
            connection.execute(
                select(events.c.kind)
                .where(events.c.incident_id == incident_id)
                .order_by(events.c.id)
            )
            .scalars()
            .all()
        )
    assert incident.code == "regoperator" and incident.status == "assigned"
    assert incident.first_response_due > incident.created_at
    assert incident.final_answer_due > incident.first_response_due
    assert kinds == ["created", "routed"]


def test_title_drops_markup_and_is_cut_at_a_word():
    assert (
        make_title("[id1|Оля] смотрите https://vk.com/x #ЖКХ нет воды") == "Оля смотрите нет воды"
    )
    assert make_title("слово " * 60).endswith("…")
    assert make_title("   ") == "Без текста"
