"""Tests for helpers.batching: padding collate, EmbeddingBag inputs, masks from lengths and the bucketing sampler."""
import re

import pytest
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader

from helpers.batching import BucketBatchSampler, EncodedTexts, bag_inputs, lengths_to_mask, pad_collate


# pad_collate ------------------------------------------------------------------------------------------------
def test_pad_collate_pads_with_zero_and_keeps_lengths_and_labels():
    padded, lengths, labels = pad_collate([([5, 6, 7], 1), ([8], 0), ([9, 4], 1)])
    assert padded.tolist() == [[5, 6, 7], [8, 0, 0], [9, 4, 0]]
    assert padded.dtype == torch.long
    assert lengths.tolist() == [3, 1, 2]
    assert labels.tolist() == [1, 0, 1] and labels.dtype == torch.long


def test_pad_collate_float_labels_and_custom_pad_id():
    padded, _, labels = pad_collate([([1], 0.5), ([2, 3], 1.0)], pad_id=-1)
    assert padded.tolist() == [[1, -1], [2, 3]]
    assert labels.dtype == torch.float32


def test_pad_collate_rejects_an_empty_batch():
    with pytest.raises(ValueError, match="empty batch"):
        pad_collate([])


def test_pad_collate_rejects_an_empty_sequence():
    with pytest.raises(ValueError, match="sequence in the batch is empty"):
        pad_collate([([1, 2], 0), ([], 1)])
    with pytest.raises(ValueError, match="sequence in the batch is empty"):
        pad_collate([[1, 2], []])


def test_pad_collate_of_bare_id_lists_returns_padded_ids_and_lengths_only():
    seqs = [[5, 6, 7], [8], [9, 4]]
    out = pad_collate(seqs)
    assert len(out) == 2
    padded, lengths = out
    assert padded.tolist() == [[5, 6, 7], [8, 0, 0], [9, 4, 0]] and padded.dtype == torch.long
    assert lengths.tolist() == [3, 1, 2]
    labelled_padded, labelled_lengths, _ = pad_collate([(s, 0) for s in seqs])  # same ids as with labels
    assert torch.equal(padded, labelled_padded) and torch.equal(lengths, labelled_lengths)
    assert pad_collate([[1], [2, 3]], pad_id=-1)[0].tolist() == [[1, -1], [2, 3]]


def test_pad_collate_of_bare_id_lists_works_with_a_dataloader():
    seqs = [[1, 2], [3], [4, 5, 6], [7]]
    batches = list(DataLoader(seqs, batch_size=2, collate_fn=pad_collate))
    assert [tuple(p.shape) for p, _ in batches] == [(2, 2), (2, 3)]
    assert [lengths.tolist() for _, lengths in batches] == [[2, 1], [3, 1]]


@pytest.mark.parametrize("pad_id, error, match", [
    (0.0, TypeError, "pad_id must be an integer, got 0.0 (float)"),
    (True, TypeError, "pad_id must be an integer, got True (bool)"),
    ("0", TypeError, "pad_id must be an integer, got '0' (str)"),
])
def test_pad_collate_rejects_a_bad_pad_id(pad_id, error, match):
    with pytest.raises(error, match=re.escape(match)):
        pad_collate([([1], 0)], pad_id=pad_id)


# bag_inputs -------------------------------------------------------------------------------------------------
def test_bag_inputs_concatenates_the_ids_and_gives_each_start():
    seqs = [[5, 6, 7], [8], [9, 4]]
    flat, offsets = bag_inputs(seqs)
    assert flat.dtype == offsets.dtype == torch.long
    assert flat.tolist() == [i for s in seqs for i in s]
    starts, position = [], 0
    for s in seqs:
        starts.append(position)
        position += len(s)
    assert offsets.tolist() == starts
    # each bag, cut out at its offset, is the original sequence
    ends = offsets.tolist()[1:] + [len(flat)]
    assert [flat[a:b].tolist() for a, b in zip(offsets.tolist(), ends)] == seqs


def test_bag_inputs_give_embedding_bag_the_mean_of_each_sequence():
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(10, 4, mode="mean")
    seqs = [[1, 2, 3], [4], [5, 6]]
    got = bag(*bag_inputs(seqs))
    expected = torch.stack([bag.weight[s].mean(dim=0) for s in seqs])
    assert torch.allclose(got, expected)


def test_bag_inputs_accept_tuples_and_a_single_sequence():
    flat, offsets = bag_inputs(((3, 1),))
    assert flat.tolist() == [3, 1] and offsets.tolist() == [0]


@pytest.mark.parametrize("seqs, error, match", [
    ([], ValueError, "seqs is empty"),
    (torch.tensor([[1, 2]]), TypeError, "seqs must be a list of id lists, got Tensor"),
    ("ab", TypeError, "seqs must be a list of id lists, got str"),
    (42, TypeError, "seqs must be a list of id lists, got int"),
])
def test_bag_inputs_reject_bad_input(seqs, error, match):
    with pytest.raises(error, match=match):
        bag_inputs(seqs)


@pytest.mark.parametrize("seqs, error, match", [
    ([[1, 2], [3, -4]], ValueError, r"each id must be at least 0, got -4"),
    ([[1, -2], [3.5]], ValueError, r"each id must be at least 0, got -2"),  # the first bad id, in order, is named
    ([[1, 2], [3.0]], TypeError, r"each id must be an integer, got 3.0 \(float\)"),
    ([[True, 2]], TypeError, r"each id must be an integer, got True \(bool\)"),
])
def test_bag_inputs_reject_a_bad_id(seqs, error, match):
    with pytest.raises(error, match=match):
        bag_inputs(seqs)


def test_pad_collate_takes_tensors_and_lists_alike():
    as_lists = pad_collate([([5, 6, 7], 1), ([8], 0)])
    as_tensors = pad_collate([(torch.tensor([5, 6, 7]), 1), (torch.tensor([8]), 0)])
    assert all(torch.equal(a, b) for a, b in zip(as_lists, as_tensors))
    assert as_lists[0].tolist() == [[5, 6, 7], [8, 0, 0]]


# EncodedTexts -----------------------------------------------------------------------------------------------
TEXTS = [[5, 6, 7], [8], [9, 4], [3, 3, 2, 1]]


@pytest.mark.parametrize("picked", [[0, 1, 2, 3], [2, 0], [3], [1, 3, 1]])
def test_encoded_texts_batch_is_the_bag_inputs_of_the_picked_texts(picked):
    data = EncodedTexts(TEXTS, [1, 0, 1, 0])
    ids, offsets, labels = data[picked]
    flat, expected_offsets = bag_inputs([TEXTS[k] for k in picked])
    assert torch.equal(ids, flat) and torch.equal(offsets, expected_offsets)
    assert labels.dtype == torch.float and labels.tolist() == [[1.0, 0.0, 1.0, 0.0][k] for k in picked]


def test_encoded_texts_with_a_batch_sampler_gives_every_text_once():
    data = EncodedTexts(TEXTS, [1, 0, 1, 0])
    loader = DataLoader(data, sampler=BatchSampler(range(len(data)), 3, drop_last=False), batch_size=None)
    batches = list(loader)
    assert len(data) == 4 and [len(b[2]) for b in batches] == [3, 1]
    assert torch.cat([b[0] for b in batches]).tolist() == [i for t in TEXTS for i in t]


@pytest.mark.parametrize("texts, labels, error, match", [
    (TEXTS, [1, 0], ValueError, "4 texts but 2 labels"),
    ([[1], []], [0, 1], ValueError, "a text is empty"),
    ("abc", [0, 1, 0], TypeError, "seqs must be a list of id lists"),
])
def test_encoded_texts_rejects_bad_input(texts, labels, error, match):
    with pytest.raises(error, match=re.escape(match)):
        EncodedTexts(texts, labels)


# lengths_to_mask --------------------------------------------------------------------------------------------
def test_lengths_to_mask_marks_real_positions():
    mask = lengths_to_mask(torch.tensor([3, 1, 2]))
    assert mask.dtype == torch.bool
    assert mask.int().tolist() == [[1, 1, 1], [1, 0, 0], [1, 1, 0]]


def test_lengths_to_mask_pads_to_a_longer_max_len():
    assert lengths_to_mask(torch.tensor([2, 1]), max_len=4).int().tolist() == [[1, 1, 0, 0], [1, 0, 0, 0]]


def test_lengths_to_mask_does_not_depend_on_token_ids():
    # a real token with id 0 stays visible: the mask comes from the lengths alone
    ids = torch.tensor([[0, 4, 0], [7, 0, 0]])
    lengths = torch.tensor([3, 1])
    assert lengths_to_mask(lengths, ids.shape[1]).sum().item() == 4
    assert (ids != 0).sum().item() == 2


def test_lengths_to_mask_rejects_lengths_longer_than_max_len():
    with pytest.raises(ValueError, match="max_len=2 is shorter than the longest sequence"):
        lengths_to_mask(torch.tensor([3, 1]), max_len=2)


def test_lengths_to_mask_rejects_float_lengths():
    with pytest.raises(TypeError, match="1-D integer tensor"):
        lengths_to_mask(torch.tensor([2.0, 1.0]))


@pytest.mark.parametrize("bad", [[2, 1], torch.tensor([[2, 1]])])
def test_lengths_to_mask_rejects_lists_and_2d_tensors(bad):
    with pytest.raises(TypeError, match="1-D integer tensor"):
        lengths_to_mask(bad)


def test_lengths_to_mask_of_an_empty_batch_is_empty():
    assert lengths_to_mask(torch.tensor([], dtype=torch.long)).shape == (0, 0)


# BucketBatchSampler -----------------------------------------------------------------------------------------
LENGTHS = [(7 * i) % 23 + 1 for i in range(101)]  # 101 lengths from 1 to 23, in a scrambled order


def _padding_share(batches, lengths):
    real = sum(lengths[i] for b in batches for i in b)
    total = sum(max(lengths[i] for i in b) * len(b) for b in batches)
    return 1 - real / total


def test_bucket_sampler_yields_every_index_once_per_epoch():
    sampler = BucketBatchSampler(LENGTHS, batch_size=10, seed=0)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 11
    assert sorted(i for b in batches for i in b) == list(range(101))
    assert sorted(len(b) for b in batches) == [1] + [10] * 10


def test_bucket_sampler_groups_similar_lengths():
    batches = list(BucketBatchSampler(LENGTHS, batch_size=10, seed=0))
    # batches are consecutive runs of the length-sorted indices, so their length ranges do not overlap
    ranges = sorted((min(LENGTHS[i] for i in b), max(LENGTHS[i] for i in b)) for b in batches)
    assert all(hi <= next_lo for (_, hi), (next_lo, _) in zip(ranges, ranges[1:]))
    assert max(hi - lo for lo, hi in ranges) <= 3
    shuffled = torch.randperm(101, generator=torch.Generator().manual_seed(0)).tolist()
    random_batches = [shuffled[i: i + 10] for i in range(0, 101, 10)]
    assert _padding_share(batches, LENGTHS) < 0.1 < _padding_share(random_batches, LENGTHS)


def test_bucket_sampler_is_seeded_and_shuffles_between_epochs():
    first, second = BucketBatchSampler(LENGTHS, 10, seed=3), BucketBatchSampler(LENGTHS, 10, seed=3)
    epoch1 = list(first)
    assert epoch1 == list(second)
    assert list(first) != epoch1  # the next epoch has another order
    assert list(BucketBatchSampler(LENGTHS, 10, seed=4)) != epoch1


def test_bucket_sampler_drop_last():
    sampler = BucketBatchSampler(LENGTHS, batch_size=10, drop_last=True)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 10
    assert all(len(b) == 10 for b in batches)


def test_bucket_sampler_accepts_an_integer_tensor_and_works_with_a_dataloader():
    data = [(list(range(1, n + 1)), n % 2) for n in LENGTHS]
    sampler = BucketBatchSampler(torch.tensor(LENGTHS), batch_size=16, seed=0)
    loader = DataLoader(data, batch_sampler=sampler, collate_fn=pad_collate)
    seen = 0
    for padded, lengths, _ in loader:
        assert padded.shape[1] == int(lengths.max())
        seen += len(lengths)
    assert seen == len(LENGTHS) and len(loader) == 7


def test_bucket_sampler_rejects_empty_lengths():
    with pytest.raises(ValueError, match="lengths is empty"):
        BucketBatchSampler([], batch_size=4)


@pytest.mark.parametrize("bad, match", [
    ([3, 2.5], "each length must be an integer, got 2.5 (float)"),
    (torch.tensor([3.0, 2.0]), "lengths must be a 1-D integer tensor or a list of integers"),
    (torch.tensor([[3, 2]]), "lengths must be a 1-D integer tensor or a list of integers"),
    ("abc", "lengths must be a list of integers, got str"),
    ({3, 2}, "lengths must be a list of integers, got set"),
    ([True, 2], "each length must be an integer, got True (bool)"),
])
def test_bucket_sampler_rejects_non_integer_lengths(bad, match):
    with pytest.raises(TypeError, match=re.escape(match)):
        BucketBatchSampler(bad, batch_size=4)


def test_bucket_sampler_rejects_negative_lengths():
    with pytest.raises(ValueError, match=re.escape("each length must be at least 0, got -1")):
        BucketBatchSampler([3, -1], batch_size=4)


@pytest.mark.parametrize("batch_size, error, match", [
    (0, ValueError, "batch_size must be at least 1, got 0"),
    (2.0, TypeError, "batch_size must be an integer, got 2.0 (float)"),
    (True, TypeError, "batch_size must be an integer, got True (bool)"),
])
def test_bucket_sampler_rejects_bad_batch_size(batch_size, error, match):
    with pytest.raises(error, match=re.escape(match)):
        BucketBatchSampler([3, 2], batch_size=batch_size)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"seed": -1}, ValueError, "seed must be at least 0, got -1"),
    ({"seed": 1.0}, TypeError, "seed must be an integer, got 1.0 (float)"),
    ({"seed": True}, TypeError, "seed must be an integer, got True (bool)"),
    ({"drop_last": 1}, TypeError, "drop_last must be True or False, got 1 (int)"),
    ({"drop_last": "yes"}, TypeError, "drop_last must be True or False, got 'yes' (str)"),
])
def test_bucket_sampler_rejects_a_bad_seed_or_drop_last(kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        BucketBatchSampler([3, 2], batch_size=1, **kwargs)


def test_lengths_to_mask_rejects_negative_lengths_and_non_integer_max_len():
    with pytest.raises(ValueError, match="lengths must be >= 0, got -1"):
        lengths_to_mask(torch.tensor([2, -1]))
    with pytest.raises(TypeError, match=re.escape("max_len must be an integer or None, got 3.0 (float)")):
        lengths_to_mask(torch.tensor([2, 1]), max_len=3.0)
    with pytest.raises(TypeError, match=re.escape("max_len must be an integer or None, got True (bool)")):
        lengths_to_mask(torch.tensor([2, 1]), max_len=True)
