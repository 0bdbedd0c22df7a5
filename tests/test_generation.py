"""Tests for helpers.generation: encoding characters, training windows and sampling text from a model."""
import re

import pytest
import torch
from torch import nn

from helpers.generation import contiguous_streams, encode_chars, generate, random_windows
from helpers.vocab import Vocab

VOCAB = Vocab.from_chars("abcd")  # <pad>=0, a=1, b=2, c=3, d=4


class NextLetter(nn.Module):
    """A toy language model: after id i it scores id i+1 highest (d -> a); it records how it was called."""

    def __init__(self, vocab_size: int, sharpness: float = 20.0):
        super().__init__()
        self.sharpness = nn.Parameter(torch.tensor(sharpness))
        self.vocab_size = vocab_size
        self.calls = []

    def forward(self, ids, state):
        self.calls.append({"shape": tuple(ids.shape), "training": self.training,
                           "grad": torch.is_grad_enabled(), "state": state})
        following = ids % (self.vocab_size - 1) + 1
        logits = self.sharpness * nn.functional.one_hot(following, self.vocab_size).float()
        return logits, (state or 0) + ids.shape[1]


class FixedScores(nn.Module):
    """A toy model whose next-character scores never change: logits = scores."""

    def __init__(self, scores):
        super().__init__()
        self.scores = nn.Parameter(torch.as_tensor(scores, dtype=torch.float32))

    def forward(self, ids, state):
        return self.scores.expand(ids.shape[0], ids.shape[1], -1), state


# encode_chars -----------------------------------------------------------------------------------------------
def test_encode_chars_gives_ids_that_decode_back():
    ids = encode_chars("badcab", VOCAB)
    assert ids.dtype == torch.long and ids.tolist() == [2, 1, 4, 3, 1, 2]
    assert "".join(VOCAB.decode(ids)) == "badcab"


def test_encode_chars_names_the_unknown_characters():
    with pytest.raises(KeyError, match=r"characters not in the vocabulary: \['#', 'z'\]"):
        encode_chars("abz#zz", VOCAB)


def test_encode_chars_rejects_a_list():
    with pytest.raises(TypeError, match="text must be a str, got list"):
        encode_chars(["a", "b"], VOCAB)
    with pytest.raises(TypeError, match="vocab must be a helpers.vocab.Vocab, got dict"):
        encode_chars("ab", {"a": 1, "b": 2})


# random_windows and contiguous_streams ----------------------------------------------------------------------
IDS = torch.arange(100)


def test_random_windows_are_contiguous_and_targets_are_shifted_by_one():
    x, y = random_windows(IDS, seq_len=8, batch_size=5, generator=torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (5, 8)
    assert torch.equal(y, x + 1)  # IDS is 0, 1, 2, ...: every target is the next id
    assert int(y.max()) <= 99 and int(x.min()) >= 0


def test_random_windows_are_seeded_and_reach_the_end_of_the_text():
    a = random_windows(IDS, 8, 5, torch.Generator().manual_seed(1))
    b = random_windows(IDS, 8, 5, torch.Generator().manual_seed(1))
    assert torch.equal(a[0], b[0])
    x, y = random_windows(torch.arange(10), seq_len=9, batch_size=3)  # only one window fits
    assert x[:, 0].tolist() == [0, 0, 0] and y[:, -1].tolist() == [9, 9, 9]


def test_random_windows_reject_a_text_that_is_too_short():
    with pytest.raises(ValueError, match="needs at least 11"):
        random_windows(torch.arange(10), seq_len=10, batch_size=2)


@pytest.mark.parametrize("seq_len, batch_size, error, match", [
    (0, 2, ValueError, "seq_len must be at least 1, got 0"),
    (4, 0, ValueError, "batch_size must be at least 1, got 0"),
    (4.0, 2, TypeError, "seq_len must be an integer, got 4.0 (float)"),
    (True, 2, TypeError, "seq_len must be an integer, got True (bool)"),
    (4, True, TypeError, "batch_size must be an integer, got True (bool)"),
])
def test_random_windows_reject_bad_sizes(seq_len, batch_size, error, match):
    with pytest.raises(error, match=re.escape(match)):
        random_windows(IDS, seq_len, batch_size)


def test_random_windows_reject_float_ids():
    with pytest.raises(TypeError, match="1-D LongTensor"):
        random_windows(torch.rand(50), 4, 2)


def test_contiguous_streams_cover_the_text_in_order():
    x, y = contiguous_streams(IDS, n_streams=3)
    assert x.shape == y.shape == (3, 33)
    assert x.flatten().tolist() == list(range(99)) and torch.equal(y, x + 1)


def test_contiguous_streams_reject_too_many_streams():
    with pytest.raises(ValueError, match="needs at least 6"):
        contiguous_streams(torch.arange(5), n_streams=5)


@pytest.mark.parametrize("n_streams, error, match", [
    (0, ValueError, "n_streams must be at least 1, got 0"),
    (2.0, TypeError, "n_streams must be an integer, got 2.0 (float)"),
    (True, TypeError, "n_streams must be an integer, got True (bool)"),
])
def test_contiguous_streams_reject_a_bad_count(n_streams, error, match):
    with pytest.raises(error, match=re.escape(match)):
        contiguous_streams(IDS, n_streams)


# generate ---------------------------------------------------------------------------------------------------
def test_generate_returns_the_prompt_and_the_continuation():
    text = generate(NextLetter(len(VOCAB)), VOCAB, "a", length=9, top_k=1)
    assert text == "abcdabcdab"


def test_generate_reads_a_prompt_of_any_length_once_then_one_character_at_a_time():
    model = NextLetter(len(VOCAB))
    text = generate(model, VOCAB, "abcdabcdabcc", length=3, top_k=1)
    assert text == "abcdabcdabccdab"
    assert [c["shape"] for c in model.calls] == [(1, 12), (1, 1), (1, 1), (1, 1)]
    assert [c["state"] for c in model.calls] == [None, 12, 13, 14]  # the state is carried along


def test_generate_runs_in_eval_mode_without_gradients_and_restores_the_mode():
    model = NextLetter(len(VOCAB))
    model.train()
    generate(model, VOCAB, "ab", length=2)
    assert all(not c["training"] and not c["grad"] for c in model.calls)
    assert model.training
    model.eval()
    generate(model, VOCAB, "ab", length=2)
    assert not model.training


def test_generate_is_repeatable_with_a_seeded_generator():
    model = NextLetter(len(VOCAB), sharpness=1.0)  # a flat distribution: samples vary
    samples = [generate(model, VOCAB, "a", 40, generator=torch.Generator().manual_seed(s)) for s in (0, 0, 1)]
    assert samples[0] == samples[1] != samples[2]


def test_generate_never_samples_pad_and_top_k_keeps_the_k_best():
    model = FixedScores([10.0, 0.0, 1.0, 2.0, 3.0])  # <pad> scored highest: it must still never be sampled
    g = torch.Generator().manual_seed(0)
    text = generate(model, VOCAB, "a", 300, generator=g)
    assert set(text[1:]) == {"a", "b", "c", "d"}
    text = generate(model, VOCAB, "a", 300, top_k=2, generator=g)  # <pad> is out first, then the 2 best
    assert set(text[1:]) == {"c", "d"}


def test_generate_low_temperature_is_nearly_greedy_and_high_temperature_spreads():
    model = FixedScores([0.0, 0.0, 1.0, 2.0, 3.0])
    g = torch.Generator().manual_seed(0)
    cold = generate(model, VOCAB, "a", 200, temperature=0.05, generator=g)
    hot = generate(model, VOCAB, "a", 200, temperature=5.0, generator=g)
    assert set(cold[1:]) == {"d"}
    assert hot[1:].count("d") < 100 and len(set(hot[1:])) == 4


def test_generate_names_unknown_prompt_characters():
    with pytest.raises(KeyError, match=r"characters not in the vocabulary: \['!', 'z'\]"):
        generate(NextLetter(len(VOCAB)), VOCAB, "zab!", length=5)


@pytest.mark.parametrize("temperature", [0, -1.0, float("inf")])
def test_generate_rejects_a_temperature_that_is_not_positive(temperature):
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        generate(NextLetter(len(VOCAB)), VOCAB, "a", 5, temperature=temperature)


@pytest.mark.parametrize("temperature, error, match", [
    (float("nan"), ValueError, "temperature must be a number, got NaN"),
    (True, TypeError, "temperature must be a number, got True (bool)"),
])
def test_generate_rejects_a_temperature_that_is_not_a_number(temperature, error, match):
    with pytest.raises(error, match=re.escape(match)):
        generate(NextLetter(len(VOCAB)), VOCAB, "a", 5, temperature=temperature)


@pytest.mark.parametrize("top_k, match", [
    (0, "top_k must be at least 1, got 0"), (-2, "top_k must be at least 1, got -2"),
    (len(VOCAB) + 1, f"top_k must be at most {len(VOCAB)}, got {len(VOCAB) + 1}"),
])
def test_generate_rejects_top_k_out_of_range(top_k, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        generate(NextLetter(len(VOCAB)), VOCAB, "a", 5, top_k=top_k)


def test_generate_accepts_top_k_equal_to_the_vocabulary_size():
    model = FixedScores([0.0, 0.0, 1.0, 2.0, 3.0])
    text = generate(model, VOCAB, "a", 200, top_k=len(VOCAB), generator=torch.Generator().manual_seed(0))
    assert set(text[1:]) == {"a", "b", "c", "d"}  # nothing cut but <pad>


def test_generate_rejects_an_empty_prompt():
    with pytest.raises(ValueError, match="prompt is empty"):
        generate(NextLetter(len(VOCAB)), VOCAB, "", 5)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"length": -1}, ValueError, "length must be at least 0, got -1"),
    ({"length": 2.0}, TypeError, "length must be an integer, got 2.0 (float)"),
    ({"length": True}, TypeError, "length must be an integer, got True (bool)"),
    ({"length": 5, "top_k": 2.0}, TypeError, "top_k must be an integer or None, got 2.0 (float)"),
    ({"length": 5, "top_k": True}, TypeError, "top_k must be an integer or None, got True (bool)"),
    ({"length": 5, "temperature": "hot"}, TypeError, "temperature must be a number, got 'hot' (str)"),
    ({"length": 5, "generator": 0}, TypeError, "generator must be None or a torch.Generator, got int")])
def test_generate_rejects_other_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        generate(NextLetter(len(VOCAB)), VOCAB, "a", **kwargs)


def test_generate_rejects_a_model_that_is_not_a_module():
    with pytest.raises(TypeError, match=re.escape("model must be a torch.nn.Module, got dict")):
        generate({"weights": None}, VOCAB, "a", 5)


def test_generate_rejects_a_prompt_that_is_not_a_string():
    with pytest.raises(TypeError, match="prompt must be a str, got list"):
        generate(NextLetter(len(VOCAB)), VOCAB, ["a"], 5)


def test_generate_with_length_zero_returns_the_prompt():
    assert generate(NextLetter(len(VOCAB)), VOCAB, "abc", 0) == "abc"


# top_p (nucleus sampling) -----------------------------------------------------------------------------------
NUCLEUS = [0.0, *torch.tensor([0.5, 0.3, 0.15, 0.05]).log().tolist()]  # a-d with these probabilities; <pad> masked


@pytest.mark.parametrize("top_p, kept", [(0.4, {"a"}), (0.7, {"a", "b"}), (0.9, {"a", "b", "c"}),
                                         (0.99, {"a", "b", "c", "d"}), (1.0, {"a", "b", "c", "d"})])
def test_generate_top_p_keeps_the_fewest_best_characters_that_reach_p(top_p, kept):
    text = generate(FixedScores(NUCLEUS), VOCAB, "a", 400, top_p=top_p, generator=torch.Generator().manual_seed(0))
    assert set(text[1:]) == kept


def test_generate_top_p_renormalises_the_nucleus():
    text = generate(FixedScores(NUCLEUS), VOCAB, "a", 4_000, top_p=0.7, generator=torch.Generator().manual_seed(0))
    share_a = text[1:].count("a") / 4_000
    assert abs(share_a - 0.5 / 0.8) < 0.03  # a and b kept: a has 0.5 of their 0.8


def test_generate_top_p_of_one_changes_nothing_and_combines_with_top_k():
    model = FixedScores(NUCLEUS)
    plain = generate(model, VOCAB, "a", 200, generator=torch.Generator().manual_seed(3))
    assert generate(model, VOCAB, "a", 200, top_p=1.0, generator=torch.Generator().manual_seed(3)) == plain
    both = generate(model, VOCAB, "a", 200, top_k=3, top_p=0.99, generator=torch.Generator().manual_seed(3))
    assert set(both[1:]) == {"a", "b", "c"}  # top_k cuts d first; the nucleus of the rest keeps all three


def test_generate_top_p_applies_after_the_temperature():
    hot = generate(FixedScores(NUCLEUS), VOCAB, "a", 400, temperature=10.0, top_p=0.4,
                   generator=torch.Generator().manual_seed(0))
    assert set(hot[1:]) == {"a", "b"}  # flattened: a alone (about 0.28) no longer reaches 0.4


@pytest.mark.parametrize("top_p, error, match", [
    (0, ValueError, "top_p must be greater than 0, got 0"),
    (-0.5, ValueError, "top_p must be greater than 0, got -0.5"),
    (1.5, ValueError, "top_p must be at most 1, got 1.5"),
    (float("nan"), ValueError, "top_p must be a number, got NaN"),
    ("0.9", TypeError, "top_p must be a number or None, got '0.9' (str)"),
    (True, TypeError, "top_p must be a number or None, got True (bool)"),
])
def test_generate_rejects_a_bad_top_p(top_p, error, match):
    with pytest.raises(error, match=re.escape(match)):
        generate(NextLetter(len(VOCAB)), VOCAB, "a", 5, top_p=top_p)
