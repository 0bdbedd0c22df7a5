"""Timing with torch.utils.benchmark (median and spread of many runs) and memory-bandwidth arithmetic."""
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import torch
from torch.utils import benchmark

from helpers.validation import check_int, check_number, check_type


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and interquartile range over `runs` timed blocks (after a warm-up)."""
    median: float
    iqr: float
    runs: int


def time_callable(fn: Callable[[], object], min_run_time: float = 0.1, num_threads: int = 1) -> Timing:
    """Time `fn()` with torch.utils.benchmark's blocked_autorange: warm-up, blocks of calls, many repeats.

    One thread by default, as Timer does (steadier on a shared machine); pass torch.get_num_threads() for all.
    The Timer synchronises a GPU around each block and, like timeit, disables garbage collection while timing.
    """
    check_type("fn", fn, Callable, "a callable taking no arguments")
    check_number("min_run_time", min_run_time, positive=True)
    check_int("num_threads", num_threads, minimum=1)
    timer = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=num_threads)
    measurement = timer.blocked_autorange(min_run_time=min_run_time)
    return Timing(measurement.median, measurement.iqr, len(measurement.times))


def effective_bandwidth(bytes_moved: float, seconds: float) -> float:
    """Bytes per second: the bytes an operation must read and write, divided by its time."""
    check_number("bytes_moved", bytes_moved, minimum=0)
    check_number("seconds", seconds, positive=True)
    return bytes_moved / seconds


def lookup_bytes(num_ids: int, dim: int, element_size: int = 4, index_size: int = 8) -> int:
    """The least memory traffic of gathering `num_ids` rows of width `dim`: read ids, read rows, write rows."""
    for name, value in (("num_ids", num_ids), ("dim", dim), ("element_size", element_size),
                        ("index_size", index_size)):
        check_int(name, value, minimum=0)
    return num_ids * index_size + 2 * num_ids * dim * element_size


def copy_bandwidth(nbytes: int = 128 * 2**20, min_run_time: float = 0.2,
                   device: torch.device | str = "cpu") -> tuple[float, Timing]:
    """(bytes per second, Timing) of copying an `nbytes` tensor into a preallocated one; the bytes counted are
    the ones read plus the ones written, as lookup_bytes counts them for a gather."""
    check_int("nbytes", nbytes, minimum=4)
    src = torch.ones(nbytes // 4, dtype=torch.float32, device=device)
    dst = torch.zeros_like(src)  # written once here, so the timed copies never pay for first touch
    timing = time_callable(partial(dst.copy_, src), min_run_time=min_run_time)
    return effective_bandwidth(2 * src.numel() * 4, timing.median), timing
