"""Unit tests for helpers.benchmark."""
import gc
import time

import pytest
import torch

from helpers.benchmark import Timing, copy_bandwidth, effective_bandwidth, lookup_bytes, time_callable


def test_time_callable_measures_a_known_duration():
    t = time_callable(lambda: time.sleep(0.002), min_run_time=0.05)
    assert isinstance(t, Timing)
    assert 0.002 <= t.median < 0.05
    assert t.iqr >= 0 and t.runs >= 1


def test_time_callable_runs_with_gc_off_and_the_requested_threads():
    seen = []
    time_callable(lambda: seen.append((gc.isenabled(), torch.get_num_threads())), min_run_time=0.001)
    assert seen and all(s == (False, 1) for s in seen[-3:])
    assert gc.isenabled()


@pytest.mark.parametrize("fn, kwargs, error, match", [
    (42, {}, TypeError, "callable"),
    (lambda: None, {"min_run_time": 0}, ValueError, "min_run_time"),
    (lambda: None, {"min_run_time": -1.0}, ValueError, "min_run_time"),
    (lambda: None, {"min_run_time": True}, ValueError, "min_run_time"),
    (lambda: None, {"num_threads": 0}, ValueError, "num_threads"),
    (lambda: None, {"num_threads": 1.5}, ValueError, "num_threads"),
])
def test_time_callable_rejects_bad_input(fn, kwargs, error, match):
    with pytest.raises(error, match=match):
        time_callable(fn, **kwargs)


def test_effective_bandwidth_and_lookup_bytes():
    assert effective_bandwidth(1e9, 0.5) == 2e9
    assert effective_bandwidth(0, 1.0) == 0.0
    # ids read (8 bytes each), rows read and rows written (300 float32 each)
    assert lookup_bytes(1_000, 300) == 1_000 * 8 + 2 * 1_000 * 300 * 4
    assert lookup_bytes(10, 4, element_size=2, index_size=4) == 10 * 4 + 2 * 10 * 4 * 2
    assert lookup_bytes(0, 300) == 0


@pytest.mark.parametrize("args, match", [((-1, 1.0), "bytes_moved"), ((True, 1.0), "bytes_moved"),
                                         ((10, 0), "seconds"), ((10, -2.0), "seconds"), ((10, "1"), "seconds")])
def test_effective_bandwidth_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        effective_bandwidth(*args)


@pytest.mark.parametrize("kwargs, match", [({"num_ids": -1, "dim": 3}, "num_ids"), ({"num_ids": 2, "dim": 1.5}, "dim"),
                                           ({"num_ids": 2, "dim": 3, "element_size": -4}, "element_size"),
                                           ({"num_ids": True, "dim": 3}, "num_ids")])
def test_lookup_bytes_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lookup_bytes(**kwargs)


def test_copy_bandwidth_is_bytes_read_plus_written_per_second():
    bandwidth, timing = copy_bandwidth(4 * 2**20, min_run_time=0.02)
    assert bandwidth > 0
    assert bandwidth == pytest.approx(2 * 4 * 2**20 / timing.median)


@pytest.mark.parametrize("nbytes", [0, 3, -8, 1.5e6, True])
def test_copy_bandwidth_rejects_bad_sizes(nbytes):
    with pytest.raises(ValueError, match="nbytes"):
        copy_bandwidth(nbytes)
