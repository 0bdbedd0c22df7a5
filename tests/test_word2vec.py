"""Unit tests for helpers.word2vec: encoding, subsampling, noise, pairs, the model, and gensim's repeatability."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from helpers.word2vec import (
    EncodedCorpus,
    SkipGram,
    encode_corpus,
    keep_probabilities,
    noise_distribution,
    skipgram_pairs,
)

SENTENCES = [["a", "b", "a", "c"], ["b", "a", "d"], ["a", "rare"]]


def line(n: int) -> EncodedCorpus:
    """n distinct words in one sentence, id = position, so a pair's distance is |centre - context|."""
    return EncodedCorpus([str(i) for i in range(n)], np.ones(n, dtype=np.int64), np.arange(n),
                         np.zeros(n, dtype=np.int64))


def test_encode_corpus_orders_by_frequency_and_drops_rare_words():
    corpus = encode_corpus(SENTENCES, min_count=2)
    assert corpus.words == ["a", "b"] and corpus.counts.tolist() == [4, 2]
    assert corpus.ids.tolist() == [0, 1, 0, 1, 0, 0] and corpus.sentence_of.tolist() == [0, 0, 0, 1, 1, 2]
    assert encode_corpus(SENTENCES, min_count=1).words == ["a", "b", "c", "d", "rare"]  # ties alphabetical


def test_encode_corpus_bad_input():
    with pytest.raises(TypeError):
        encode_corpus("a b c")
    with pytest.raises(TypeError):
        encode_corpus(SENTENCES, min_count=True)
    with pytest.raises(ValueError, match="min_count"):
        encode_corpus(SENTENCES, min_count=10)


def test_keep_probabilities_follow_the_c_code_formula():
    counts = np.array([900, 90, 10])
    keep = keep_probabilities(counts, sample=0.01)
    share = counts / 1000
    assert np.allclose(keep[:2], (np.sqrt(share[:2] / 0.01) + 1) * 0.01 / share[:2])
    assert keep[2] == 1.0 and keep[0] < keep[1]
    with pytest.raises(ValueError):
        keep_probabilities(counts, sample=0)
    with pytest.raises(TypeError):
        keep_probabilities([900, 90], sample=0.01)
    with pytest.raises(ValueError):
        keep_probabilities(np.array([5, 0]))


def test_noise_distribution_flattens_the_unigram():
    counts = np.array([1000, 100, 10])
    noise = noise_distribution(counts)
    assert np.isclose(noise.sum(), 1) and np.allclose(noise, counts ** 0.75 / (counts ** 0.75).sum())
    assert noise[0] < counts[0] / counts.sum() and noise[2] > counts[2] / counts.sum()
    assert np.allclose(noise_distribution(counts, power=0), 1 / 3)
    with pytest.raises(ValueError):
        noise_distribution(counts, power=2)


def test_fixed_window_pairs_are_every_neighbour_within_the_sentence():
    corpus = encode_corpus([["a", "b", "c"], ["d", "e"]], min_count=1)
    centres, contexts = skipgram_pairs(corpus, window=2, sample=None, dynamic_window=False)
    got = sorted(zip((corpus.words[i] for i in centres), (corpus.words[i] for i in contexts)))
    assert got == sorted([("a", "b"), ("a", "c"), ("b", "a"), ("b", "c"), ("c", "a"), ("c", "b"),
                          ("d", "e"), ("e", "d")])  # never across the sentence boundary (c, d)


def test_dynamic_window_weighs_near_words_more():
    centres, contexts = skipgram_pairs(line(20_000), window=4, sample=None, seed=1)
    used = np.bincount(np.abs(centres - contexts), minlength=5)[1:] / (2 * 20_000)
    assert np.allclose(used, [1, 0.75, 0.5, 0.25], atol=0.02)
    again = skipgram_pairs(line(20_000), window=4, sample=None, seed=1)
    assert np.array_equal(again[0], centres) and np.array_equal(again[1], contexts)
    assert not np.array_equal(skipgram_pairs(line(20_000), window=4, sample=None, seed=2)[0], centres)


def test_subsampling_drops_frequent_words():
    ids = np.r_[np.zeros(9_000, dtype=np.int64), np.arange(1, 1_001)]
    corpus = EncodedCorpus(["the"] + [f"w{i}" for i in range(1, 1_001)], np.r_[9_000, np.ones(1_000, dtype=np.int64)],
                           ids, np.arange(len(ids)) // 10)
    centres, _ = skipgram_pairs(corpus, window=2, sample=1e-3, seed=0)
    full, _ = skipgram_pairs(corpus, window=2, sample=None, seed=0)
    assert np.mean(centres == 0) < 0.5 < np.mean(full == 0)


def test_skipgram_pairs_bad_input():
    with pytest.raises(TypeError, match="EncodedCorpus"):
        skipgram_pairs([[1, 2]])
    with pytest.raises(ValueError):
        skipgram_pairs(line(10), window=0)
    with pytest.raises(TypeError):
        skipgram_pairs(line(10), dynamic_window=1)


def test_skipgram_model_initialisation_and_loss():
    model = SkipGram(30, dim=8, seed=0)
    assert model.inputs.sparse and model.outputs.sparse
    assert float(model.inputs.weight.detach().abs().max()) <= 0.5 / 8 and not model.outputs.weight.any()
    centres, contexts, negatives = torch.tensor([0, 1]), torch.tensor([2, 3]), torch.tensor([[4, 5], [6, 7]])
    # output vectors start at zero, so every score is 0 and each of the 2 x 3 terms is log 2
    assert model.loss(centres, contexts, negatives).item() == pytest.approx(6 * np.log(2), rel=1e-6)
    with torch.no_grad():
        model.outputs.weight.normal_()
    loss = model.loss(centres, contexts, negatives)
    c, o = model.inputs.weight, model.outputs.weight
    expected = -(torch.nn.functional.logsigmoid((c[[0, 1]] * o[[2, 3]]).sum(1)).sum()
                 + torch.nn.functional.logsigmoid(-(c[[0, 0, 1, 1]] * o[[4, 5, 6, 7]]).sum(1)).sum())
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    loss.backward()
    assert model.inputs.weight.grad.is_sparse
    assert sorted(model.inputs.weight.grad.coalesce().indices()[0].tolist()) == [0, 1]
    with pytest.raises(ValueError):
        SkipGram(0)


GENSIM_RUN = """
import json, sys
from gensim.models import Word2Vec
sentences = [[f"w{(i * 7 + j) % 40}" for j in range(12)] for i in range(60)]
kwargs = dict(vector_size=8, window=2, min_count=1, sg=1, negative=3, epochs=2, workers=1, seed=0)
model = Word2Vec(sentences, **kwargs)
print(json.dumps({w: model.wv[w].round(6).tolist() for w in sorted(model.wv.index_to_key)}))
"""


def gensim_vectors(hash_seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run([sys.executable, "-c", GENSIM_RUN], env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout)


def test_gensim_vectors_do_not_depend_on_the_string_hash_seed():
    # gensim 3 seeded each word's vector with hash(word + seed); 4.4 uses a NumPy generator seeded by `seed`
    first, second = gensim_vectors("1"), gensim_vectors("2")
    assert len(first) == 40
    assert first == second
