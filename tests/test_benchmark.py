"""Unit tests for helpers.benchmark."""
import gc
import math
import random
import re
import time

import pytest
import torch
from torch.utils import benchmark

from helpers.benchmark import (
    Comparison,
    IdCycle,
    Timing,
    _warning_text,
    cache_sizes,
    copy_bandwidth,
    effective_bandwidth,
    format_seconds,
    id_pool,
    last_level_cache,
    lookup_bytes,
    pool_size_for,
    time_alternating,
    time_callable,
)


def test_time_callable_measures_a_known_duration():
    t = time_callable(lambda: time.sleep(0.002), min_run_time=0.05)
    assert isinstance(t, Timing)
    assert 0.002 <= t.median < 0.05
    assert t.iqr >= 0 and t.runs >= 8 and t.number >= 1


def test_time_callable_times_enough_blocks_even_for_a_slow_call():
    # 10 ms per call and min_run_time 10 ms: blocked_autorange alone would time one or two blocks
    t = time_callable(lambda: time.sleep(0.01), min_run_time=0.01, min_runs=5)
    assert t.runs >= 5 and t.number == 1
    assert time_callable(lambda: time.sleep(0.01), min_run_time=0.01, min_runs=1).runs < 5


def test_time_callable_runs_with_gc_off_and_the_requested_threads():
    seen, before = [], torch.get_num_threads()
    torch.set_num_threads(2)  # the suite runs on one thread (conftest.py): start from another count
    try:
        time_callable(lambda: seen.append((gc.isenabled(), torch.get_num_threads())), min_run_time=0.001)
    finally:
        torch.set_num_threads(before)
    assert seen and all(s == (False, 1) for s in seen[-3:])
    assert gc.isenabled()


def _measurement(times):
    return benchmark.Measurement(number_per_run=1, raw_times=times, task_spec=benchmark.utils.common.TaskSpec("x", ""))


def test_the_warning_is_torch_benchmarks_own_text_when_the_iqr_exceeds_ten_percent():
    steady, noisy = _measurement([1.0, 1.01, 0.99, 1.0, 1.02, 0.98]), _measurement([1.0, 1.5, 0.6, 1.2, 0.8, 1.0])
    assert not steady.has_warnings and _warning_text(steady) == ""
    assert noisy.has_warnings
    text = _warning_text(noisy)
    assert text.startswith("WARNING: Interquartile range is") and "\n" not in text
    assert f"{noisy.iqr / noisy.median * 100:.1f}%" in text


def test_time_callable_keeps_the_warning_of_a_noisy_call():
    rng = random.Random(0)
    t = time_callable(lambda: time.sleep(rng.choice([0.0002, 0.004])), min_run_time=0.05)
    assert t.relative_iqr > 0.1 and t.has_warnings and "Interquartile range" in t.warning
    assert t.warning in str(t)


def test_timing_str_and_relative_iqr():
    t = Timing(median=2e-3, iqr=1e-4, runs=12, number=10)
    assert t.relative_iqr == pytest.approx(0.05) and not t.has_warnings
    assert str(t) == "median 2 ms, IQR 100 µs (5%), 12 runs of 10 calls"
    noisy = Timing(median=1e-6, iqr=5e-7, runs=9, warning="WARNING: noisy")
    assert str(noisy).endswith("9 runs of 1 call\n  WARNING: noisy")
    assert Timing(0.0, 0.0, 1).relative_iqr == math.inf


@pytest.mark.parametrize("seconds, text", [(0, "0 ns"), (5e-9, "5 ns"), (1.5e-5, "15 µs"), (2.346e-3, "2.35 ms"),
                                           (12.0, "12 s")])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def _noop():
    return None


@pytest.mark.parametrize("fn, kwargs, error, match", [
    (42, {}, TypeError, "fn must be a callable taking no arguments, got int"),
    (_noop, {"min_run_time": 0}, ValueError, "min_run_time must be greater than 0, got 0"),
    (_noop, {"min_run_time": -1.0}, ValueError, "min_run_time must be greater than 0, got -1.0"),
    (_noop, {"min_run_time": float("nan")}, ValueError, "min_run_time must be a number, got NaN"),
    (_noop, {"min_run_time": True}, TypeError, "min_run_time must be a number, got True (bool)"),
    (_noop, {"min_run_time": "0.1"}, TypeError, "min_run_time must be a number, got '0.1' (str)"),
    (_noop, {"num_threads": 0}, ValueError, "num_threads must be at least 1, got 0"),
    (_noop, {"num_threads": 1.5}, TypeError, "num_threads must be an integer, got 1.5 (float)"),
    (_noop, {"num_threads": True}, TypeError, "num_threads must be an integer, got True (bool)"),
    (_noop, {"min_runs": 0}, ValueError, "min_runs must be at least 1, got 0"),
    (_noop, {"min_runs": 2.0}, TypeError, "min_runs must be an integer, got 2.0 (float)"),
])
def test_time_callable_rejects_bad_input(fn, kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        time_callable(fn, **kwargs)


def test_time_alternating_warms_up_then_alternates_the_order(monkeypatch):
    calls, timed = [], []

    def make(name):
        def fn():
            calls.append(name)
        fn.__name__ = name
        return fn

    def fake_time_callable(fn, *args):
        timed.append((fn.__name__, len(calls)))
        return Timing(1.0, 0.0, 8)

    monkeypatch.setattr("helpers.benchmark.time_callable", fake_time_callable)
    result = time_alternating({"a": make("a"), "b": make("b"), "c": make("c")}, rounds=3, warmup=2)
    assert [name for name, _ in timed] == ["a", "b", "c", "c", "b", "a", "a", "b", "c"]
    assert calls == ["a", "a", "b", "b", "c", "c"]  # every one warmed up before the first timing
    assert all(n == 6 for _, n in timed)
    assert len(result.rounds) == 3 and all(list(r) == ["a", "b", "c"] for r in result.rounds)


def test_time_alternating_gives_each_callable_its_thread_count(monkeypatch):
    seen = []
    monkeypatch.setattr("helpers.benchmark.time_callable",
                        lambda fn, min_run_time, num_threads, min_runs: seen.append(num_threads) or Timing(1.0, 0.0, 8))
    time_alternating({"one": _noop, "all": _noop}, rounds=2, num_threads={"one": 1, "all": 4}, warmup=0)
    assert seen == [1, 4, 4, 1]
    seen.clear()
    time_alternating({"one": _noop, "all": _noop}, rounds=1, num_threads=3, warmup=0)
    assert seen == [3, 3]


def test_comparison_median_ratio_and_wins():
    fast, slow = Timing(1.0, 0.0, 8), Timing(3.0, 0.0, 8)
    odd = Timing(0.5, 0.0, 8, warning="WARNING: x")
    c = Comparison(({"a": fast, "b": slow}, {"a": fast, "b": Timing(2.0, 0.0, 8)}, {"a": odd, "b": slow}))
    assert c.names == ["a", "b"]
    assert c.median("a") == 1.0 and c.median("b") == 3.0
    assert c.ratio("b", "a") == 3.0  # per round 3, 2, 6
    assert c.wins("a", "b") == 3 and c.wins("a", "b", factor=2.5) == 2 and c.wins("b", "a") == 0
    assert c.warnings() == 1
    with pytest.raises(KeyError, match="unknown timing 'c'"):
        c.ratio("c", "a")
    with pytest.raises(ValueError, match="factor must be greater than 0"):
        c.wins("a", "b", factor=0)


def test_time_alternating_measures_a_real_ratio():
    c = time_alternating({"1 ms": lambda: time.sleep(0.001), "3 ms": lambda: time.sleep(0.003)}, rounds=2,
                         min_run_time=0.02)
    assert 1.5 < c.ratio("3 ms", "1 ms") < 4.5
    assert c.wins("1 ms", "3 ms") == 2


@pytest.mark.parametrize("fns, kwargs, error, match", [
    ({}, {}, TypeError, "fns must be a non-empty dict"),
    ([_noop], {}, TypeError, "fns must be a non-empty dict"),
    ({"x": 3}, {}, TypeError, "fns['x'] must be a callable taking no arguments, got int"),
    ({"x": _noop}, {"rounds": 0}, ValueError, "rounds must be at least 1, got 0"),
    ({"x": _noop}, {"warmup": -1}, ValueError, "warmup must be at least 0, got -1"),
    ({"x": _noop}, {"rounds": True}, TypeError, "rounds must be an integer, got True (bool)"),
    ({"x": _noop}, {"num_threads": 0}, ValueError, "num_threads must be at least 1, got 0"),
    ({"x": _noop}, {"num_threads": {"y": 1}}, KeyError, "num_threads must name exactly the timed callables ['x']"),
    ({"x": _noop}, {"num_threads": {"x": 1.5}}, TypeError, "num_threads['x'] must be an integer, got 1.5 (float)"),
])
def test_time_alternating_rejects_bad_input(fns, kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        time_alternating(fns, **kwargs)


def test_id_pool_is_seeded_in_range_and_different_per_set():
    pool = id_pool(1_000, 64, 5, seed=3)
    assert len(pool) == 5 and all(p.shape == (64,) and p.dtype == torch.long for p in pool)
    assert all(int(p.min()) >= 0 and int(p.max()) < 1_000 for p in pool)
    assert all(not torch.equal(pool[0], p) for p in pool[1:])
    assert all(torch.equal(a, b) for a, b in zip(pool, id_pool(1_000, 64, 5, seed=3)))
    assert not torch.equal(pool[0], id_pool(1_000, 64, 5, seed=4)[0])
    assert id_pool(10, 3, 2, dtype=torch.int32)[0].dtype == torch.int32


@pytest.mark.parametrize("args, error, match", [
    ((0, 4, 2), ValueError, "vocab_size must be at least 1, got 0"),
    ((10, 4.0, 2), TypeError, "num_ids must be an integer, got 4.0 (float)"),
    ((10, 4, True), TypeError, "pool_size must be an integer, got True (bool)"),
])
def test_id_pool_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=re.escape(match)):
        id_pool(*args)


def test_pool_size_for_reads_at_least_the_target():
    assert pool_size_for(4_096, 1_200, 256 * 2**20) == math.ceil(256 * 2**20 / (4_096 * 1_200))
    n = pool_size_for(16, 1_200, 2**20)
    assert n * 16 * 1_200 >= 2**20 > (n - 1) * 16 * 1_200
    assert pool_size_for(65_536, 1_200, 2**20) == 2  # one set already reads more: the minimum
    assert pool_size_for(65_536, 1_200, 2**20, minimum=5) == 5
    with pytest.raises(ValueError, match="row_bytes must be at least 1, got 0"):
        pool_size_for(4, 0, 10)


def test_id_cycle_passes_the_next_set_each_call_and_wraps():
    seen = []
    cycle = IdCycle(seen.append, ["a", "b", "c"])
    for _ in range(7):
        cycle()
    assert seen == ["a", "b", "c", "a", "b", "c", "a"]
    rows = torch.arange(10.0)
    pool = id_pool(10, 4, 3)
    gather = IdCycle(rows.__getitem__, pool)
    assert all(torch.equal(gather(), rows[p]) for p in pool)


@pytest.mark.parametrize("fn, pool, match", [
    (3, [1], "fn must be a callable taking one id set, got int"),
    (_noop, [], "pool must be a non-empty list or tuple"),
    (_noop, torch.arange(3), "pool must be a non-empty list or tuple"),
    (_noop, "abc", "pool must be a non-empty list or tuple"),
])
def test_id_cycle_rejects_bad_input(fn, pool, match):
    with pytest.raises(TypeError, match=re.escape(match)):
        IdCycle(fn, pool)


def _fake_cache(root, entries):
    for i, (level, kind, size) in enumerate(entries):
        index = root / f"index{i}"
        index.mkdir(parents=True)
        (index / "level").write_text(f"{level}\n")
        (index / "type").write_text(f"{kind}\n")
        (index / "size").write_text(f"{size}\n")


def test_cache_sizes_read_from_sysfs(tmp_path):
    _fake_cache(tmp_path, [(1, "Data", "48K"), (1, "Instruction", "32K"), (2, "Unified", "2048K"),
                           (3, "Unified", "36M")])
    sizes = cache_sizes(tmp_path)
    assert sizes == {"L1d": 48 * 2**10, "L1i": 32 * 2**10, "L2": 2 * 2**20, "L3": 36 * 2**20}
    assert last_level_cache(sizes) == 36 * 2**20
    assert last_level_cache({"L1d": 100, "L1i": 500}) == 100  # an instruction cache holds no data


def test_cache_sizes_is_empty_where_nothing_can_be_read(tmp_path):
    assert cache_sizes(tmp_path / "missing") == {}
    _fake_cache(tmp_path, [(2, "Unified", "lots")])
    assert cache_sizes(tmp_path) == {}
    assert last_level_cache({}) is None


def test_effective_bandwidth_and_lookup_bytes():
    assert effective_bandwidth(1e9, 0.5) == 2e9
    assert effective_bandwidth(0, 1.0) == 0.0
    # ids read (8 bytes each), rows read and rows written (300 float32 each)
    assert lookup_bytes(1_000, 300) == 1_000 * 8 + 2 * 1_000 * 300 * 4
    assert lookup_bytes(10, 4, element_size=2, index_size=4) == 10 * 4 + 2 * 10 * 4 * 2
    assert lookup_bytes(0, 300) == 0


@pytest.mark.parametrize("args, error, match", [
    ((-1, 1.0), ValueError, "bytes_moved must be at least 0, got -1"),
    ((True, 1.0), TypeError, "bytes_moved must be a number, got True (bool)"),
    ((10, 0), ValueError, "seconds must be greater than 0, got 0"),
    ((10, -2.0), ValueError, "seconds must be greater than 0, got -2.0"),
    ((10, "1"), TypeError, "seconds must be a number, got '1' (str)"),
    ((10, float("nan")), ValueError, "seconds must be a number, got NaN"),
])
def test_effective_bandwidth_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=re.escape(match)):
        effective_bandwidth(*args)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_ids": -1, "dim": 3}, ValueError, "num_ids must be at least 0, got -1"),
    ({"num_ids": 2, "dim": 1.5}, TypeError, "dim must be an integer, got 1.5 (float)"),
    ({"num_ids": 2, "dim": 3, "element_size": -4}, ValueError, "element_size must be at least 0, got -4"),
    ({"num_ids": 2, "dim": 3, "index_size": 8.0}, TypeError, "index_size must be an integer, got 8.0 (float)"),
    ({"num_ids": True, "dim": 3}, TypeError, "num_ids must be an integer, got True (bool)"),
])
def test_lookup_bytes_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        lookup_bytes(**kwargs)


@pytest.mark.parametrize("threads", [1, 2])
def test_copy_bandwidth_is_bytes_read_plus_written_per_second(threads):
    bandwidth, timing = copy_bandwidth(4 * 2**20, min_run_time=0.02, num_threads=threads)
    assert bandwidth > 0 and timing.runs >= 8
    assert bandwidth == pytest.approx(2 * 4 * 2**20 / timing.median)


@pytest.mark.parametrize("nbytes, error, match", [
    (0, ValueError, "nbytes must be at least 4, got 0"),
    (3, ValueError, "nbytes must be at least 4, got 3"),
    (-8, ValueError, "nbytes must be at least 4, got -8"),
    (1.5e6, TypeError, "nbytes must be an integer, got 1500000.0 (float)"),
    (True, TypeError, "nbytes must be an integer, got True (bool)"),
])
def test_copy_bandwidth_rejects_bad_sizes(nbytes, error, match):
    with pytest.raises(error, match=re.escape(match)):
        copy_bandwidth(nbytes)
