"""Timing with torch.utils.benchmark (median and spread of many runs) and memory-bandwidth arithmetic."""
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.utils import benchmark


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and interquartile range over `runs` timed blocks (after a warm-up)."""
    median: float
    iqr: float
    runs: int


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def time_callable(fn: Callable[[], object], min_run_time: float = 0.1, num_threads: int = 1) -> Timing:
    """Time `fn()` with torch.utils.benchmark's blocked_autorange: warm-up, blocks of calls, many repeats.

    One thread by default, as Timer does (steadier on a shared machine); pass torch.get_num_threads() for all.
    The Timer synchronises a GPU around each block and, like timeit, disables garbage collection while timing.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a callable taking no arguments, got {type(fn).__name__}")
    _positive("min_run_time", min_run_time)
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
        raise ValueError(f"num_threads must be a positive integer, got {num_threads!r}")
    timer = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=num_threads)
    measurement = timer.blocked_autorange(min_run_time=min_run_time)
    return Timing(measurement.median, measurement.iqr, len(measurement.times))


def effective_bandwidth(bytes_moved: float, seconds: float) -> float:
    """Bytes per second: the bytes an operation must read and write, divided by its time."""
    if isinstance(bytes_moved, bool) or not isinstance(bytes_moved, (int, float)) or bytes_moved < 0:
        raise ValueError(f"bytes_moved must be a non-negative number, got {bytes_moved!r}")
    _positive("seconds", seconds)
    return bytes_moved / seconds


def lookup_bytes(num_ids: int, dim: int, element_size: int = 4, index_size: int = 8) -> int:
    """The least memory traffic of gathering `num_ids` rows of width `dim`: read ids, read rows, write rows."""
    for name, value in (("num_ids", num_ids), ("dim", dim), ("element_size", element_size),
                        ("index_size", index_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return num_ids * index_size + 2 * num_ids * dim * element_size


def copy_bandwidth(nbytes: int = 128 * 2**20, min_run_time: float = 0.2,
                   device: torch.device | str = "cpu") -> tuple[float, Timing]:
    """(bytes per second, Timing) of copying an `nbytes` tensor into a preallocated one; the bytes counted are
    the ones read plus the ones written, as lookup_bytes counts them for a gather."""
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 4:
        raise ValueError(f"nbytes must be an integer of at least 4 bytes, got {nbytes!r}")
    src = torch.ones(nbytes // 4, dtype=torch.float32, device=device)
    dst = torch.zeros_like(src)  # written once here, so the timed copies never pay for first touch
    timing = time_callable(lambda: dst.copy_(src), min_run_time=min_run_time)
    return effective_bandwidth(2 * src.numel() * 4, timing.median), timing
