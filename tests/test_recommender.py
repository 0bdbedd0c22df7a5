"""Unit tests for helpers.recommender: splits, metrics, the bias baseline, the factorisation model and its training."""
import numpy as np
import pytest
import torch

from helpers.recommender import (
    Biases,
    Factorisation,
    SideFeatures,
    _loss,
    age_bands,
    cold_start_split,
    fit_biases,
    fit_factorisation,
    mae,
    predict,
    random_split,
    rmse,
    row_penalty,
    surprise_svd,
    temporal_split,
)


def toy_ratings(n_users=30, n_movies=40, per_user=12, seed=0):
    """Ratings from a rank-1 taste model plus noise, each user rating distinct movies at distinct times."""
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(n_users), per_user)
    movies = np.concatenate([rng.choice(n_movies, per_user, replace=False) for _ in range(n_users)])
    taste, trait = rng.normal(size=n_users), rng.normal(size=n_movies)
    stars = np.clip(np.round(3 + taste[users] * trait[movies] + rng.normal(0, 0.3, len(users))), 1, 5)
    times = rng.permutation(len(users)).astype(np.int64)
    return users.astype(np.int64), movies.astype(np.int64), stars.astype(np.float32), times


def test_random_split_is_seeded_disjoint_and_complete():
    train, test = random_split(100, 0.2, seed=3)
    assert len(test) == 20 and len(train) == 80
    assert sorted(np.r_[train, test].tolist()) == list(range(100))
    assert np.array_equal(random_split(100, 0.2, seed=3)[1], test)
    assert not np.array_equal(random_split(100, 0.2, seed=4)[1], test)
    with pytest.raises(ValueError, match="empty side"):
        random_split(3, 0.01)
    with pytest.raises(TypeError):
        random_split(100, 0.2, seed=True)


def test_temporal_split_holds_out_each_users_latest():
    users, _, _, times = toy_ratings()
    train, test = temporal_split(users, times, 0.25)
    assert sorted(np.r_[train, test].tolist()) == list(range(len(users)))
    for u in np.unique(users):
        mine_train, mine_test = times[train][users[train] == u], times[test][users[test] == u]
        assert len(mine_test) == 3 and mine_train.max() < mine_test.min()
    with pytest.raises(ValueError, match="differ in length"):
        temporal_split(users, times[:-1])
    with pytest.raises(TypeError, match="integer ids"):
        temporal_split(users.astype(float), times)


def test_cold_start_split_keeps_the_oldest_ratings_of_some_users():
    users, _, _, times = toy_ratings()
    train, test = cold_start_split(users, times, user_fraction=0.2, keep=4, seed=1)
    cold = np.unique(users[test])
    assert len(cold) == 6 and sorted(np.r_[train, test].tolist()) == list(range(len(users)))
    for u in cold:
        kept = times[train][users[train] == u]
        assert len(kept) == 4 and kept.max() < times[test][users[test] == u].min()
    with pytest.raises(ValueError, match="picks nobody"):
        cold_start_split(users, times, user_fraction=0.001)


def test_metrics_against_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=50), rng.normal(size=50)
    assert rmse(a, b) == pytest.approx(np.sqrt(np.mean((a - b) ** 2)))
    assert mae(torch.tensor(a), b) == pytest.approx(np.mean(np.abs(a - b)))
    with pytest.raises(ValueError, match="equal in length"):
        rmse(a, b[:-1])


def test_fit_biases_recovers_offsets_and_shrinks_rare_ones():
    users = np.array([0, 0, 1, 1, 0, 1], dtype=np.int64)
    movies = np.array([0, 1, 0, 1, 2, 2], dtype=np.int64)
    stars = 3 + np.array([1, 1, -1, -1, 1, -1], dtype=np.float32)  # user 0 rates 2 stars above user 1
    exact = fit_biases(users, movies, stars, 2, 4, shrinkage=0.0, sweeps=20)
    assert isinstance(exact, Biases)
    assert exact.user_bias[0] - exact.user_bias[1] == pytest.approx(2.0, abs=1e-6)
    assert np.allclose(exact.predict(users, movies), stars, atol=1e-6)
    assert exact.movie_bias[3] == 0  # never rated: the global mean
    shrunk = fit_biases(users, movies, stars, 2, 4, shrinkage=10.0)
    assert abs(shrunk.user_bias[0]) < abs(exact.user_bias[0])
    with pytest.raises(TypeError):
        fit_biases(users, movies, stars, 2.0, 4)


def test_age_bands_and_side_features():
    assert age_bands(np.array([7, 18, 24, 25, 49, 50, 56, 73])) == [
        "00-17", "18-24", "18-24", "25-34", "45-49", "50-55", "56+", "56+"]
    side = SideFeatures.from_columns({"gender": ["M", "F", "M"], "band": ["b", "a", "c"]})
    assert side.sizes == (2, 3) and side.codes.tolist() == [[1, 1], [0, 0], [1, 2]]
    with pytest.raises(ValueError, match="one value per user"):
        SideFeatures.from_columns({"gender": ["M", "F"], "band": ["a"]})
    with pytest.raises(TypeError):
        SideFeatures.from_columns([["M"]])


def test_factorisation_starts_at_the_mean_and_stays_in_range():
    torch.manual_seed(0)
    model = Factorisation(5, 7, 3, rating_range=(0.5, 5.5), mean_rating=3.2, init_std=0.0)
    guess = predict(model, np.array([0, 4]), np.array([6, 0]))
    assert np.allclose(guess, 3.2, atol=1e-5)
    with torch.no_grad():
        model.movie_bias.weight.fill_(100.0)
    assert predict(model, np.array([0]), np.array([0]))[0] <= 5.5
    with torch.no_grad():
        model.movie_bias.weight.fill_(-100.0)
    assert predict(model, np.array([0]), np.array([0]))[0] >= 0.5
    with pytest.raises(ValueError, match="inside rating_range"):
        Factorisation(5, 7, 3, mean_rating=6.0)
    with pytest.raises(TypeError):
        Factorisation(5, 7, True)


def test_forward_is_the_dot_product_formula():
    torch.manual_seed(0)
    model = Factorisation(4, 6, 3, init_std=0.5)
    u, m = torch.tensor([1, 3]), torch.tensor([5, 0])
    logit = (model.offset + model.user_bias.weight[u, 0] + model.movie_bias.weight[m, 0]
             + (model.user_vectors.weight[u] * model.movie_vectors.weight[m]).sum(-1))
    assert torch.allclose(model(u, m), model.low + (model.high - model.low) * torch.sigmoid(logit))


def test_side_features_add_their_rows_to_the_user():
    side = SideFeatures(np.array([[0, 1], [1, 0]]), (2, 2))
    torch.manual_seed(0)
    model = Factorisation(2, 3, 4, side_features=side, init_std=0.5)
    parts = model.parts(torch.tensor([0]), torch.tensor([2]))
    assert parts["feature"].shape == (1, 2, 4)
    rows = model.feature_vectors.weight[[0, 3]]  # field 0 code 0, field 1 code 1 (offset 2)
    assert torch.allclose(parts["feature"][0], rows)
    with pytest.raises(ValueError, match="users"):
        Factorisation(3, 3, 4, side_features=side)


def test_genres_add_the_mean_of_their_rows_to_the_movie():
    genres = np.array([[True, False, True], [False, False, False]])
    torch.manual_seed(0)
    model = Factorisation(2, 2, 4, init_std=0.5, movie_genres=genres)
    parts = model.parts(torch.tensor([0, 1]), torch.tensor([0, 1]))
    assert torch.allclose(parts["genre"][0], model.genre_vectors.weight[[0, 2]].mean(0))
    assert torch.equal(parts["genre"][1], torch.zeros(4))  # a movie without genres gets nothing from them
    logit = (model.offset + model.user_bias.weight[0, 0] + model.movie_bias.weight[0, 0] + parts["genre_bias"][0]
             + model.user_vectors.weight[0] @ (model.movie_vectors.weight[0] + parts["genre"][0]))
    assert torch.allclose(model(torch.tensor([0]), torch.tensor([0]))[0],
                          model.low + (model.high - model.low) * torch.sigmoid(logit))
    with pytest.raises(ValueError, match="movie_genres"):
        Factorisation(2, 3, 4, movie_genres=genres)


def test_row_penalty_counts_every_looked_up_row():
    parts = {"user": torch.ones(2, 3), "user_bias": torch.full((2,), 2.0), "feature": torch.ones(2, 2, 3)}
    assert row_penalty(parts).item() == pytest.approx(3 + 4 + 6)


@pytest.mark.parametrize("decay", ["batch", "dense"])
def test_training_beats_the_global_mean(decay):
    users, movies, stars, _ = toy_ratings(per_user=20)
    train, test = random_split(len(stars), 0.2, seed=0)
    torch.manual_seed(0)
    model = Factorisation(30, 40, 4, mean_rating=float(stars[train].mean()), init_std=0.1)
    history = fit_factorisation(model, users[train], movies[train], stars[train], epochs=60, weight_decay=0.01,
                                decay=decay, lr=0.05, batch_size=128, val=(users[test], movies[test], stars[test]))
    assert len(history) == 60
    baseline = rmse(np.full(len(test), stars[train].mean()), stars[test])
    assert rmse(predict(model, users[test], movies[test]), stars[test]) == pytest.approx(history[-1])
    assert history[-1] < 0.8 * baseline


def test_batch_decay_leaves_unused_rows_alone_and_dense_decay_shrinks_them():
    users, movies, stars = np.array([0, 1]), np.array([0, 1]), np.array([4.0, 2.0], dtype=np.float32)
    norms = {}
    for decay in ("batch", "dense"):
        torch.manual_seed(0)
        model = Factorisation(3, 3, 2, init_std=0.5)
        start = model.movie_vectors.weight[2].detach().clone()
        fit_factorisation(model, users, movies, stars, epochs=20, weight_decay=0.5, decay=decay)
        norms[decay] = (start.norm().item(), model.movie_vectors.weight[2].norm().item())
    assert norms["batch"][1] == pytest.approx(norms["batch"][0])  # movie 2 is never rated
    assert norms["dense"][1] < norms["dense"][0]


def test_training_is_seeded_and_checks_arguments():
    users, movies, stars, _ = toy_ratings()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = Factorisation(30, 40, 3)
        fit_factorisation(model, users, movies, stars, epochs=2, weight_decay=0.1, batch_size=50, seed=7)
        runs.append(model.movie_vectors.weight.detach().clone())
    assert torch.equal(runs[0], runs[1])
    torch.manual_seed(0)
    model = Factorisation(30, 40, 3)
    history = fit_factorisation(model, users, movies, stars, epochs=3, weight_decay=0.1, batch_size=50,
                                schedule="one-cycle", val=(users, movies, stars))
    assert len(history) == 3
    with pytest.raises(KeyError, match="unknown schedule"):
        fit_factorisation(model, users, movies, stars, 1, 0.1, schedule="cosine")
    with pytest.raises(KeyError, match="unknown decay"):
        fit_factorisation(model, users, movies, stars, 1, 0.1, decay="sparse")
    with pytest.raises(ValueError, match="differ in length"):
        fit_factorisation(model, users, movies, stars[:-1], 1, 0.1)
    with pytest.raises(TypeError):
        fit_factorisation(model, users, movies, stars, 1.5, 0.1)
    with pytest.raises(TypeError):
        fit_factorisation("model", users, movies, stars, 1, 0.1)


def test_surprise_svd_is_seeded_and_beats_the_mean():
    users, movies, stars, _ = toy_ratings(per_user=20)
    train, test = random_split(len(stars), 0.2, seed=0)
    data = (users[train], movies[train], stars[train])
    first = surprise_svd(data, (users[test], movies[test]), seed=1, n_factors=4, n_epochs=30)
    again = surprise_svd(data, (users[test], movies[test]), seed=1, n_factors=4, n_epochs=30)
    assert np.array_equal(first, again) and first.min() >= 1 and first.max() <= 5
    assert rmse(first, stars[test]) < rmse(np.full(len(test), stars[train].mean()), stars[test])
    unseen = surprise_svd(data, (np.array([999]), np.array([999])), seed=1)
    assert unseen[0] == pytest.approx(stars[train].mean(), abs=1e-5)  # unknown user and movie: the global mean


def test_history_adds_the_mean_of_the_rated_movies_rows():
    model = Factorisation(3, 4, 2, init_std=0.5, rated=(np.array([0, 0, 2]), np.array([1, 3, 0])))
    rows = model.rows()["history"]
    weight = model.history_vectors.weight
    assert torch.allclose(rows[0], weight[[1, 3]].mean(0))
    assert torch.equal(rows[1], torch.zeros(2))  # a user who rated nothing gets nothing from it
    assert torch.allclose(rows[2], weight[0])
    rows.sum().backward()  # the stored transpose gives the same gradient as the dense product
    dense = torch.zeros(3, 4)
    dense[0, [1, 3]], dense[2, 0] = 0.5, 1.0
    assert torch.allclose(model.history_vectors.weight.grad, dense.t() @ torch.ones(3, 2))


@pytest.mark.parametrize("rated, error, match", [
    ((np.array([3]), np.array([0])), ValueError, "outside"),
    ((np.array([0]), np.array([4])), ValueError, "outside"),
    ((np.array([-1]), np.array([0])), ValueError, "outside"),
    ((np.array([0, 1]), np.array([0])), ValueError, "differ in length"),
    ((np.array([0]), np.array([0]), np.array([0])), ValueError, "pair"),
    ((np.array([0.5]), np.array([0])), TypeError, "integer ids"),
    ([np.array([0]), np.array([0])], TypeError, "tuple"),
])
def test_history_checks_its_ratings(rated, error, match):
    with pytest.raises(error, match=match):
        Factorisation(3, 4, 2, rated=rated)


def test_whole_table_loss_equals_the_per_rating_loss():
    rng = np.random.default_rng(0)
    side = SideFeatures(rng.integers(0, 3, (5, 2)), (3, 3))
    model = Factorisation(5, 6, 3, init_std=0.5, side_features=side, movie_genres=rng.random((6, 4)) < 0.5,
                          rated=(rng.integers(0, 5, 12), rng.integers(0, 6, 12)))
    users, movies = torch.as_tensor(rng.integers(0, 5, 20)), torch.as_tensor(rng.integers(0, 6, 20))
    ratings = torch.as_tensor(rng.uniform(1, 5, 20), dtype=torch.float32)
    parts = model.parts(users, movies)
    for bias_weight in (1.0, 0.0):
        per_rating = torch.mean((model.combine(parts) - ratings) ** 2) + 0.1 * row_penalty(parts, bias_weight)
        assert _loss(model, users, movies, ratings, 0.1, 0.1 * bias_weight).item() == pytest.approx(per_rating.item())
    assert torch.allclose(model(users, movies), model.combine(parts))


def test_bias_decay_zero_leaves_biases_unpenalised():
    users, movies = np.array([0, 1, 0]), np.array([0, 1, 1])
    stars = np.array([5.0, 1.0, 4.0], dtype=np.float32)
    fits = {}
    for bias_decay in (None, 0.0):
        torch.manual_seed(0)
        model = Factorisation(2, 2, 2)
        fit_factorisation(model, users, movies, stars, 30, 1.0, lr=0.05, bias_decay=bias_decay)
        fits[bias_decay] = predict(model, users, movies)
    assert np.abs(fits[0.0] - stars).mean() < np.abs(fits[None] - stars).mean()
    with pytest.raises(ValueError):
        fit_factorisation(model, users, movies, stars, 1, 1.0, bias_decay=-0.1)
    with pytest.raises(TypeError):
        fit_factorisation(model, users, movies, stars, 1, 1.0, bias_decay="none")
