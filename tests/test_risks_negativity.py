"""The shipped negativity model and the negativity detector over stored threads."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from classifier.negativity import NegativityModel, calls_to_action
from classifier.package import ModelError
from monitor.config import NegativitySettings
from monitor.risks.negativity import detect_negativity
from monitor.store import make_engine
from monitor.store.posts import ensure_source, store_posts
from tests.conftest import ROOT
from tests.helpers import record

MODEL = ROOT / "models" / "negativity"
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
ANGRY = [
    "Администрации города вообще плевать на людей, одни отписки и воровство",
    "Чиновники опять распилили деньги, а дорог как не было так и нет. Позор мэрии!",
    "Депутатам заняться нечем, лучше бы цены снизили, а не ерунду придумывали",
    "Мэр обещал разобраться, и где результат? Враньё одно",
]
CALM = [
    "Подскажите, во сколько сегодня открывается рынок на Ленина?",
    "Продам детскую коляску, почти новая, самовывоз",
    "Красивый закат сегодня над прудом",
    "Спасибо за фото, очень красиво получилось",
]


@pytest.fixture(scope="module")
def model() -> NegativityModel:
    return NegativityModel.load(MODEL)


def test_the_shipped_package_records_its_held_out_figures():
    meta = json.loads((MODEL / "meta.json").read_text(encoding="utf-8"))
    cv = meta["metrics"]["grouped_cv_pool"]
    assert meta["kind"] == "negativity" and meta["rows"] == 857 + 160
    assert cv["n"] == 857 and cv["f1"] > 0.5
    assert meta["metrics"]["pool_to_spb_followups"]["n"] == 160


def test_angry_texts_score_above_calm_ones(model):
    angry, calm = model.predict_proba(ANGRY), model.predict_proba(CALM)
    # A small model (F1 0.59 held out): most, not all, fall on the right side of the cut;
    # a polite «спасибо» scores 0.31, since «спасибо нашему государству» is usually sarcasm.
    assert sum(angry) / len(angry) > 2 * sum(calm) / len(calm)
    assert sum(p >= 0.25 for p in angry) >= 3 and sum(p < 0.25 for p in calm) >= 3


def test_a_changed_file_is_refused(tmp_path):
    copy = tmp_path / "negativity"
    shutil.copytree(MODEL, copy)
    with (copy / "arrays.npz").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelError, match="контрольная сумма"):
        NegativityModel.load(copy)


def test_calls_to_action_by_wording():
    assert calls_to_action("Давайте все вместе напишем коллективную жалобу губернатору!")
    assert calls_to_action("Подписывайте петицию за ремонт дороги")
    assert not calls_to_action("Напишите заявление в полицию")


def _thread(engine, source: str, root: str, replies: list[str], views: int = 100) -> None:
    with engine.begin() as connection:
        source_id = ensure_source(connection, source, "vk")
        post = record(root, "Мэрия сообщает о ремонте дорог", at=T0.isoformat(), views=views)
        comments = [
            record(f"{root}_{n}", text, at=(T0 + timedelta(minutes=n + 1)).isoformat(), parent=root)
            for n, text in enumerate(replies)
        ]
        store_posts(connection, source_id, [post, *comments], collected_at=T0)


def test_an_angry_thread_is_a_risk_and_a_calm_one_is_not(db_url, model):
    engine = make_engine(db_url)
    _thread(engine, "city", "vk:-1_1", ANGRY + ["Давайте все вместе напишем петицию!"])
    _thread(engine, "city", "vk:-1_2", CALM)
    with engine.connect() as connection:
        found = detect_negativity(connection, NegativitySettings(), model, T0 - timedelta(hours=1))
    assert len(found) == 1
    risk = found[0]
    assert risk.key.startswith("negativity:") and risk.details["texts"] == 6
    assert risk.details["negative"] >= 4 and risk.strength >= 1
    assert "текстов обсуждения — недовольство властью" in risk.reason
    assert "призывов к коллективным действиям: 1" in risk.reason
