"""Unit tests for helpers.benchmark."""
import gc
import re
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
])
def test_time_callable_rejects_bad_input(fn, kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        time_callable(fn, **kwargs)


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


def test_copy_bandwidth_is_bytes_read_plus_written_per_second():
    bandwidth, timing = copy_bandwidth(4 * 2**20, min_run_time=0.02)
    assert bandwidth > 0
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
