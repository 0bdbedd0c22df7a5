"""Tests for helpers.pretrained (aligning a vocabulary to pretrained vectors) and helpers.similarity (evaluating them)."""
import math
import re
from collections import Counter

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from helpers.pretrained import Coverage, pretrained_embedding_matrix
from helpers.similarity import (
    AnalogyScore,
    SimilarityScore,
    analogy_accuracy,
    check_word_vectors,
    nearest_neighbours,
    section_kind,
    similarity_correlation,
    solve_analogy,
    unit_vectors,
)
from helpers.vocab import Vocab

# A toy space where the analogies hold by construction: base + royal (+ female) directions.
WORDS = ["man", "woman", "king", "queen", "apple", "pear", "boy", "girl"]
_E = np.eye(6, dtype=np.float32)
VECTORS = np.stack([
    _E[0],                      # man
    _E[0] + _E[1],              # woman
    _E[0] + _E[2],              # king
    _E[0] + _E[1] + _E[2],      # queen
    _E[3],                      # apple
    _E[3] + 0.3 * _E[4],        # pear
    _E[0] + 0.5 * _E[5],        # boy
    _E[0] + _E[1] + 0.5 * _E[5],  # girl
])


def random_space(n=300, dim=8, seed=0):
    rng = np.random.default_rng(seed)
    return [f"w{i}" for i in range(n)], rng.standard_normal((n, dim)).astype(np.float32)


# ---- check_word_vectors ----

def test_check_word_vectors_accepts_matching_words_and_rows():
    check_word_vectors(WORDS, VECTORS)  # no error


@pytest.mark.parametrize("vectors, error, match", [
    ([[0.0, 1.0]], TypeError, "2-D numpy array"),
    (np.zeros(3, dtype=np.float32), TypeError, "2-D numpy array"),
    (np.zeros((3, 2), dtype=np.int64), TypeError, "floating point"),
    (np.zeros((2, 2), dtype=np.float32), ValueError, "3 words but 2 vectors"),
])
def test_check_word_vectors_rejects_bad_input(vectors, error, match):
    with pytest.raises(error, match=match):
        check_word_vectors(["a", "b", "c"], vectors)


# ---- Coverage and pretrained_embedding_matrix ----

def test_coverage_str():
    text = str(Coverage(found=3, words=4, token_share=0.9))
    assert text == "3 of 4 words found (75.0%); they make up 90.0% of the tokens"


def toy_vocab():
    # "king" x3, "apple" x2, "zzz" x1 (no vector): 5 of 6 tokens are covered
    return Vocab(Counter({"king": 3, "apple": 2, "zzz": 1}))


def test_pretrained_matrix_rows():
    vocab = toy_vocab()
    matrix, coverage = pretrained_embedding_matrix(vocab, WORDS, VECTORS)
    assert matrix.shape == (len(vocab), VECTORS.shape[1]) and matrix.dtype == torch.float32
    assert torch.equal(matrix[0], torch.zeros(6))                                   # <pad>
    assert torch.equal(matrix[vocab.lookup("king")], torch.from_numpy(VECTORS[2]))
    assert torch.equal(matrix[vocab.lookup("apple")], torch.from_numpy(VECTORS[4]))
    for token in ("<unk>", "zzz"):  # small random, not zero
        row = matrix[vocab.lookup(token)]
        assert 0 < row.abs().max() < 1.0
    assert coverage == Coverage(found=2, words=3, token_share=5 / 6)


def test_pretrained_matrix_unknown_rows_scale_and_seed():
    words, vectors = random_space(n=50, dim=400)
    vocab = Vocab(Counter({"w0": 5, "nope1": 1, "nope2": 1}))
    matrix, _ = pretrained_embedding_matrix(vocab, words, vectors, seed=3, unknown_scale=0.1)
    unknown = matrix[[vocab.lookup("nope1"), vocab.lookup("nope2"), 1]]
    assert float(unknown.std()) == pytest.approx(0.1 * float(vectors.std()), rel=0.1)
    again, _ = pretrained_embedding_matrix(vocab, words, vectors, seed=3, unknown_scale=0.1)
    other, _ = pretrained_embedding_matrix(vocab, words, vectors, seed=4, unknown_scale=0.1)
    assert torch.equal(matrix, again) and not torch.equal(matrix, other)
    zero, _ = pretrained_embedding_matrix(vocab, words, vectors, unknown_scale=0.0)
    assert torch.equal(zero[vocab.lookup("nope1")], torch.zeros(400))


def test_pretrained_matrix_accepts_a_tensor_and_gives_the_numpy_matrix():
    vocab = toy_vocab()
    from_numpy, coverage = pretrained_embedding_matrix(vocab, WORDS, VECTORS, seed=5)
    weight = torch.nn.Parameter(torch.from_numpy(VECTORS.copy()))  # a layer's weight, which requires grad
    from_tensor, tensor_coverage = pretrained_embedding_matrix(vocab, WORDS, weight, seed=5)
    assert torch.equal(from_tensor, from_numpy) and tensor_coverage == coverage
    assert torch.equal(weight.detach(), torch.from_numpy(VECTORS))  # the input is not changed
    float64, _ = pretrained_embedding_matrix(vocab, WORDS, torch.from_numpy(VECTORS.astype(np.float64)), seed=5)
    assert float64.dtype == torch.float32 and torch.allclose(float64, from_numpy)


def test_pretrained_matrix_vocab_without_unk():
    vocab = Vocab(Counter({"king": 1, "q": 1}), unk=False)
    matrix, coverage = pretrained_embedding_matrix(vocab, WORDS, VECTORS)
    assert len(matrix) == 3 and coverage.words == 2 and coverage.found == 1


def test_pretrained_matrix_bad_input():
    vocab = toy_vocab()
    with pytest.raises(TypeError, match="helpers.vocab.Vocab"):
        pretrained_embedding_matrix({"king": 2}, WORDS, VECTORS)
    with pytest.raises(ValueError, match="8 words but 7 vectors"):
        pretrained_embedding_matrix(vocab, WORDS, VECTORS[:7])
    with pytest.raises(ValueError, match=re.escape("unknown_scale must be at least 0, got -1")):
        pretrained_embedding_matrix(vocab, WORDS, VECTORS, unknown_scale=-1)
    with pytest.raises(TypeError, match=re.escape("unknown_scale must be a number, got True (bool)")):
        pretrained_embedding_matrix(vocab, WORDS, VECTORS, unknown_scale=True)
    with pytest.raises(ValueError, match=re.escape("seed must be at least 0, got -1")):
        pretrained_embedding_matrix(vocab, WORDS, VECTORS, seed=-1)
    with pytest.raises(TypeError, match=re.escape("seed must be an integer, got 1.0 (float)")):
        pretrained_embedding_matrix(vocab, WORDS, VECTORS, seed=1.0)
    with pytest.raises(TypeError, match=re.escape("seed must be an integer, got True (bool)")):
        pretrained_embedding_matrix(vocab, WORDS, VECTORS, seed=True)
    with pytest.raises(TypeError, match="2-D numpy array"):
        pretrained_embedding_matrix(vocab, WORDS, VECTORS.tolist())
    with pytest.raises(TypeError, match="floating point"):
        pretrained_embedding_matrix(vocab, WORDS, torch.ones(8, 6, dtype=torch.long))
    with pytest.raises(ValueError, match="no word of the vocabulary has a pretrained vector"):
        pretrained_embedding_matrix(Vocab(Counter({"xyz": 2})), WORDS, VECTORS)


# ---- section_kind and unit_vectors ----

def test_section_kind():
    assert section_kind("gram3-comparative") == "syntactic"
    assert section_kind("capital-world") == "semantic"
    assert section_kind("family") == "semantic"


def test_unit_vectors():
    unit = unit_vectors(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float64))
    assert unit.dtype == np.float32
    assert np.allclose(unit, [[0.6, 0.8], [0.0, 0.0]])  # a zero row stays zero
    weight = torch.nn.Parameter(torch.tensor([[2.0, 0.0]]))  # a layer's weight works too
    assert np.array_equal(unit_vectors(weight), [[1.0, 0.0]])
    assert weight.detach().tolist() == [[2.0, 0.0]]  # the input is not changed


@pytest.mark.parametrize("vectors", [np.zeros((2, 2), dtype=np.int32), torch.zeros(2, 2, dtype=torch.long),
                                     np.zeros(4, dtype=np.float32), [[1.0, 2.0]]])
def test_unit_vectors_bad_input(vectors):
    with pytest.raises(TypeError, match="floating"):
        unit_vectors(vectors)


# ---- nearest_neighbours ----

def test_nearest_neighbours_matches_brute_force():
    words, vectors = random_space()
    got = nearest_neighbours("w7", words, vectors, k=4)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cosines = unit @ unit[7]
    cosines[7] = -np.inf
    order = np.argsort(-cosines)[:4]
    assert [w for w, _ in got] == [words[i] for i in order]
    assert [c for _, c in got] == pytest.approx(cosines[order].tolist(), abs=1e-5)


def test_nearest_neighbours_of_a_vector_includes_every_word():
    got = nearest_neighbours(torch.from_numpy(VECTORS[2] * 5), WORDS, VECTORS, k=2)  # not normalised
    assert got[0][0] == "king" and got[0][1] == pytest.approx(1.0)  # a cosine, not a dot product
    assert nearest_neighbours("pear", WORDS, VECTORS, k=1)[0][0] == "apple"
    assert nearest_neighbours("king", WORDS, torch.from_numpy(VECTORS), k=7)[-1][0] in ("apple", "pear")


def test_nearest_neighbours_bad_input():
    with pytest.raises(KeyError, match="no vector for 'zebra'"):
        nearest_neighbours("zebra", WORDS, VECTORS)
    with pytest.raises(ValueError, match="8 words but 7 vectors"):
        nearest_neighbours("king", WORDS, VECTORS[:7])
    with pytest.raises(ValueError, match=re.escape("k must be at most 7, got 8")):
        nearest_neighbours("king", WORDS, VECTORS, k=8)
    with pytest.raises(ValueError, match=re.escape("k must be at most 8, got 9")):  # a vector query: all 8 words
        nearest_neighbours(VECTORS[2], WORDS, VECTORS, k=9)
    with pytest.raises(ValueError, match=re.escape("k must be at least 1, got 0")):
        nearest_neighbours("king", WORDS, VECTORS, k=0)
    with pytest.raises(TypeError, match=re.escape("k must be an integer, got 2.0 (float)")):
        nearest_neighbours("king", WORDS, VECTORS, k=2.0)
    with pytest.raises(TypeError, match=re.escape("k must be an integer, got True (bool)")):
        nearest_neighbours("king", WORDS, VECTORS, k=True)
    with pytest.raises(ValueError, match=r"shape \(6,\)"):
        nearest_neighbours(np.zeros(5, dtype=np.float32), WORDS, VECTORS)
    with pytest.raises(TypeError, match="a word \\(str\\) or a vector"):
        nearest_neighbours(3, WORDS, VECTORS)
    with pytest.raises(TypeError, match="list of str"):
        nearest_neighbours("king", "king", VECTORS[:4])


# ---- solve_analogy ----

def test_solve_analogy_leaves_out_the_query_words():
    answer = solve_analogy("man", "king", "woman", WORDS, VECTORS, k=5)
    assert answer[0][0] == "queen" and 0.95 < answer[0][1] <= 1.0  # a cosine
    assert not {"man", "king", "woman"} & {w for w, _ in answer}
    assert solve_analogy("man", "boy", "woman", WORDS, VECTORS)[0][0] == "girl"


def test_solve_analogy_top_n_restricts_the_search():
    # among the first 3 words only "woman" could answer, and it is a query word: k=1 must still work with top_n=4
    assert solve_analogy("man", "woman", "king", WORDS, VECTORS, top_n=4)[0][0] == "queen"
    with pytest.raises(KeyError, match="'queen'"):
        solve_analogy("man", "king", "queen", WORDS, VECTORS, top_n=3)


def test_solve_analogy_bad_input():
    with pytest.raises(KeyError, match="no vector for 'lord', 'lady'"):
        solve_analogy("lord", "king", "lady", WORDS, VECTORS)
    with pytest.raises(ValueError, match=re.escape("top_n must be at most 8, got 9")):
        solve_analogy("man", "king", "woman", WORDS, VECTORS, top_n=9)
    with pytest.raises(ValueError, match=re.escape("top_n must be at least 1, got 0")):
        solve_analogy("man", "king", "woman", WORDS, VECTORS, top_n=0)
    with pytest.raises(TypeError, match=re.escape("top_n must be an integer or None, got 4.0 (float)")):
        solve_analogy("man", "king", "woman", WORDS, VECTORS, top_n=4.0)
    with pytest.raises(ValueError, match=re.escape("k must be at most 5, got 6")):
        solve_analogy("man", "king", "woman", WORDS, VECTORS, k=6)
    with pytest.raises(TypeError, match=re.escape("k must be an integer, got True (bool)")):
        solve_analogy("man", "king", "woman", WORDS, VECTORS, k=True)
    with pytest.raises(ValueError, match="8 words but 6 vectors"):
        solve_analogy("man", "king", "woman", WORDS, VECTORS[:6])


# ---- analogy_accuracy ----

def test_analogy_accuracy_counts_sections_and_skips():
    questions = [("family", "man", "king", "woman", "queen"),     # right
                 ("family", "man", "woman", "king", "queen"),     # right
                 ("gram-x", "man", "boy", "woman", "girl"),       # right
                 ("gram-x", "apple", "pear", "man", "queen"),     # wrong: the answer is boy
                 ("family", "man", "king", "woman", "empress")]   # skipped: no vector for empress
    score = analogy_accuracy(questions, WORDS, VECTORS)
    assert score.sections == {"family": (2, 2), "gram-x": (1, 2)}
    assert (score.semantic, score.syntactic, score.total) == (1.0, 0.5, 0.75)
    assert (score.answered, score.skipped) == (4, 1)
    assert str(score) == "semantic 1.000, syntactic 0.500, total 0.750 (4 questions answered, 1 skipped)"


def test_analogy_accuracy_top_n_skips_questions_with_rare_words():
    questions = [("family", "man", "king", "woman", "queen"), ("gram-x", "man", "boy", "woman", "girl")]
    score = analogy_accuracy(questions, WORDS, VECTORS, top_n=4)
    assert score.sections == {"family": (1, 1)} and score.skipped == 1
    assert math.isnan(score.syntactic) and score.total == 1.0


def test_analogy_accuracy_equals_one_question_at_a_time():
    words, vectors = random_space(n=60, dim=3, seed=1)
    rng = np.random.default_rng(2)
    questions = [(f"{'gram' if i % 2 else 'sem'}{i % 3}", *(words[j] for j in rng.choice(60, 4, replace=False)))
                 for i in range(300)]
    for top_n, batch_size in ((None, 7), (40, None)):
        score = analogy_accuracy(questions, words, torch.from_numpy(vectors), top_n=top_n, batch_size=batch_size)
        expected: dict[str, list[int]] = {}
        for section, a, b, c, d in questions:
            if top_n is None or all(words.index(w) < top_n for w in (a, b, c, d)):
                hit = solve_analogy(a, b, c, words, vectors, top_n=top_n)[0][0] == d
                expected.setdefault(section, [0, 0])
                expected[section][0] += hit
                expected[section][1] += 1
        assert score.sections == {s: tuple(v) for s, v in expected.items()}
        assert score.total > 0  # 3-d random vectors: some analogies hold by chance, so the test is not vacuous


def test_analogy_accuracy_bad_input():
    question = [("family", "man", "king", "woman", "queen")]
    with pytest.raises(ValueError, match="non-empty list"):
        analogy_accuracy([], WORDS, VECTORS)
    with pytest.raises(ValueError, match="tuple of 5 strings"):
        analogy_accuracy([("man", "king", "woman", "queen")], WORDS, VECTORS)
    with pytest.raises(ValueError, match="8 words but 7 vectors"):
        analogy_accuracy(question, WORDS, VECTORS[:7])
    with pytest.raises(ValueError, match=re.escape("top_n must be at most 8, got 100")):
        analogy_accuracy(question, WORDS, VECTORS, top_n=100)
    with pytest.raises(TypeError, match=re.escape("top_n must be an integer or None, got True (bool)")):
        analogy_accuracy(question, WORDS, VECTORS, top_n=True)
    with pytest.raises(ValueError, match="no question has all four words"):
        analogy_accuracy([("family", "Man", "King", "Woman", "Queen")], WORDS, VECTORS)
    with pytest.raises(ValueError, match=re.escape("batch_size must be at least 1, got 0")):
        analogy_accuracy(question, WORDS, VECTORS, batch_size=0)
    with pytest.raises(TypeError, match=re.escape("batch_size must be an integer or None, got 2.0 (float)")):
        analogy_accuracy(question, WORDS, VECTORS, batch_size=2.0)
    with pytest.raises(TypeError, match=re.escape("batch_size must be an integer or None, got True (bool)")):
        analogy_accuracy(question, WORDS, VECTORS, batch_size=True)


# ---- similarity_correlation ----

def test_similarity_correlation_matches_scipy_and_counts_coverage():
    pairs = [("man", "woman", 6.0), ("king", "queen", 8.0), ("apple", "pear", 9.0), ("man", "apple", 0.5),
             ("boy", "king", 2.0), ("man", "unicorn", 5.0)]
    score = similarity_correlation(pairs, WORDS, VECTORS)
    unit = VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True)
    row = {w: i for i, w in enumerate(WORDS)}
    cosines = [float(unit[row[a]] @ unit[row[b]]) for a, b, _ in pairs[:5]]
    assert score.spearman == pytest.approx(spearmanr(cosines, [r for *_, r in pairs[:5]]).statistic)
    assert (score.answered, score.skipped) == (5, 1)
    assert str(score) == f"Spearman {score.spearman:.3f} (5 pairs rated, 1 skipped)"
    assert isinstance(score, SimilarityScore)


def test_similarity_correlation_perfect_order():
    pairs = [("king", "queen", 3.0), ("man", "king", 2.0), ("man", "apple", 1.0)]
    assert similarity_correlation(pairs, WORDS, VECTORS).spearman == pytest.approx(1.0)


def test_similarity_correlation_bad_input():
    with pytest.raises(ValueError, match="non-empty list"):
        similarity_correlation([], WORDS, VECTORS)
    with pytest.raises(ValueError, match="\\(word, word, rating\\) tuple"):
        similarity_correlation([("man", "woman")], WORDS, VECTORS)
    with pytest.raises(ValueError, match="only 0 of 2 pairs have vectors"):
        similarity_correlation([("cat", "dog", 7.0), ("car", "bus", 6.0)], WORDS, VECTORS)
    with pytest.raises(ValueError, match="8 words but 7 vectors"):
        similarity_correlation([("man", "woman", 6.0)], WORDS, VECTORS[:7])


def test_score_objects_are_plain_data():
    score = AnalogyScore({"family": (1, 2)}, skipped=0)
    assert (score.total, score.answered) == (0.5, 2) and math.isnan(score.syntactic)


# ---- on the real GloVe vectors (the installed data package) ----

@pytest.fixture(scope="module")
def glove():
    from helpers.datasets import load_glove
    return load_glove(top_n=30_000)


def test_real_glove_neighbours_and_analogy(glove):
    words, vectors = glove
    assert "queen" in [w for w, _ in nearest_neighbours("king", words, vectors, k=5)]
    assert solve_analogy("man", "king", "woman", words, vectors)[0][0] == "queen"
    assert solve_analogy("france", "paris", "italy", words, vectors)[0][0] == "rome"


def test_real_glove_section_accuracy(glove):
    from helpers.datasets import load_analogies
    questions = [q for q in load_analogies() if q[0] == "capital-common-countries"]
    score = analogy_accuracy(questions, *glove, top_n=30_000)
    assert score.sections == {"capital-common-countries": (403, 506)}


def test_real_similarity(glove):
    from helpers.datasets import load_word_similarity
    score = similarity_correlation(load_word_similarity("wordsim353"), *glove)
    assert (score.answered, score.skipped) == (340, 13)
    assert 0.45 < score.spearman < 0.6


def test_a_repeated_word_keeps_its_first_row():
    words = ["a", "b", "a"]
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [-1.0, 0.0]], dtype=np.float32)
    (word, cosine), = nearest_neighbours("a", words, vectors, k=1)
    assert word == "b" and cosine > 0.99  # measured from row 0; from row 2 it would be -0.99
    (first, c1), (second, c2) = nearest_neighbours("b", words, vectors, k=2)
    assert (first, second) == ("a", "a") and c1 == pytest.approx(-c2) and c1 > 0.99
