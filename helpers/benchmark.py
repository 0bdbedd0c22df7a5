"""Timing with torch.utils.benchmark (median, spread and its warning), A/B timings in alternated order, pools of
ids that change every call, the machine's cache sizes, and memory-bandwidth arithmetic."""
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import torch
from torch.utils import benchmark

from helpers.validation import check_int, check_number, check_type

SYS_CACHE = Path("/sys/devices/system/cpu/cpu0/cache")


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the median and interquartile range over `runs` timed blocks of `number` calls each (after
    a warm-up), and torch.utils.benchmark's own warning (empty when the IQR is under 10 % of the median)."""
    median: float
    iqr: float
    runs: int
    number: int = 1
    warning: str = ""

    @property
    def relative_iqr(self) -> float:
        """The IQR as a share of the median: above 0.1, torch.utils.benchmark warns."""
        return self.iqr / self.median if self.median > 0 else math.inf

    @property
    def has_warnings(self) -> bool:
        return bool(self.warning)

    def __str__(self) -> str:
        text = (f"median {format_seconds(self.median)}, IQR {format_seconds(self.iqr)} "
                f"({self.relative_iqr:.0%}), {self.runs} runs of {self.number} call{'s' * (self.number > 1)}")
        return text + (f"\n  {self.warning}" if self.warning else "")


def format_seconds(seconds: float) -> str:
    """A duration in the unit that suits it: '12.3 µs', '4.56 ms', '1.23 s'."""
    check_number("seconds", seconds, minimum=0)
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _warning_text(measurement: benchmark.Measurement) -> str:
    """torch.utils.benchmark's warning lines (from its repr), on one line; empty when it has none."""
    if not measurement.has_warnings:
        return ""
    lines = repr(measurement).splitlines()
    start = next(i for i, line in enumerate(lines) if "WARNING" in line)
    return " ".join(line.strip() for line in lines[start:])


def time_callable(fn: Callable[[], object], min_run_time: float = 0.1, num_threads: int = 1,
                  min_runs: int = 8) -> Timing:
    """Time `fn()` with torch.utils.benchmark's blocked_autorange: warm-up, blocks of calls, many repeats.

    A call slower than min_run_time / min_runs would give too few blocks to measure a spread, so more blocks (of
    the same size) are timed until there are at least `min_runs`. One thread by default, as Timer does (steadier
    on a shared machine); pass torch.get_num_threads() for all. The Timer synchronises a GPU around each block and, like
    timeit, disables garbage collection while timing. The result keeps Timer's warning when IQR/median > 10 %.
    """
    check_type("fn", fn, Callable, "a callable taking no arguments")
    check_number("min_run_time", min_run_time, positive=True)
    check_int("num_threads", num_threads, minimum=1)
    check_int("min_runs", min_runs, minimum=1)
    timer = benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=num_threads)
    measurement = timer.blocked_autorange(min_run_time=min_run_time)
    number = measurement.number_per_run
    while (runs := len(measurement.times)) < min_runs:  # too few blocks: time more of them
        spent = measurement.median * number * runs
        extra = timer.blocked_autorange(min_run_time=spent * 1.2 * (min_runs - runs) / runs)
        if extra.number_per_run == number:  # blocks alike: keep both; otherwise the first try was a warm-up
            measurement = benchmark.Measurement(number, measurement.raw_times + extra.raw_times, measurement.task_spec)
        else:
            measurement, number = extra, extra.number_per_run
    return Timing(measurement.median, measurement.iqr, len(measurement.times), number, _warning_text(measurement))


@dataclass(frozen=True)
class Comparison:
    """Timings of several callables over rounds; each round timed them all, in an order that alternates."""
    rounds: tuple[dict[str, Timing], ...]

    @property
    def names(self) -> list[str]:
        return list(self.rounds[0])

    def median(self, name: str) -> float:
        """The median over rounds of the per-round medians, in seconds per call."""
        return statistics.median(r[name].median for r in self._rounds_with(name))

    def ratio(self, slower: str, faster: str) -> float:
        """The median over rounds of time(slower) / time(faster): above 1 when `faster` really is faster."""
        return statistics.median(r[slower].median / r[faster].median for r in self._rounds_with(slower, faster))

    def wins(self, faster: str, slower: str, factor: float = 1.0) -> int:
        """In how many rounds `faster` took less than time(slower) / factor."""
        check_number("factor", factor, positive=True)
        return sum(r[faster].median * factor < r[slower].median for r in self._rounds_with(faster, slower))

    def warnings(self) -> int:
        """How many of the timings carry torch.utils.benchmark's warning (IQR above 10 % of the median)."""
        return sum(t.has_warnings for r in self.rounds for t in r.values())

    def _rounds_with(self, *names: str) -> tuple[dict[str, Timing], ...]:
        for name in names:
            if name not in self.rounds[0]:
                raise KeyError(f"unknown timing {name!r}; choose one of {sorted(self.rounds[0])}")
        return self.rounds


def time_alternating(fns: Mapping[str, Callable[[], object]], rounds: int = 3, min_run_time: float = 0.05,
                     num_threads: int | Mapping[str, int] = 1, min_runs: int = 8, warmup: int = 2) -> Comparison:
    """Time each callable `rounds` times, A/B-fairly: every one is called `warmup` times first, then round r
    times them in the given order when r is even and in reverse when r is odd, so none always goes first.
    num_threads is one thread count for all, or a dict giving each name its own (one callable timed on 1 thread
    and on all of them, say)."""
    if not isinstance(fns, Mapping) or not fns:
        raise TypeError("fns must be a non-empty dict of name -> callable taking no arguments")
    for name, fn in fns.items():
        check_type(f"fns[{name!r}]", fn, Callable, "a callable taking no arguments")
    check_int("rounds", rounds, minimum=1)
    check_int("warmup", warmup, minimum=0)
    if isinstance(num_threads, Mapping):
        if set(num_threads) != set(fns):
            raise KeyError(f"num_threads must name exactly the timed callables {sorted(fns)}, got {sorted(num_threads)}")
        threads = dict(num_threads)
    else:
        threads = dict.fromkeys(fns, num_threads)
    for name, count in threads.items():
        check_int(f"num_threads[{name!r}]" if isinstance(num_threads, Mapping) else "num_threads", count, minimum=1)
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    names = list(fns)
    results = []
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        timed = {name: time_callable(fns[name], min_run_time, threads[name], min_runs) for name in order}
        results.append({name: timed[name] for name in names})
    return Comparison(tuple(results))


def id_pool(vocab_size: int, num_ids: int, pool_size: int, seed: int = 0, dtype: torch.dtype = torch.long,
            device: torch.device | str = "cpu") -> tuple[torch.Tensor, ...]:
    """`pool_size` tensors of `num_ids` random ids in [0, vocab_size), from one seeded draw (views of one block)."""
    for name, value in (("vocab_size", vocab_size), ("num_ids", num_ids), ("pool_size", pool_size)):
        check_int(name, value, minimum=1)
    check_int("seed", seed, minimum=0)
    generator = torch.Generator().manual_seed(seed)
    block = torch.randint(0, vocab_size, (pool_size, num_ids), generator=generator, dtype=dtype)
    return block.to(device).unbind(0)


def pool_size_for(num_ids: int, row_bytes: int, target_bytes: int, minimum: int = 2) -> int:
    """How many id sets of `num_ids` rows of `row_bytes` a pool needs so that one pass reads `target_bytes`."""
    for name, value in (("num_ids", num_ids), ("row_bytes", row_bytes), ("target_bytes", target_bytes),
                        ("minimum", minimum)):
        check_int(name, value, minimum=1)
    return max(minimum, math.ceil(target_bytes / (num_ids * row_bytes)))


class IdCycle:
    """A callable that calls fn(next id set of the pool) each time: consecutive calls read different rows, so a
    timing loop cannot keep its rows in the CPU caches the way a real epoch over a large table could not."""

    def __init__(self, fn: Callable[[object], object], pool: Sequence[object]):
        check_type("fn", fn, Callable, "a callable taking one id set")
        if isinstance(pool, (str, bytes, torch.Tensor)) or not isinstance(pool, Sequence) or len(pool) == 0:
            raise TypeError("pool must be a non-empty list or tuple of id sets (see id_pool)")
        self.fn, self.pool, self.position = fn, pool, 0

    def __call__(self) -> object:
        ids = self.pool[self.position]
        self.position = (self.position + 1) % len(self.pool)
        return self.fn(ids)


def _parse_size(text: str) -> int:
    """'32K' -> 32768, '1M' -> 1048576, '512' -> 512 (the format of /sys/.../cache/index*/size)."""
    text = text.strip().upper()
    scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
    return int(text[:-1] if scale > 1 else text) * scale


def cache_sizes(root: Path | str = SYS_CACHE) -> dict[str, int]:
    """This CPU's caches in bytes, read from Linux's /sys ({'L1d': ..., 'L1i': ..., 'L2': ..., 'L3': ...});
    an empty dict where that directory does not exist (macOS, Windows) or cannot be read."""
    sizes = {}
    for index in sorted(Path(root).glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = _parse_size((index / "size").read_text())
        except (OSError, ValueError):
            continue
        suffix = {"Data": "d", "Instruction": "i"}.get(kind, "")
        sizes[f"L{level}{suffix}"] = size
    return sizes


def last_level_cache(sizes: Mapping[str, int]) -> int | None:
    """The largest data-holding cache of cache_sizes() in bytes (usually L3), or None when nothing was read."""
    data = [size for name, size in sizes.items() if not name.endswith("i")]
    return max(data) if data else None


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


def copy_bandwidth(nbytes: int = 128 * 2**20, min_run_time: float = 0.2, device: torch.device | str = "cpu",
                   num_threads: int = 1) -> tuple[float, Timing]:
    """(bytes per second, Timing) of copying an `nbytes` tensor into a preallocated one on `num_threads` threads;
    the bytes counted are the ones read plus the ones written, as lookup_bytes counts them for a gather."""
    check_int("nbytes", nbytes, minimum=4)
    src = torch.ones(nbytes // 4, dtype=torch.float32, device=device)
    dst = torch.zeros_like(src)  # written once here, so the timed copies never pay for first touch
    timing = time_callable(partial(dst.copy_, src), min_run_time=min_run_time, num_threads=num_threads)
    return effective_bandwidth(2 * src.numel() * 4, timing.median), timing
