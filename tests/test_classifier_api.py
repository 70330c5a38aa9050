"""The shipped default model through the interface the pipeline uses."""

from __future__ import annotations

import pytest

from classifier import Classifier, Entity, Prediction
from monitor.classify import load_classifier
from monitor.config import load_settings
from monitor.errors import ConfigError
from tests.classifier_helpers import DEFAULT_MODEL
from tests.conftest import CONFIG

SIGNAL = {
    "id": "p1",
    "text": "В Красной Яруге на ул. Садовой третий день нет воды!!! Управляющая компания "
    "«Жилсервис» трубку не берёт, дети и старики без воды, сколько можно",
    "reach": {"views": 50000},
}
REPLY = {"id": "p2", "text": "[id184522|Оля], согласна полностью 😂"}
ADVERT = {"id": "p3", "text": "Продам гараж в кооперативе, недорого, звоните 89051234567"}


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classifier(load_settings(CONFIG))


def test_signal_gets_labels_entities_and_territory(classifier):
    [prediction] = classifier.predict([SIGNAL])
    assert isinstance(prediction, Prediction)
    assert prediction.relevant and prediction.relevance_proba >= 0.5
    assert prediction.sector == "housing"
    assert [code for code, _ in prediction.sector_proba][0] == "housing"
    assert len(prediction.sector_proba) == 3
    assert prediction.territory == "Красная Яруга"
    assert Entity("STREET", "ул. Садовой", "улица Садовая") in prediction.entities
    assert prediction.model_version == classifier.meta["model_version"]


def test_reach_rules_raise_the_final_risk_only(classifier):
    quiet = {**SIGNAL, "reach": {"views": 10}}
    loud = {**SIGNAL, "reach": {"views": 10_000_000}, "author": {"audience": 10_000_000}}
    before, after = classifier.predict([quiet, loud])
    assert before.risk_text == after.risk_text
    order = ["low", "medium", "high", "critical"]
    assert order.index(after.risk) >= order.index(before.risk)
    assert before.risk == before.risk_text


def test_chatter_is_not_relevant_but_still_has_a_best_sector(classifier):
    reply, advert = classifier.predict([REPLY, ADVERT])
    for prediction in (reply, advert):
        assert not prediction.relevant
        assert prediction.sector in classifier.meta["labels"]["sector"]
        assert prediction.risk_text in ("low", "medium", "high", "critical")
        # Entities and territory are the heavy steps: only relevant posts get them.
        assert prediction.entities == [] and prediction.territory is None


def test_odd_input_is_classified_not_crashed(classifier):
    posts = [
        {"id": 1},
        {"id": "e", "text": ""},
        {"id": "n", "text": None},
        {"id": "h", "text": "вода " * 50_000},
    ]
    predictions = classifier.predict(posts)
    assert [p.id for p in predictions] == ["1", "e", "n", "h"]
    assert not predictions[1].relevant
    assert classifier.predict([]) == []


def test_territory_hint_from_the_source(classifier):
    post = {
        "id": "t",
        "text": "третий день нет воды, дети без воды, управляющая компания молчит",
        "territory": "Губкин",
    }
    [prediction] = classifier.predict([post])
    assert prediction.relevant and prediction.territory == "Губкин"


def test_to_dict_is_json_ready(classifier):
    data = classifier.predict([SIGNAL])[0].to_dict()
    assert data["sector_proba"][0][0] == "housing"
    assert {"kind", "text", "normal"} == set(data["entities"][0])


def test_wrong_model_path_is_a_config_error(tmp_path):
    settings = load_settings(CONFIG)
    settings.classifier.model = str(tmp_path / "absent")
    with pytest.raises(ConfigError, match="не загружается"):
        load_classifier(settings)


def test_default_model_is_small():
    size = sum(path.stat().st_size for path in DEFAULT_MODEL.iterdir())
    assert size < 8 * 1024 * 1024


def test_configured_relevance_threshold_replaces_the_models_own(tmp_path):
    """A centre may move the operating point: the same posts, fewer signals above a higher cut."""
    import yaml

    from classifier import ModelError

    texts = [
        "У нас на Гагарина третий день нет воды, когда дадут?",
        "[id1|Оля], так и живём",
        "Во дворе по Садовой 5 не вывозят мусор неделю",
        "Спасибо всем, кто поздравил!",
    ]
    posts = [{"id": str(n), "text": text} for n, text in enumerate(texts)]
    own = Classifier.load(DEFAULT_MODEL)
    probabilities = [p.relevance_proba for p in own.predict(posts)]
    cut = 0.9999  # above every probability here: nothing stays a signal
    assert sum(p.relevant for p in own.predict(posts)) == 2 and max(probabilities) < cut
    strict = Classifier.load(DEFAULT_MODEL, relevance_threshold=cut)
    assert [p.relevant for p in strict.predict(posts)] == [p >= cut for p in probabilities]
    assert not any(p.relevant for p in strict.predict(posts))
    with pytest.raises(ModelError):
        Classifier.load(DEFAULT_MODEL, relevance_threshold=1.5)

    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["classifier"]["model"] = str(DEFAULT_MODEL)
    data["classifier"]["relevance_threshold"] = cut
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_classifier(load_settings(path)).model.relevance_threshold == pytest.approx(cut)
    data["classifier"]["relevance_threshold"] = 2
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings(path)
