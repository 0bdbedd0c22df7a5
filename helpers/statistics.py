"""Comparing models honestly: results over several seeds (mean ± sd) and paired bootstraps on one test set."""
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from helpers.validation import check_int, check_number, check_type


@dataclass(frozen=True)
class SeedSummary:
    """One score measured under several seeds."""
    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def sd(self) -> float:
        """Sample standard deviation (ddof=1): the seed-to-seed spread."""
        return float(np.std(self.values, ddof=1))

    def __format__(self, spec: str) -> str:
        spec = spec or ".3f"
        return f"{self.mean:{spec}} ± {self.sd:{spec}}"

    def __str__(self) -> str:
        return format(self)


def over_seeds(run: Callable[[int], float | dict[str, float]], seeds: Iterable[int] = (0, 1, 2)
               ) -> SeedSummary | dict[str, SeedSummary]:
    """Call run(seed) for each seed; a float result gives one SeedSummary, a dict one per key (same keys each run)."""
    check_type("run", run, Callable, "a function of the seed")
    seeds = tuple(seeds)
    for seed in seeds:
        check_int("seed", seed, minimum=0)
    if len(set(seeds)) < 3:
        raise ValueError(f"compare over at least 3 different seeds, got {seeds}")
    results = [run(seed) for seed in seeds]
    if all(isinstance(r, dict) for r in results):
        keys = list(results[0])
        if any(set(r) != set(keys) for r in results):
            raise ValueError("run(seed) must return the same keys for every seed")
        for r in results:
            for k in keys:
                check_number(f"run(seed)[{k!r}]", r[k])
        return {k: SeedSummary(tuple(float(r[k]) for r in results)) for k in keys}
    for r in results:
        check_number("run(seed)", r)
    return SeedSummary(tuple(float(r) for r in results))


@dataclass(frozen=True)
class PairedComparison:
    """Mean difference a - b on the same items, with a percentile bootstrap interval."""
    difference: float
    low: float
    high: float
    wins: float  # share of resamples where a scored higher than b

    def __str__(self) -> str:
        return f"{self.difference:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def paired_bootstrap(scores_a: Sequence[float], scores_b: Sequence[float], resamples: int = 2_000,
                     confidence: float = 0.95, seed: int = 0) -> PairedComparison:
    """Resample the shared test items with replacement; each time compare a and b on the same items.

    scores_a and scores_b hold one score per item (1/0 for correct/wrong, or a squared error), in the same order.
    """
    a, b = _item_scores("scores_a", scores_a), _item_scores("scores_b", scores_b)
    if len(a) != len(b):
        raise ValueError(f"scores_a and scores_b must score the same items: {len(a)} vs {len(b)}")
    check_int("resamples", resamples, minimum=100)
    check_number("confidence", confidence, minimum=0.5, maximum=0.999)
    check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    diff = a - b
    idx = rng.integers(0, len(diff), size=(resamples, len(diff)))
    means = diff[idx].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return PairedComparison(float(diff.mean()), float(low), float(high), float((means > 0).mean()))


def paired_spearman(scores_a: Sequence[float], scores_b: Sequence[float], ratings: Sequence[float],
                    resamples: int = 1_000, confidence: float = 0.95, seed: int = 0) -> PairedComparison:
    """Spearman(a, ratings) - Spearman(b, ratings) for two models that scored the same items (word pairs, say).

    A Spearman correlation is not a mean over items, so each bootstrap resample of the items re-ranks them and
    recomputes both correlations on the same resampled items (ties get average ranks, as in scipy).
    """
    from scipy.stats import rankdata, spearmanr

    a, b, y = (_item_scores(name, v) for name, v in [("scores_a", scores_a), ("scores_b", scores_b),
                                                      ("ratings", ratings)])
    if not len(a) == len(b) == len(y):
        raise ValueError(f"scores_a, scores_b and ratings must cover the same items: {len(a)}, {len(b)}, {len(y)}")
    if len(y) < 3:
        raise ValueError(f"a Spearman correlation needs at least 3 items, got {len(y)}")
    for name, v in [("scores_a", a), ("scores_b", b), ("ratings", y)]:
        if np.ptp(v) == 0:
            raise ValueError(f"{name} is constant: its Spearman correlation is undefined")
    check_int("resamples", resamples, minimum=100)
    check_number("confidence", confidence, minimum=0.5, maximum=0.999)
    check_int("seed", seed, minimum=0)
    idx = np.random.default_rng(seed).integers(0, len(y), size=(resamples, len(y)))
    ranked_y = rankdata(y[idx], axis=1)
    with np.errstate(invalid="ignore"):   # a resample of tied items has no correlation: dropped below
        gap = _row_pearson(rankdata(a[idx], axis=1), ranked_y) - _row_pearson(rankdata(b[idx], axis=1), ranked_y)
    gap = gap[np.isfinite(gap)]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(gap, [tail, 100 - tail])
    difference = spearmanr(a, y).statistic - spearmanr(b, y).statistic
    return PairedComparison(float(difference), float(low), float(high), float((gap > 0).mean()))


def _row_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x, y = x - x.mean(axis=1, keepdims=True), y - y.mean(axis=1, keepdims=True)
    return (x * y).sum(axis=1) / np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))


def _item_scores(name: str, scores: Sequence[float]) -> np.ndarray:
    if isinstance(scores, (str, bytes)) or not hasattr(scores, "__len__"):
        raise TypeError(f"{name} must be a sequence of per-item scores, got {type(scores).__name__}")
    array = np.asarray(scores, dtype=np.float64).ravel()
    if len(array) < 2:
        raise ValueError(f"{name} needs at least 2 items, got {len(array)}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds a NaN or infinite score")
    return array
