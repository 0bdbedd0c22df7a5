"""Unit tests for helpers.vocab."""
import os
import re
import subprocess
import sys
from collections import Counter

import pytest
import torch

from helpers.vocab import PAD, PAD_ID, UNK, UNK_ID, Vocab, tokenize


def test_tokenize_lowercases_and_splits_punctuation_and_clitics():
    assert tokenize("Don't PANIC, it's fine!") == ["do", "n't", "panic", ",", "it", "'s", "fine", "!"]


def test_tokenize_rejects_non_string():
    with pytest.raises(TypeError, match="expects a str"):
        tokenize(["a", "list"])


def test_reserved_ids_then_frequency_then_alphabetical():
    vocab = Vocab(Counter({"b": 2, "a": 2, "c": 5, "d": 1}))
    assert vocab.itos == [PAD, UNK, "c", "a", "b", "d"]
    assert (vocab.stoi[PAD], vocab.stoi[UNK]) == (PAD_ID, UNK_ID)


def test_min_freq_and_max_size():
    counts = Counter({"a": 5, "b": 3, "c": 1})
    assert Vocab(counts, min_freq=2).itos[2:] == ["a", "b"]
    assert Vocab(counts, max_size=3).itos == [PAD, UNK, "a"]


def test_encode_decode_len_contains():
    vocab = Vocab.from_texts(["the cat sat", "the dog"])
    ids = vocab.encode(tokenize("the zebra sat"))
    assert ids == [vocab.stoi["the"], UNK_ID, vocab.stoi["sat"]]
    assert vocab.decode(ids) == ["the", UNK, "sat"]
    assert vocab.decode(torch.tensor(ids)) == ["the", UNK, "sat"]
    assert len(vocab) == 2 + 4 and "cat" in vocab and "zebra" not in vocab


def test_char_vocab_has_no_unk_and_raises_on_unknown():
    vocab = Vocab.from_chars("abba!")
    assert vocab.itos == [PAD, "a", "b", "!"] and vocab.unk_id is None
    with pytest.raises(KeyError, match="'z' is not in the vocabulary and it has no <unk> token"):
        vocab.encode(list("az"))
    with pytest.raises(TypeError, match="from_chars expects a str, got list"):
        Vocab.from_chars(["a", "b"])


def test_repr_shows_the_specials_and_the_first_tokens():
    words = Vocab(Counter({"b": 2, "a": 2, "c": 5, "d": 1}))
    assert repr(words) == f"Vocab(size=6, specials={[PAD, UNK]}, first={['c', 'a', 'b', 'd']})"
    chars = Vocab.from_chars("abba!")
    assert UNK not in repr(chars)
    assert repr(chars) == f"Vocab(size=4, specials={[PAD]}, first={['a', 'b', '!']})"
    many = Vocab.from_chars("abcdefg")
    assert repr(many).endswith(f"first={list('abcde')})")  # five tokens at most


@pytest.mark.parametrize("counts, kwargs, error, match", [
    (Counter(), {}, ValueError, "empty corpus"),
    ({"a": 1}, {}, TypeError, "collections.Counter"),
    (Counter("ab"), {"min_freq": 0}, ValueError, re.escape("min_freq must be at least 1, got 0")),
    (Counter("ab"), {"min_freq": 1.5}, TypeError, re.escape("min_freq must be an integer, got 1.5 (float)")),
    (Counter("ab"), {"min_freq": True}, TypeError, re.escape("min_freq must be an integer, got True (bool)")),
    (Counter("ab"), {"max_size": 2}, ValueError, re.escape("max_size must be at least 3, got 2")),
    (Counter("ab"), {"max_size": 1, "unk": False}, ValueError, re.escape("max_size must be at least 2, got 1")),
    (Counter("ab"), {"max_size": 3.0}, TypeError, re.escape("max_size must be an integer or None, got 3.0 (float)")),
    (Counter("ab"), {"max_size": True}, TypeError, re.escape("max_size must be an integer or None, got True (bool)")),
    (Counter("ab"), {"unk": 1}, TypeError, re.escape("unk must be True or False, got 1 (int)")),
])
def test_bad_construction(counts, kwargs, error, match):
    with pytest.raises(error, match=match):
        Vocab(counts, **kwargs)


def test_bad_encode_decode_input():
    vocab = Vocab.from_texts(["a b c"])
    with pytest.raises(TypeError, match="call tokenize"):
        vocab.encode("a b")
    with pytest.raises(ValueError, match=re.escape(f"id must be at most {len(vocab) - 1}, got {len(vocab)}")):
        vocab.decode([len(vocab)])
    with pytest.raises(ValueError, match=re.escape("id must be at least 0, got -1")):
        vocab.decode([-1])
    with pytest.raises(TypeError, match=re.escape("id must be an integer, got 1.0 (float)")):
        vocab.decode([1.0])
    with pytest.raises(TypeError, match=re.escape("id must be an integer, got True (bool)")):
        vocab.decode([True])
    with pytest.raises(TypeError, match=re.escape("id must be an integer, got 1.0 (float)")):
        vocab.decode(torch.tensor([1.0]))  # a float tensor is not a list of ids
    with pytest.raises(TypeError, match="single str"):
        Vocab.from_texts("a b c")


def test_order_is_independent_of_hash_seed():
    code = ("from helpers.vocab import Vocab; "
            "print(Vocab.from_texts(['x y z w', 'w z y x', 'q r s t u v']).itos)")
    outputs = set()
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                   check=True).stdout)
    assert len(outputs) == 1
