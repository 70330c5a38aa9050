"""Streams: each source's stream picks the relevance threshold its posts are read at."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from classifier.package import read_meta
from monitor.config import ClassifierSettings, OfficialPage, Settings, SourceSettings, load_settings
from monitor.config.base import STREAMS
from monitor.errors import ConfigError
from monitor.loop import registry
from monitor.pipeline import process_pending
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import classifications, events, posts, sources
from monitor.streams import source_stream, stream_of, stream_thresholds
from tests.classifier_helpers import DEFAULT_MODEL
from tests.conftest import CONFIG
from tests.helpers import moment, record

NOW = moment("2026-11-20T12:00:00+03:00")
TEXT = "Опять отключили свет вечером, сколько можно"  # about 0.5: near any threshold


def _config(tmp_path, **classifier) -> str:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["classifier"].update(classifier)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


# Configuration: clear Russian errors for unknown streams and thresholds outside (0, 1).


def test_an_unknown_stream_is_named_in_russian(tmp_path):
    with pytest.raises(ConfigError, match="неизвестный поток 'groups'; есть: community"):
        load_settings(_config(tmp_path, relevance_thresholds={"groups": 0.7}))
    with pytest.raises(ValidationError, match="неизвестный поток 'chat'"):
        SourceSettings(name="a", kind="vk", address="1", stream="chat")


@pytest.mark.parametrize("value", [0, 1, -0.2, 1.5, float("nan"), float("inf")])
def test_a_threshold_outside_zero_and_one_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="порог потока community: .* вне интервала \\(0, 1\\)"):
        load_settings(_config(tmp_path, relevance_thresholds={"community": value}))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STREAMS), st.floats(allow_nan=True, allow_infinity=True))
def test_any_threshold_is_kept_exactly_when_it_lies_in_the_open_interval(stream, value):
    inside = 0 < value < 1
    try:
        section = ClassifierSettings(relevance_thresholds={stream: value})
    except ValidationError as exc:
        assert not inside and "вне интервала" in str(exc)
    else:
        assert inside and section.relevance_thresholds == {stream: value}
        assert not math.isnan(value)


# Which stream a source is, and which threshold a stream reads at.


def test_default_stream_by_kind_and_official_pages():
    found = Settings(
        sources=[
            {"name": "wall", "kind": "vk", "address": "1"},
            {"name": "gov", "kind": "vk", "address": "2"},
            {"name": "search", "kind": "vk", "keywords": ["нет воды"]},
            {"name": "ok", "kind": "ok", "address": "3"},
            {"name": "tg", "kind": "telegram", "address": "news"},
            {"name": "feed", "kind": "rss", "address": "https://example.org/rss"},
            {"name": "said", "kind": "telegram", "address": "chat", "stream": "community"},
        ],
        official_pages={
            "pages": [OfficialPage(name="Адм", address="2", recipient="centre", source="gov")]
        },
    )
    streams = {source.name: source_stream(found, source) for source in found.sources}
    assert streams == {
        "wall": "community",
        "gov": "official",
        "search": "search",
        "ok": "community",
        "tg": "news",
        "feed": "news",
        "said": "community",
    }
    # A source only the store knows keeps its stored stream, else a default by kind.
    assert stream_of(found, "appeals-system", "file", "appeals") == "appeals"
    assert stream_of(found, "file:x.jsonl", "rss", None) == "news"
    assert stream_of(found, "gov", "vk", "community") == "official"  # settings win


def test_thresholds_fall_back_registry_then_config_then_the_single_one():
    chosen = Settings(classifier={"relevance_thresholds": {"community": 0.7, "official": 0.3}})
    found = stream_thresholds(chosen, {"official": 0.25}, 0.5)
    assert {s: (t.value, t.origin) for s, t in found.items()} == {
        "community": (0.7, "config"),
        "official": (0.25, "registry"),
        "news": (0.5, "model"),
        "search": (0.5, "model"),
        "appeals": (0.5, "model"),
    }


def test_the_classifier_takes_one_threshold_per_post_and_says_which_decided():
    from classifier import Classifier

    model = Classifier.load(DEFAULT_MODEL)
    proba = float(model.relevance([TEXT])[0])
    strict, lenient = model.predict(
        [{"id": "a", "text": TEXT}, {"id": "b", "text": TEXT}],
        thresholds=[min(proba + 0.01, 0.99), max(proba - 0.01, 0.01)],
    )
    assert strict.relevance_proba == lenient.relevance_proba
    assert (strict.relevant, lenient.relevant) == (False, True)
    assert lenient.relevance_threshold == max(proba - 0.01, 0.01)
    alone = model.predict([{"id": "c", "text": TEXT}])[0]
    assert alone.relevance_threshold == model.model.relevance_threshold
    for wrong in ([0.5], [0.5, 1.0]):
        with pytest.raises(ValueError, match="один порог в \\(0, 1\\) на каждый пост"):
            model.predict([{"id": "a", "text": TEXT}, {"id": "b", "text": TEXT}], thresholds=wrong)


# The pipeline: one probability, two streams, two decisions; the threshold is kept.


def _decisions(ctx) -> dict[str, tuple]:
    with ctx.db.connect() as connection:
        rows = connection.execute(
            select(
                posts.c.external_id,
                classifications.c.relevant,
                classifications.c.relevance_proba,
                classifications.c.stream,
                classifications.c.relevance_threshold,
            ).join(posts, posts.c.id == classifications.c.post_id)
        )
        return {row[0]: tuple(row[1:]) for row in rows}


def _store(ctx, source: str, external_id: str, *, kind: str = "vk", stream=None) -> None:
    with ctx.db.begin() as connection:
        source_id = ensure_source(connection, source, kind, stream=stream)
        store_posts(connection, source_id, [record(external_id, TEXT)], collected_at=NOW)


def test_the_same_probability_is_a_signal_on_an_official_page_and_not_in_a_community(ctx):
    proba = float(ctx.classifier.relevance([TEXT])[0])
    assert 0.02 < proba < 0.98
    low, high = round(proba - 0.01, 4), round(proba + 0.01, 4)
    ctx.settings.sources = [
        SourceSettings(name="vk-podslushano", kind="vk", address="1"),
        SourceSettings(name="vk-adm", kind="vk", address="2"),
    ]
    ctx.settings.official_pages.pages = [
        OfficialPage(name="Администрация", address="2", recipient="centre", source="vk-adm")
    ]
    ctx.settings.classifier.relevance_thresholds = {"community": high, "official": low}
    _store(ctx, "vk-podslushano", "vk:1")
    _store(ctx, "vk-adm", "vk:2")
    _store(ctx, "appeals-portal", "portal:1", kind="file", stream="appeals")
    process_pending(ctx, now=NOW)
    found = _decisions(ctx)
    single = ctx.classifier.model.relevance_threshold
    assert found["vk:1"][1] == found["vk:2"][1] == found["portal:1"][1]  # one probability
    assert found["vk:1"] == (False, found["vk:1"][1], "community", high)
    assert found["vk:2"] == (True, found["vk:2"][1], "official", low)
    assert found["portal:1"] == (proba >= single, found["portal:1"][1], "appeals", single)


def test_a_streams_threshold_in_the_registry_is_audited_and_used_without_reload(ctx):
    meta = read_meta(DEFAULT_MODEL)
    with ctx.db.begin() as connection:
        registry.register_model(connection, name="m", path=DEFAULT_MODEL, meta=meta, at=NOW)
        registry.promote(connection, "m", actor="a", at=NOW, evidence={})
    _store(ctx, "vk-a", "vk:1")
    process_pending(ctx, now=NOW)
    loaded = ctx.classifier
    with ctx.db.begin() as connection:
        registry.set_threshold(connection, "m", 0.97, actor="analyst", at=NOW, stream="community")
        registry.set_threshold(connection, "m", 0.96, actor="analyst", at=NOW, stream="community")
        payloads = connection.execute(select(events.c.payload).order_by(events.c.id)).scalars()
        changes = [p for p in payloads if p.get("stream")]
        in_use = registry.thresholds_in_use(ctx, connection)
    assert [(c["from"], c["to"]) for c in changes] == [(None, 0.97), (0.97, 0.96)]
    assert (in_use["community"].value, in_use["community"].origin) == (0.96, "registry")
    assert in_use["news"].origin == "model"
    _store(ctx, "vk-a", "vk:2")
    process_pending(ctx, now=NOW)
    assert ctx.classifier is loaded  # the model itself did not change
    assert _decisions(ctx)["vk:2"][2:] == ("community", 0.96)
    with ctx.db.connect() as connection:
        stored = connection.execute(select(sources.c.stream).where(sources.c.name == "vk-a"))
        assert stored.scalar_one() is None  # a configured or ingested source: from settings
    with ctx.db.begin() as connection:  # cleared: the configured threshold applies again
        registry.set_threshold(connection, "m", None, actor="analyst", at=NOW, stream="community")
        in_use = registry.thresholds_in_use(ctx, connection)
        last = connection.execute(select(events.c.payload).order_by(events.c.id.desc())).first()
    assert in_use["community"].origin == "model"
    assert (last.payload["from"], last.payload["to"]) == (0.96, None)


def test_migration_0010_marks_the_appeals_sources_and_downgrades(db_url):
    from alembic import command
    from sqlalchemy import insert, inspect

    from monitor.store import make_engine, upgrade
    from monitor.store.migrate import alembic_config, revision_below
    from monitor.store.tables import appeals, incidents

    engine = make_engine(db_url)
    command.downgrade(alembic_config(engine), revision_below("0010"))
    assert "stream" not in {c["name"] for c in inspect(engine).get_columns("sources")}
    with engine.begin() as connection:
        ensure_source(connection, "portal", "file")
        ensure_source(connection, "vk-a", "vk")
        connection.execute(
            insert(incidents).values(
                id=1, title="Обращение", sector="housing", risk="medium",
                created_at=NOW, updated_at=NOW, last_post_at=NOW,
            )
        )  # fmt: skip
        connection.execute(
            insert(appeals).values(
                external_id="a1", system="portal", incident_id=1, content_hash="x",
                imported_at=NOW,
            )
        )  # fmt: skip
    upgrade(engine)
    with engine.connect() as connection:
        stored = dict(connection.execute(select(sources.c.name, sources.c.stream)).all())
    assert stored == {"portal": "appeals", "vk-a": None}
    command.downgrade(alembic_config(engine), revision_below("0010"))
    assert "relevance_threshold" not in {
        c["name"] for c in inspect(engine).get_columns("classifications")
    }
    upgrade(engine)
    assert {"stream", "relevance_threshold"} <= {
        c["name"] for c in inspect(engine).get_columns("classifications")
    }
    engine.dispose()
