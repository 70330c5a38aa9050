"""The registry: the pipeline picks up a promoted model between batches, without a restart;
training from the database finds the base data or says clearly what is missing."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from classifier.package import read_meta
from classifier.realdata import datasets_dir
from monitor.errors import InputError
from monitor.loop import registry
from monitor.loop.retrain import base_files
from monitor.pipeline import process_pending
from monitor.store.posts import ensure_source, store_posts
from monitor.store.tables import classifications, posts
from tests.classifier_helpers import DEFAULT_MODEL, sample_file, tiny_model  # noqa: F401
from tests.helpers import moment, record

DATASETS = datasets_dir()

NOW = moment("2026-11-20T12:00:00+03:00")


def _store(ctx, *ids: str) -> None:
    with ctx.db.begin() as connection:
        source = ensure_source(connection, "vk-a", "vk")
        store_posts(connection, source, [record(i, "Третий день нет воды на Ленина") for i in ids])


def _version_of(ctx, external_id: str) -> str:
    with ctx.db.connect() as connection:
        return connection.execute(
            select(classifications.c.model_version)
            .join(posts, posts.c.id == classifications.c.post_id)
            .where(posts.c.external_id == external_id)
        ).scalar_one()


def test_process_uses_the_promoted_model_from_the_next_batch(ctx, tiny_model, tmp_path, caplog):  # noqa: F811
    ctx.settings.classifier.batch_size = 1
    _store(ctx, "vk:1")
    process_pending(ctx, now=NOW)
    shipped = _version_of(ctx, "vk:1")
    with ctx.db.begin() as connection:
        registry.register_model(
            connection, name="tiny", path=tiny_model, meta=read_meta(tiny_model), at=NOW
        )
        registry.promote(connection, "tiny", actor="a", at=NOW, evidence={})
    _store(ctx, "vk:2")
    process_pending(ctx, now=NOW)  # the same context: no restart
    tiny = read_meta(tiny_model)["model_version"]
    assert _version_of(ctx, "vk:2") == tiny != shipped

    # A threshold change is a change of the promoted row: reloaded with it.
    with ctx.db.begin() as connection:
        registry.set_threshold(connection, "tiny", 0.99, actor="a", at=NOW)
    _store(ctx, "vk:3")
    process_pending(ctx, now=NOW)
    assert ctx.classifier.model.relevance_threshold == 0.99

    # A promoted package that no longer loads: logged, the model in use is kept.
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "arrays.npz").write_bytes(b"damaged")
    with ctx.db.begin() as connection:
        registry.register_model(
            connection, name="broken", path=broken, meta=read_meta(broken), at=NOW
        )
        registry.promote(connection, "broken", actor="a", at=NOW, evidence={})
    _store(ctx, "vk:4")
    process_pending(ctx, now=NOW)
    assert _version_of(ctx, "vk:4") == tiny
    assert "does not load" in caplog.text

    with ctx.db.begin() as connection:
        assert registry.rollback(connection, actor="a", at=NOW) == "tiny"
        assert registry.rollback(connection, actor="a", at=NOW) is None
    _store(ctx, "vk:5")
    process_pending(ctx, now=NOW)
    assert _version_of(ctx, "vk:5") == shipped


def test_base_data_of_the_shipped_model_is_rebuilt_from_its_recipe_or_named(ctx, tmp_path):
    from monitor.loop.retrain import base_recipe

    meta = read_meta(DEFAULT_MODEL)
    assert meta["recipe"]["name"] == "real"
    if not (DATASETS / "spb_portal.jsonl").is_file():
        pytest.skip("../shared/datasets is not beside this checkout")
    names, posts, weights = base_recipe(ctx.settings, DEFAULT_MODEL)
    assert [n.name for n in names] == meta["data"]["files"]
    assert {"spb_portal", "vk_stav"} <= set(weights) and len(posts) > 10_000

    # On a customer's machine without the public sets: a clear error that says what to do.
    ctx.settings.review.base_data_dirs = [str(tmp_path / "nowhere")]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OTKLIK_DATASETS", str(empty))
        with pytest.raises(InputError) as error:
            base_recipe(ctx.settings, DEFAULT_MODEL)
    assert "review.base_data_dirs" in str(error.value) and "--data" in str(error.value)


def test_base_files_of_a_model_trained_on_files_are_found_or_named(ctx, tmp_path):
    """A package whose meta names files (the registry's older models) finds them or names them."""
    folder = tmp_path / "files-model"
    folder.mkdir()
    meta = dict(read_meta(DEFAULT_MODEL))
    meta.pop("recipe", None)
    meta["data"] = {**meta["data"], "files": ["relevant_a.jsonl", "kz_complaints.jsonl"]}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    ctx.settings.review.base_data_dirs = [str(tmp_path / "nowhere")]
    with pytest.raises(InputError) as error:
        base_files(ctx.settings, folder)
    assert "kz_complaints.jsonl" in str(error.value) and "--skip-missing-base" in str(error.value)
    found, missing = base_files(ctx.settings, folder, skip_missing=True)
    assert [p.name for p in found] == ["relevant_a.jsonl"] and missing == ["kz_complaints.jsonl"]
