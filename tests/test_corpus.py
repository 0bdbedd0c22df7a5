"""Unit tests for helpers.datasets.load_prose_corpus: the English prose corpus of notebook 15."""
import pytest

from helpers import datasets
from helpers.datasets import PROSE_SOURCES, load_prose_corpus


def test_small_sources_load_deduplicated_in_a_fixed_order():
    corpus = load_prose_corpus(["guardian_headlines", "lee_news"])
    assert list(corpus.tokens_by_source) == ["lee_news", "guardian_headlines"]  # PROSE_SOURCES order
    assert 40_000 < corpus.tokens_by_source["lee_news"] < 80_000
    assert corpus.tokens == sum(len(s) for s in corpus.sentences)
    assert len({tuple(s) for s in corpus.sentences}) == len(corpus.sentences)
    assert all(len(s) >= 3 and all(w == w.lower() and w[-1].isalnum() for w in s) for s in corpus.sentences)
    assert corpus.duplicates_dropped > 0 and "duplicate sentences dropped" in str(corpus)
    assert load_prose_corpus(["lee_news", "guardian_headlines"]).sentences == corpus.sentences


def test_wikipedia_markup_is_stripped():
    corpus = load_prose_corpus(["wikipedia"], min_length=5)
    text = " ".join(" ".join(s) for s in corpus.sentences[:3000])
    assert "anarchism" in text and 400_000 < corpus.tokens < 550_000
    for markup in ["ref", "cite", "http", "https", "nbsp", "deadurl"]:
        assert text.split().count(markup) < 20, markup


def test_min_length_and_bad_sources():
    short = load_prose_corpus(["guardian_headlines"], min_length=1)
    long = load_prose_corpus(["guardian_headlines"], min_length=8)
    assert min(map(len, long.sentences)) >= 8 and len(long.sentences) < len(short.sentences)
    with pytest.raises(KeyError, match="unknown prose source"):
        load_prose_corpus(["bbc"])
    with pytest.raises(TypeError):
        load_prose_corpus("lee_news")
    with pytest.raises(TypeError):
        load_prose_corpus(["lee_news"], min_length=2.5)
    assert set(PROSE_SOURCES) == set(datasets._PROSE_READERS)


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(datasets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"gensim==4\.4\.0"):
        load_prose_corpus(["lee_news"])
