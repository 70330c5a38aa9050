"""The project's labelled corpus: valid labels, no near-duplicates, coverage, the fixed split."""

from __future__ import annotations

import pytest

from classifier import train as train_module
from classifier.check import coverage_gaps, label_problems, near_duplicates
from classifier.corpus import (
    DATA_DIR,
    CorpusError,
    LabelledPost,
    in_test,
    parse_row,
    project_files,
    read_many,
    split,
)
from classifier.datacard import PUBLIC_SETS, render
from tests import classifier_helpers
from tests.conftest import ROOT

# Shared fixtures, bound here so pytest finds them.
sample_file = classifier_helpers.sample_file

PUBLIC = ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="module")
def corpus() -> list[LabelledPost]:
    return read_many(project_files())


def test_every_row_has_valid_complete_labels(corpus):
    assert len(project_files()) >= 4
    assert label_problems(corpus) == []


def test_no_two_posts_near_identical(corpus):
    assert near_duplicates(corpus) == []


def test_near_duplicate_check_finds_a_paraphrase_copy():
    posts = [
        LabelledPost("a", "Третий день нет воды в доме на Садовой 5, когда дадут???", True),
        LabelledPost("b", "третий день нет воды в доме на садовой 5 когда дадут", True),
        LabelledPost("c", "Продам велосипед, почти новый", False),
    ]
    [pair] = near_duplicates(posts)
    assert (pair.first, pair.second) == ("a", "b")


def test_corpus_meets_the_coverage_targets(corpus):
    assert coverage_gaps(corpus) == []


def test_labels_outside_the_taxonomy_are_refused():
    with pytest.raises(CorpusError, match="неизвестный уровень риска"):
        parse_row(
            {"id": "1", "text": "x", "relevant": True, "sector": "roads", "risk": "huge"}, "r"
        )
    with pytest.raises(CorpusError, match="должны быть null"):
        parse_row({"id": "1", "text": "x", "relevant": False, "sector": "roads"}, "r")


def test_split_depends_on_the_id_alone(corpus):
    train, test = split(corpus)
    assert 0.15 < len(test) / len(corpus) < 0.25
    # A row's side does not change when other rows are added or removed.
    assert [p.id for p in split(corpus[::2])[1]] == [p.id for p in test if p in corpus[::2]]
    assert all(in_test(LabelledPost(p.id, "other text", False)) for p in test[:50])


def test_split_is_close_to_stratified(corpus):
    for sector in {p.sector for p in corpus if p.relevant}:
        rows = [p for p in corpus if p.sector == sector]
        share = sum(1 for p in rows if in_test(p)) / len(rows)
        assert 0.08 < share < 0.32, sector


def test_training_never_sees_test_rows(tmp_path, monkeypatch, sample_file):
    data = sample_file
    seen: list[str] = []
    original = train_module.PostModel.fit

    def recording_fit(self, X, y, dense=None, **kwargs):
        seen.extend(X)
        return original(self, X, y, dense, **kwargs)

    monkeypatch.setattr(train_module.PostModel, "fit", recording_fit)
    meta = train_module.train([data], tmp_path / "m", cv_folds=2)
    lemmatizer = train_module.Lemmatizer()
    test_texts = {lemmatizer.lemma_text(p.text) for p in read_many([data]) if in_test(p)}
    train_texts = {lemmatizer.lemma_text(p.text) for p in read_many([data]) if not in_test(p)}
    assert test_texts and not (set(seen) & (test_texts - train_texts))
    # Cross-validation folds and the final fit all drew from the train side only.
    assert len(seen) == 2 * meta["data"]["train"]["rows"]


@pytest.mark.skipif(not PUBLIC.is_dir(), reason="shared/datasets is not beside the repository")
def test_data_readme_is_current():
    public = [PUBLIC / name for name in PUBLIC_SETS]
    expected = render(project_files(), public)
    assert (DATA_DIR / "README.md").read_text(encoding="utf-8") == expected, (
        "classifier/data/README.md is stale: run python -m classifier.datacard"
    )
