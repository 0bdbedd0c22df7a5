"""Unit tests for helpers.memory."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from helpers.memory import (
    MIB,
    dequantize_rows,
    hash_buckets,
    low_rank,
    quantize_rows,
    resident_mib,
    table_mib,
    tensor_mib,
    training_mib,
)


def test_tensor_mib_counts_numel_times_element_size():
    assert tensor_mib(torch.zeros(1024, 256)) == 1.0
    assert tensor_mib(torch.zeros(1024, 256, dtype=torch.float16)) == 0.5
    assert tensor_mib(torch.zeros(0, 3)) == 0.0


def test_tensor_mib_counts_a_sparse_gradient_by_what_it_stores():
    layer = nn.Embedding(1_000, 64, sparse=True)
    layer(torch.tensor([3, 5, 5, 7])).sum().backward()
    grad = layer.weight.grad
    assert grad.is_sparse
    assert tensor_mib(grad) * MIB == 4 * 8 + 4 * 64 * 4   # 4 int64 ids and 4 rows of float32, not 1,000 rows


def test_tensor_mib_rejects_non_tensors():
    with pytest.raises(TypeError, match="torch.Tensor"):
        tensor_mib(np.zeros((2, 2)))


def test_table_mib_matches_the_allocated_tensor():
    assert table_mib(100_000, 300) == pytest.approx(114.44, abs=0.005)
    for dtype in (torch.float32, torch.float16, torch.bfloat16, torch.int8, torch.float64):
        assert table_mib(123, 45, dtype) == tensor_mib(torch.empty(123, 45, dtype=dtype))
    assert table_mib(0, 300) == 0.0


@pytest.mark.parametrize("args, error, match", [
    ((-1, 300), ValueError, "num_rows must be at least 0, got -1"),
    ((100, -3), ValueError, "dim must be at least 0, got -3"),
    ((100.0, 3), TypeError, "num_rows must be an integer, got 100.0 (float)"),
    ((True, 3), TypeError, "num_rows must be an integer, got True (bool)"),
    ((100, False), TypeError, "dim must be an integer, got False (bool)"),
    ((100, 3, "float32"), TypeError, "dtype must be a torch.dtype such as torch.float32, got str"),
    ((100, 3, np.float32), TypeError, "dtype must be a torch.dtype such as torch.float32, got type"),
])
def test_table_mib_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=re.escape(match)):
        table_mib(*args)


def test_training_mib_weights_gradients_and_optimizer_state():
    table = table_mib(1_000, 50)
    adam = training_mib(1_000, 50, "adam")
    assert adam == {"weights": table, "gradients": table, "optimizer state": 2 * table}
    assert sum(adam.values()) == 4 * table
    assert training_mib(1_000, 50, "sgd")["optimizer state"] == 0
    assert training_mib(1_000, 50, "sgd-momentum")["optimizer state"] == table
    assert training_mib(1_000, 50, "adam", torch.bfloat16)["weights"] == table / 2


def test_training_mib_matches_a_real_adam_step():
    layer = nn.Embedding(500, 16)
    optimizer = torch.optim.Adam(layer.parameters())
    layer(torch.tensor([1, 2])).sum().backward()
    optimizer.step()
    state = sum(tensor_mib(t) for t in optimizer.state[layer.weight].values() if t.numel() > 1)
    assert training_mib(500, 16, "adam")["optimizer state"] == state


def test_training_mib_rejects_bad_input():
    with pytest.raises(KeyError, match=re.escape("unknown optimizer 'adamw'; choose one of ['adam', 'sgd', 'sgd-momentum']")):
        training_mib(10, 10, "adamw")
    with pytest.raises(ValueError, match=re.escape("dim must be at least 0, got -10")):
        training_mib(10, -10)
    with pytest.raises(TypeError, match=re.escape("num_rows must be an integer, got True (bool)")):
        training_mib(True, 10)


def test_resident_mib_is_psutil_rss_and_grows_when_pages_are_first_written():
    import psutil

    rss = psutil.Process().memory_info().rss / MIB
    assert resident_mib() == pytest.approx(rss, abs=4)  # read a moment apart: allow a few MiB of drift
    before = resident_mib()
    block = torch.empty(64 * MIB // 4)          # reserved, not yet resident
    reserved = resident_mib()
    block.fill_(1.0)
    written = resident_mib()
    assert before > 0
    assert reserved - before < 8
    assert 56 < written - before < 72


def test_quantize_rows_round_trip_within_half_a_step():
    weight = torch.randn(200, 30, generator=torch.Generator().manual_seed(0)) * torch.linspace(0.01, 5, 200)[:, None]
    codes, scale = quantize_rows(weight)
    assert codes.dtype == torch.int8 and codes.shape == weight.shape and scale.shape == (200, 1)
    assert (codes.abs().amax(dim=1) == 127).all()                       # every row uses its full range
    error = (dequantize_rows(codes, scale) - weight).abs()
    assert (error <= scale / 2 + 1e-6).all()
    assert tensor_mib(codes) == tensor_mib(weight) / 4


def test_quantize_rows_fewer_bits_and_zero_rows():
    weight = torch.randn(10, 8, generator=torch.Generator().manual_seed(1))
    weight[3] = 0
    codes, scale = quantize_rows(weight, bits=4)
    assert codes.abs().max() == 7
    assert (codes[3] == 0).all() and scale[3].item() == 0
    assert torch.equal(dequantize_rows(codes, scale)[3], torch.zeros(8))
    assert not torch.isnan(dequantize_rows(codes, scale)).any()


@pytest.mark.parametrize("weight, bits, error, match", [
    (torch.ones(3, 4, dtype=torch.long), 8, TypeError, "floating-point"),
    (np.ones((3, 4), dtype=np.float32), 8, TypeError, "floating-point"),
    (torch.ones(12), 8, ValueError, "2-D"),
    (torch.ones(3, 4), 1, ValueError, re.escape("bits must be at least 2, got 1")),
    (torch.ones(3, 4), 9, ValueError, re.escape("bits must be at most 8, got 9")),
    (torch.ones(3, 4), 8.0, TypeError, re.escape("bits must be an integer, got 8.0 (float)")),
    (torch.ones(3, 4), True, TypeError, re.escape("bits must be an integer, got True (bool)")),
])
def test_quantize_rows_rejects_bad_input(weight, bits, error, match):
    with pytest.raises(error, match=match):
        quantize_rows(weight, bits)


@pytest.mark.parametrize("codes, scale, error, match", [
    (torch.ones(3, 4), torch.ones(3, 1), TypeError, "int8"),
    (torch.ones(12, dtype=torch.int8), torch.ones(12, 1), ValueError, "2-D"),
    (torch.ones(3, 4, dtype=torch.int8), torch.ones(3), ValueError, r"shape \(3, 1\)"),
    (torch.ones(3, 4, dtype=torch.int8), 0.5, ValueError, "scale"),
])
def test_dequantize_rows_rejects_bad_input(codes, scale, error, match):
    with pytest.raises(error, match=match):
        dequantize_rows(codes, scale)


def test_hash_buckets_are_in_range_and_spread():
    words = [f"word{i}" for i in range(20_000)]
    buckets = hash_buckets(words, 100)
    assert buckets.dtype == torch.long and buckets.shape == (20_000,)
    assert 0 <= buckets.min() and buckets.max() < 100
    counts = torch.bincount(buckets, minlength=100)
    assert counts.min() > 120 and counts.max() < 280                     # about 200 each
    assert hash_buckets(["king", "queen", "king"], 7)[0] == hash_buckets(["king", "queen", "king"], 7)[2]


def test_hash_buckets_are_the_same_in_every_process():
    code = "from helpers.memory import hash_buckets; print(hash_buckets(['king', 'queen', 'zebra'], 12_500).tolist())"
    # a child process with its own string-hash seed (Python's hash('king') differs there) gets the same buckets
    child = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": "12345"},
                           capture_output=True, text=True, check=True).stdout
    assert child == f"{hash_buckets(['king', 'queen', 'zebra'], 12_500).tolist()}\n"


@pytest.mark.parametrize("words, buckets, error, match", [
    ("king", 10, TypeError, "list of str"), (["king", 3], 10, TypeError, "list of str"),
    (["king"], 0, ValueError, re.escape("num_buckets must be at least 1, got 0")),
    (["king"], True, TypeError, re.escape("num_buckets must be an integer, got True (bool)")),
    (["king"], 10.0, TypeError, re.escape("num_buckets must be an integer, got 10.0 (float)")),
])
def test_hash_buckets_rejects_bad_input(words, buckets, error, match):
    with pytest.raises(error, match=match):
        hash_buckets(words, buckets)


def test_low_rank_is_the_best_approximation():
    weight = torch.randn(300, 20, generator=torch.Generator().manual_seed(0))
    singular = torch.linalg.svdvals(weight)
    a, b = low_rank(weight, 5)
    assert a.shape == (300, 5) and b.shape == (5, 20)
    # Eckart-Young: the error is exactly the discarded singular values
    assert torch.linalg.norm(a @ b - weight) == pytest.approx(singular[5:].pow(2).sum().sqrt().item(), rel=1e-4)
    full_a, full_b = low_rank(weight, 20)
    assert torch.allclose(full_a @ full_b, weight, atol=1e-4)


@pytest.mark.parametrize("weight, rank, error, match", [
    (torch.ones(10, 4), 0, ValueError, re.escape("rank must be at least 1, got 0")),
    (torch.ones(10, 4), 5, ValueError, re.escape("rank must be at most 4, got 5")),
    (torch.ones(4, 10), 5, ValueError, re.escape("rank must be at most 4, got 5")),
    (torch.ones(10, 4), 2.0, TypeError, re.escape("rank must be an integer, got 2.0 (float)")),
    (torch.ones(10, 4), True, TypeError, re.escape("rank must be an integer, got True (bool)")),
    (torch.ones(10, 4, dtype=torch.int32), 2, TypeError, "floating-point"),
    (torch.ones(2, 3, 4), 2, ValueError, "2-D"),
])
def test_low_rank_rejects_bad_input(weight, rank, error, match):
    with pytest.raises(error, match=match):
        low_rank(weight, rank)
