"""Unit tests for helpers.statistics: results over seeds (mean ± sd), the paired bootstrap and paired Spearman."""
import re

import numpy as np
import pytest

from helpers.statistics import PairedComparison, SeedSummary, over_seeds, paired_bootstrap, paired_spearman


def seeded_score(seed: int) -> float:
    """A stand-in for a training run: a score that depends on the seed only."""
    return float(np.random.default_rng(seed).uniform(0.7, 0.9))


def seeded_scores(seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    return {"accuracy": float(rng.uniform(0.7, 0.9)), "loss": float(rng.uniform(0.2, 0.5))}


# SeedSummary ------------------------------------------------------------------------------------------------
def test_seed_summary_mean_and_sample_sd_agree_with_numpy():
    values = (0.81, 0.79, 0.86, 0.8)
    summary = SeedSummary(values)
    assert summary.mean == pytest.approx(np.mean(values))
    assert summary.sd == pytest.approx(np.std(values, ddof=1))  # the sample sd, not numpy's default ddof=0
    assert summary.sd != pytest.approx(np.std(values))


def test_seed_summary_prints_mean_plus_minus_sd():
    summary = SeedSummary((1.0, 2.0, 4.0))
    mean, sd = np.mean([1.0, 2.0, 4.0]), np.std([1.0, 2.0, 4.0], ddof=1)
    assert str(summary) == f"{mean:.3f} ± {sd:.3f}"
    assert f"{summary:.1f}" == f"{mean:.1f} ± {sd:.1f}"
    assert f"{summary}" == str(summary)


# over_seeds -------------------------------------------------------------------------------------------------
def test_over_seeds_with_a_float_result_calls_run_once_per_seed():
    calls = []

    def run(seed):
        calls.append(seed)
        return seeded_score(seed)

    summary = over_seeds(run, seeds=(4, 5, 6, 7))
    assert calls == [4, 5, 6, 7]
    assert isinstance(summary, SeedSummary)
    assert summary.values == tuple(seeded_score(s) for s in (4, 5, 6, 7))
    assert summary.mean == pytest.approx(np.mean(summary.values))


def test_over_seeds_defaults_to_seeds_0_1_2_and_accepts_any_iterable():
    assert over_seeds(seeded_score).values == tuple(seeded_score(s) for s in (0, 1, 2))
    assert over_seeds(seeded_score, seeds=range(3)).values == over_seeds(seeded_score).values
    assert over_seeds(int, seeds=iter([3, 1, 2])).values == (3.0, 1.0, 2.0)  # ints and numpy numbers are fine
    assert over_seeds(np.float32, seeds=(1, 2, 3)).values == (1.0, 2.0, 3.0)


def test_over_seeds_with_a_dict_result_gives_one_summary_per_key():
    summaries = over_seeds(seeded_scores, seeds=(0, 1, 2))
    assert list(summaries) == ["accuracy", "loss"]
    for key, summary in summaries.items():
        expected = [seeded_scores(s)[key] for s in (0, 1, 2)]
        assert isinstance(summary, SeedSummary)
        assert summary.values == tuple(expected)
        assert summary.sd == pytest.approx(np.std(expected, ddof=1))


def test_over_seeds_accepts_the_same_keys_in_another_order():
    def run(seed):
        scores = seeded_scores(seed)
        return scores if seed % 2 else dict(reversed(scores.items()))

    summaries = over_seeds(run)
    assert summaries["loss"].values == tuple(seeded_scores(s)["loss"] for s in (0, 1, 2))


@pytest.mark.parametrize("seeds", [(0, 1), (5,), (), (0, 0, 0), (1, 2, 1)])
def test_over_seeds_rejects_fewer_than_three_different_seeds(seeds):
    with pytest.raises(ValueError, match=re.escape(f"compare over at least 3 different seeds, got {seeds}")):
        over_seeds(seeded_score, seeds=seeds)


def test_over_seeds_rejects_mismatched_keys():
    def run(seed):
        scores = seeded_scores(seed)
        if seed == 2:
            scores["f1"] = 0.5
        return scores

    with pytest.raises(ValueError, match="run\\(seed\\) must return the same keys for every seed"):
        over_seeds(run)

    def missing(seed):
        return {"accuracy": 0.8} if seed else {"accuracy": 0.8, "loss": 0.3}

    with pytest.raises(ValueError, match="same keys"):
        over_seeds(missing)


@pytest.mark.parametrize("seeds, error, match", [
    ((0, 1, -1), ValueError, "seed must be at least 0, got -1"),
    ((0, 1, 2.0), TypeError, "seed must be an integer, got 2.0 (float)"),
    ((0, 1, True), TypeError, "seed must be an integer, got True (bool)"),
])
def test_over_seeds_rejects_bad_seeds_before_running(seeds, error, match):
    calls = []
    with pytest.raises(error, match=re.escape(match)):
        over_seeds(calls.append, seeds=seeds)
    assert calls == []


@pytest.mark.parametrize("result, error, match", [
    (float("nan"), ValueError, "run(seed) must be a number, got NaN"),
    ("0.9", TypeError, "run(seed) must be a number, got '0.9' (str)"),
    (True, TypeError, "run(seed) must be a number, got True (bool)"),
    (None, TypeError, "run(seed) must be a number, got None (NoneType)"),
    ({"acc": float("nan")}, ValueError, "run(seed)['acc'] must be a number, got NaN"),
    ({"acc": "0.9"}, TypeError, "run(seed)['acc'] must be a number, got '0.9' (str)"),
])
def test_over_seeds_rejects_a_result_that_is_not_a_number(result, error, match):
    def run(seed):
        return result

    with pytest.raises(error, match=re.escape(match)):
        over_seeds(run)


def test_over_seeds_rejects_a_run_that_is_not_callable():
    with pytest.raises(TypeError, match=re.escape("run must be a function of the seed, got list")):
        over_seeds([0.8, 0.9, 0.7])


# paired_bootstrap -------------------------------------------------------------------------------------------
def correct_flags(n: int, p: float, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(n) < p).astype(float)


def test_identical_scores_give_a_zero_difference_and_a_zero_width_interval():
    scores = correct_flags(200, 0.8, seed=0)
    result = paired_bootstrap(scores, scores.copy())
    assert isinstance(result, PairedComparison)
    assert (result.difference, result.low, result.high, result.wins) == (0.0, 0.0, 0.0, 0.0)


def test_a_constant_shift_is_found_exactly():
    b = np.random.default_rng(1).normal(size=300)
    result = paired_bootstrap(b + 0.25, b)
    # every item differs by the same 0.25, so every resample does too: pairing removes the item-to-item noise
    assert result.difference == pytest.approx(0.25)
    assert result.low == pytest.approx(0.25) and result.high == pytest.approx(0.25)
    assert result.wins == 1.0


def test_a_noisy_shift_gives_the_mean_difference_and_an_interval_around_it():
    rng = np.random.default_rng(2)
    b = rng.normal(size=400)
    a = b + 0.3 + rng.normal(scale=0.5, size=400)
    result = paired_bootstrap(a, b, resamples=4_000, seed=0)
    diff = a - b
    assert result.difference == pytest.approx(float(np.mean(diff)))
    assert result.low < result.difference < result.high
    assert result.low < 0.3 < result.high  # the true shift
    # the percentile interval is close to the normal one, mean ± 1.96 standard errors
    half_width = 1.96 * np.std(diff, ddof=1) / np.sqrt(len(diff))
    assert result.high - result.low == pytest.approx(2 * half_width, rel=0.15)
    assert result.wins == 1.0  # with z ≈ 12, no resample reverses the order


def test_paired_bootstrap_matches_a_direct_numpy_computation():
    a, b = correct_flags(150, 0.8, seed=3), correct_flags(150, 0.75, seed=4)
    result = paired_bootstrap(a, b, resamples=500, confidence=0.9, seed=7)
    idx = np.random.default_rng(7).integers(0, 150, size=(500, 150))
    means = (a - b)[idx].mean(axis=1)
    assert result.low == pytest.approx(np.percentile(means, 5))
    assert result.high == pytest.approx(np.percentile(means, 95))
    assert result.wins == pytest.approx(np.mean(means > 0))


def test_a_higher_confidence_gives_a_wider_interval():
    a, b = correct_flags(200, 0.8, seed=5), correct_flags(200, 0.7, seed=6)
    narrow = paired_bootstrap(a, b, confidence=0.8)
    wide = paired_bootstrap(a, b, confidence=0.99)
    assert wide.low < narrow.low < narrow.high < wide.high


def test_paired_bootstrap_is_reproducible_with_a_seed():
    a, b = correct_flags(100, 0.8, seed=8), correct_flags(100, 0.7, seed=9)
    first, again, other = paired_bootstrap(a, b, seed=3), paired_bootstrap(a, b, seed=3), paired_bootstrap(a, b, seed=4)
    assert first == again
    assert first.difference == other.difference  # the observed difference does not depend on the seed ...
    assert (first.low, first.high) != (other.low, other.high)  # ... the resamples do


def test_paired_bootstrap_accepts_lists_and_swapping_flips_the_sign():
    a, b = [1, 1, 0, 1, 1, 0, 1, 1], [1, 0, 0, 1, 0, 0, 1, 0]
    forward, backward = paired_bootstrap(a, b, seed=0), paired_bootstrap(b, a, seed=0)
    assert forward.difference == pytest.approx(np.mean(np.subtract(a, b)))
    assert backward.difference == -forward.difference
    assert (backward.low, backward.high) == pytest.approx((-forward.high, -forward.low))


def test_paired_comparison_prints_the_difference_and_interval():
    assert str(PairedComparison(0.0123, -0.004, 0.0291, 0.9)) == "+0.012 [-0.004, +0.029]"


@pytest.mark.parametrize("a, b, error, match", [
    ([1, 0, 1], [1, 0], ValueError, "scores_a and scores_b must score the same items: 3 vs 2"),
    ([1, float("nan"), 1], [1, 0, 1], ValueError, "scores_a holds a NaN or infinite score"),
    ([1, 0, 1], [1, 0, float("inf")], ValueError, "scores_b holds a NaN or infinite score"),
    ([1], [0], ValueError, "scores_a needs at least 2 items, got 1"),
    ([], [], ValueError, "scores_a needs at least 2 items, got 0"),
    ([1, 0], [1], ValueError, "scores_b needs at least 2 items, got 1"),
    ("1010", [1, 0, 1, 0], TypeError, "scores_a must be a sequence of per-item scores, got str"),
    ([1, 0], 0.5, TypeError, "scores_b must be a sequence of per-item scores, got float"),
])
def test_paired_bootstrap_rejects_bad_scores(a, b, error, match):
    with pytest.raises(error, match=re.escape(match)):
        paired_bootstrap(a, b)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"resamples": 99}, ValueError, "resamples must be at least 100, got 99"),
    ({"resamples": 1000.0}, TypeError, "resamples must be an integer, got 1000.0 (float)"),
    ({"confidence": 0.4}, ValueError, "confidence must be at least 0.5, got 0.4"),
    ({"confidence": 1.0}, ValueError, "confidence must be at most 0.999, got 1.0"),
    ({"confidence": True}, TypeError, "confidence must be a number, got True (bool)"),
    ({"seed": -1}, ValueError, "seed must be at least 0, got -1"),
    ({"seed": True}, TypeError, "seed must be an integer, got True (bool)"),
])
def test_paired_bootstrap_rejects_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=re.escape(match)):
        paired_bootstrap([1, 0, 1], [0, 0, 1], **kwargs)


# paired_spearman ---------------------------------------------------------------------------------------------
def rated_items(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Human ratings, a model that follows them closely and one that follows them loosely."""
    rng = np.random.default_rng(seed)
    ratings = rng.integers(0, 11, n).astype(float)  # ties, as in WordSim353
    return ratings + rng.normal(0, 1, n), ratings + rng.normal(0, 4, n), ratings


def test_paired_spearman_difference_is_the_full_set_spearman_gap():
    from scipy.stats import spearmanr
    good, poor, ratings = rated_items()
    result = paired_spearman(good, poor, ratings, seed=0)
    expected = spearmanr(good, ratings).statistic - spearmanr(poor, ratings).statistic
    assert result.difference == pytest.approx(expected)
    assert result.low < result.difference < result.high
    assert result.low > 0 and result.wins == 1.0  # the close model wins on every resample


def test_paired_spearman_recomputes_spearman_on_each_resample():
    from scipy.stats import spearmanr
    good, poor, ratings = rated_items(60, seed=1)
    result = paired_spearman(good, poor, ratings, resamples=300, confidence=0.9, seed=5)
    idx = np.random.default_rng(5).integers(0, 60, size=(300, 60))
    gaps = [spearmanr(good[i], ratings[i]).statistic - spearmanr(poor[i], ratings[i]).statistic for i in idx]
    assert (result.low, result.high) == pytest.approx(tuple(np.percentile(gaps, [5, 95])))
    assert result.wins == pytest.approx(np.mean(np.array(gaps) > 0))


def test_paired_spearman_of_a_model_with_itself_is_zero_and_swapping_flips_the_sign():
    good, poor, ratings = rated_items(80)
    same = paired_spearman(good, good.copy(), ratings)
    assert (same.difference, same.low, same.high, same.wins) == (0.0, 0.0, 0.0, 0.0)
    forward, backward = paired_spearman(good, poor, ratings), paired_spearman(poor, good, ratings)
    assert backward.difference == pytest.approx(-forward.difference)
    assert (backward.low, backward.high) == pytest.approx((-forward.high, -forward.low))


@pytest.mark.parametrize("a, b, y, error, match", [
    ([1, 2, 3], [1, 2], [1, 2, 3], ValueError, "must cover the same items: 3, 2, 3"),
    ([1, 2], [2, 1], [1, 2], ValueError, "needs at least 3 items, got 2"),
    ([1, 2, 3], [3, 1, 2], [5, 5, 5], ValueError, "ratings is constant"),
    ([1, 1, 1], [3, 1, 2], [1, 2, 3], ValueError, "scores_a is constant"),
    ([1, 2, float("nan")], [3, 1, 2], [1, 2, 3], ValueError, "scores_a holds a NaN or infinite score"),
    ("123", [3, 1, 2], [1, 2, 3], TypeError, "scores_a must be a sequence of per-item scores, got str"),
    ([1, 2, 3], [3, 1, 2], 7, TypeError, "ratings must be a sequence of per-item scores, got int"),
])
def test_paired_spearman_rejects_bad_input(a, b, y, error, match):
    with pytest.raises(error, match=re.escape(match)):
        paired_spearman(a, b, y)


def test_paired_spearman_rejects_bad_settings():
    with pytest.raises(ValueError, match="resamples must be at least 100"):
        paired_spearman([1, 2, 3], [3, 1, 2], [1, 2, 3], resamples=10)
    with pytest.raises(TypeError, match="seed must be an integer"):
        paired_spearman([1, 2, 3], [3, 1, 2], [1, 2, 3], seed=0.5)
