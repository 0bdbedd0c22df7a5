"""Recommendation with embedding tables: rating splits, error metrics and a biased matrix factorisation."""
import hashlib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from helpers.validation import check_choice, check_int, check_number, check_type

DECAY_MODES = ("batch", "dense")
SCHEDULES = ("constant", "one-cycle")


def random_split(n: int, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random split of n ratings: (train indices, test indices), each sorted."""
    check_int("n", n, minimum=2)
    check_number("test_fraction", test_fraction, minimum=0.0, maximum=1.0)
    check_int("seed", seed, minimum=0)
    n_test = round(n * test_fraction)
    if not 0 < n_test < n:
        raise ValueError(f"test_fraction {test_fraction} of {n} ratings leaves an empty side")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def temporal_split(users: np.ndarray, timestamps: np.ndarray, test_fraction: float = 0.2
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Per user, the latest test_fraction of their ratings held out (ties broken by position): (train, test)."""
    users, timestamps = _array("users", users), _array("timestamps", timestamps)
    if len(users) != len(timestamps):
        raise ValueError(f"users and timestamps differ in length: {len(users)} vs {len(timestamps)}")
    check_number("test_fraction", test_fraction, minimum=0.0, maximum=1.0)
    order = np.lexsort((np.arange(len(users)), timestamps, users))  # by user, then time, then position
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    counts = np.diff(np.r_[starts, len(users)])
    rank = np.arange(len(users)) - np.repeat(starts, counts)  # 0 = the user's oldest rating
    n_test = np.floor(counts * test_fraction).astype(np.int64)
    held_out = rank >= np.repeat(counts - n_test, counts)
    return np.sort(order[~held_out]), np.sort(order[held_out])


def cold_start_split(users: np.ndarray, timestamps: np.ndarray, user_fraction: float = 0.2, keep: int = 5,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded user_fraction of users keep only their `keep` oldest ratings for training; the rest of theirs is
    the test set, and every other user's ratings are all training: (train indices, test indices)."""
    users, timestamps = _array("users", users), _array("timestamps", timestamps)
    if len(users) != len(timestamps):
        raise ValueError(f"users and timestamps differ in length: {len(users)} vs {len(timestamps)}")
    check_number("user_fraction", user_fraction, minimum=0.0, maximum=1.0)
    check_int("keep", keep, minimum=0)
    check_int("seed", seed, minimum=0)
    distinct = np.unique(users)
    n_cold = round(len(distinct) * user_fraction)
    if n_cold == 0:
        raise ValueError(f"user_fraction {user_fraction} of {len(distinct)} users picks nobody")
    cold = np.random.default_rng(seed).choice(distinct, size=n_cold, replace=False)
    order = np.lexsort((np.arange(len(users)), timestamps, users))
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    rank = np.empty(len(users), dtype=np.int64)
    rank[order] = np.arange(len(users)) - np.repeat(starts, np.diff(np.r_[starts, len(users)]))
    held_out = np.isin(users, cold) & (rank >= keep)
    return np.flatnonzero(~held_out), np.flatnonzero(held_out)


def rmse(predictions: np.ndarray | torch.Tensor, targets: np.ndarray | torch.Tensor) -> float:
    """Root mean squared error."""
    errors = _errors(predictions, targets)
    return float(np.sqrt(np.mean(errors ** 2)))


def mae(predictions: np.ndarray | torch.Tensor, targets: np.ndarray | torch.Tensor) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(_errors(predictions, targets))))


@dataclass(frozen=True)
class Biases:
    """The baseline every recommender must beat: global mean + user offset + movie offset."""
    mean: float
    user_bias: np.ndarray
    movie_bias: np.ndarray

    def predict(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        return self.mean + self.user_bias[_array("users", users)] + self.movie_bias[_array("movies", movies)]


def fit_biases(users: np.ndarray, movies: np.ndarray, ratings: np.ndarray, n_users: int, n_movies: int,
               shrinkage: float = 10.0, sweeps: int = 5) -> Biases:
    """User and movie offsets from the global mean, fitted by alternating shrunk means.

    Each offset is sum(residual) / (count + shrinkage), so a movie rated twice stays near the global mean.
    """
    check_int("n_users", n_users, minimum=1)
    check_int("n_movies", n_movies, minimum=1)
    check_number("shrinkage", shrinkage, minimum=0.0)
    check_int("sweeps", sweeps, minimum=1)
    u, m, r = (t.numpy() for t in _tensors(users, movies, ratings))
    r = r.astype(np.float64)
    mean = float(r.mean())
    user_bias, movie_bias = np.zeros(n_users), np.zeros(n_movies)
    user_count = np.bincount(u, minlength=n_users) + shrinkage
    movie_count = np.bincount(m, minlength=n_movies) + shrinkage
    for _ in range(sweeps):  # an id never rated keeps offset 0 (even with shrinkage 0)
        movie_bias = np.divide(np.bincount(m, r - mean - user_bias[u], n_movies), movie_count,
                               out=np.zeros(n_movies), where=movie_count > 0)
        user_bias = np.divide(np.bincount(u, r - mean - movie_bias[m], n_users), user_count,
                              out=np.zeros(n_users), where=user_count > 0)
    return Biases(mean, user_bias, movie_bias)


def age_bands(ages: np.ndarray) -> list[str]:
    """MovieLens 1M's age bands (under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+) as labels that sort in order."""
    edges, names = [18, 25, 35, 45, 50, 56], ["00-17", "18-24", "25-34", "35-44", "45-49", "50-55", "56+"]
    return [names[i] for i in np.searchsorted(edges, _array("ages", ages), side="right")]


@dataclass(frozen=True)
class SideFeatures:
    """Categorical facts about each user, as integer codes (users x fields), and how many values each field has."""
    codes: np.ndarray
    sizes: tuple[int, ...]

    @classmethod
    def from_columns(cls, columns: Mapping[str, list]) -> "SideFeatures":
        """One code per distinct value of each column (values sorted, so codes are the same run after run)."""
        check_type("columns", columns, Mapping, "a mapping of field name to one value per user")
        codes, sizes = [], []
        for name in columns:
            values = list(columns[name])
            vocabulary = {v: i for i, v in enumerate(sorted(set(values)))}
            codes.append([vocabulary[v] for v in values])
            sizes.append(len(vocabulary))
        lengths = {len(c) for c in codes}
        if len(lengths) != 1:
            raise ValueError(f"every column needs one value per user; lengths found: {sorted(lengths)}")
        return cls(np.array(codes, dtype=np.int64).T, tuple(sizes))


class _FixedSparseProduct(torch.autograd.Function):
    """matrix @ table for a fixed sparse matrix (no gradient); the backward multiplies by its stored transpose
    instead of transposing it again at every step."""

    @staticmethod
    def forward(ctx, table, matrix, transpose):
        ctx.transpose = transpose
        return matrix @ table

    @staticmethod
    def backward(ctx, grad):
        return ctx.transpose @ grad, None, None


USER_PARTS = ("user", "user_bias", "feature", "feature_bias", "history")  # the rest belong to the movie


class Factorisation(nn.Module):
    """rating = low + (high - low) * sigmoid(mean + user bias + movie bias + user vector . movie vector).

    With side features, a user's vector and bias are the sum of their id's row and one row per categorical
    field (age band, gender, ...), so a user with few ratings still gets a vector from people like them.
    With movie_genres (bool, movies x genres), a movie's vector and bias add the mean of its genres' rows.
    With rated (the training part's users and movies), a user's vector adds the mean of a second table's rows
    for the movies they rated: what someone chose to watch is a multi-hot categorical feature (as in SVD++).
    """

    def __init__(self, n_users: int, n_movies: int, factors: int, rating_range: tuple[float, float] = (0.5, 5.5),
                 mean_rating: float = 3.5, side_features: SideFeatures | None = None, init_std: float = 0.01,
                 movie_genres: np.ndarray | None = None, rated: tuple[np.ndarray, np.ndarray] | None = None):
        super().__init__()
        check_int("n_users", n_users, minimum=1)
        check_int("n_movies", n_movies, minimum=1)
        check_int("factors", factors, minimum=1)
        check_number("init_std", init_std, minimum=0.0)
        low, high = rating_range
        if not low < mean_rating < high:
            raise ValueError(f"mean_rating {mean_rating} must lie inside rating_range {rating_range}")
        self.low, self.high = float(low), float(high)
        self.user_vectors = nn.Embedding(n_users, factors)
        self.movie_vectors = nn.Embedding(n_movies, factors)
        self.user_bias = nn.Embedding(n_users, 1)
        self.movie_bias = nn.Embedding(n_movies, 1)
        tables = [self.user_vectors, self.movie_vectors, self.user_bias, self.movie_bias]
        self.feature_vectors = self.feature_bias = None
        if side_features is not None:
            check_type("side_features", side_features, SideFeatures, "SideFeatures")
            if len(side_features.codes) != n_users:
                raise ValueError(f"side_features has {len(side_features.codes)} users, the model {n_users}")
            offsets = np.cumsum((0,) + side_features.sizes[:-1])  # one shared table, a block per field
            self.register_buffer("feature_ids", torch.as_tensor(side_features.codes + offsets))
            self.feature_vectors = nn.Embedding(sum(side_features.sizes), factors)
            self.feature_bias = nn.Embedding(sum(side_features.sizes), 1)
            tables += [self.feature_vectors, self.feature_bias]
        self.genre_vectors = self.genre_bias = None
        if movie_genres is not None:
            genres = np.asarray(movie_genres, dtype=np.float32)
            if genres.ndim != 2 or len(genres) != n_movies:
                raise ValueError(f"movie_genres must be movies x genres with {n_movies} rows, got {genres.shape}")
            weights = genres / np.maximum(genres.sum(1, keepdims=True), 1.0)  # a movie averages its genres' rows
            self.register_buffer("genre_weights", torch.as_tensor(weights))
            self.genre_vectors = nn.Embedding(genres.shape[1], factors)
            self.genre_bias = nn.Embedding(genres.shape[1], 1)
            tables += [self.genre_vectors, self.genre_bias]
        self.history_vectors = self.history = None
        if rated is not None:
            check_type("rated", rated, tuple, "a (users, movies) tuple")
            if len(rated) != 2:
                raise ValueError(f"rated must be a (users, movies) pair, got {len(rated)} items")
            rated_users, rated_movies = _array("rated users", rated[0]), _array("rated movies", rated[1])
            if len(rated_users) != len(rated_movies):
                raise ValueError(f"rated users and movies differ in length: {len(rated_users)}, {len(rated_movies)}")
            if len(rated_users) and (min(rated_users.min(), rated_movies.min()) < 0
                                     or rated_users.max() >= n_users or rated_movies.max() >= n_movies):
                raise ValueError("rated holds an id outside the model's users or movies")
            count = np.bincount(rated_users, minlength=n_users)
            matrix = torch.sparse_coo_tensor(  # users x movies, 1 / count where the user rated the movie
                torch.as_tensor(np.stack([rated_users, rated_movies])),
                torch.as_tensor(1.0 / count[rated_users], dtype=torch.float32), (n_users, n_movies),
                check_invariants=True).coalesce()
            with warnings.catch_warnings():  # torch calls sparse CSR "beta"; only its product with a table is used
                warnings.simplefilter("ignore", UserWarning)
                self.history = (matrix.to_sparse_csr(), matrix.t().coalesce().to_sparse_csr())
            self.history_vectors = nn.Embedding(n_movies, factors)
            tables += [self.history_vectors]
        for table in tables:
            nn.init.normal_(table.weight, std=init_std)
        # the logit at which the sigmoid gives the mean rating: training starts from the global mean
        self.offset = float(np.log((mean_rating - low) / (high - mean_rating)))

    def rows(self) -> dict[str, torch.Tensor]:
        """Every user's and every movie's rows, by table: users (or movies) x factors for vectors, x fields x
        factors for side features, and one number each for biases."""
        found = {"user": self.user_vectors.weight, "movie": self.movie_vectors.weight,
                 "user_bias": self.user_bias.weight.squeeze(-1), "movie_bias": self.movie_bias.weight.squeeze(-1)}
        if self.feature_vectors is not None:
            found["feature"] = self.feature_vectors.weight[self.feature_ids]  # users x fields x factors
            found["feature_bias"] = self.feature_bias.weight[self.feature_ids].squeeze(-1)
        if self.genre_vectors is not None:
            found["genre"] = self.genre_weights @ self.genre_vectors.weight
            found["genre_bias"] = (self.genre_weights @ self.genre_bias.weight).squeeze(-1)
        if self.history_vectors is not None:
            found["history"] = _FixedSparseProduct.apply(self.history_vectors.weight, *self.history)
        return found

    def parts(self, users: torch.Tensor, movies: torch.Tensor) -> dict[str, torch.Tensor]:
        """The rows a batch looks up, by table: vectors (batch x factors) and biases (batch)."""
        return {name: rows[users if name in USER_PARTS else movies] for name, rows in self.rows().items()}

    def forward(self, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
        return self.score(*self.totals(self.rows()), users, movies)

    def totals(self, rows: Mapping[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
        """Each user's and each movie's vector and bias, summed over its rows: (users x factors, users,
        movies x factors, movies). Summing once per table is cheaper than once per rating."""
        user, user_bias = rows["user"], rows["user_bias"]
        if "feature" in rows:
            user, user_bias = user + rows["feature"].sum(-2), user_bias + rows["feature_bias"].sum(-1)
        if "history" in rows:
            user = user + rows["history"]
        movie, movie_bias = rows["movie"], rows["movie_bias"]
        if "genre" in rows:
            movie, movie_bias = movie + rows["genre"], movie_bias + rows["genre_bias"]
        return user, user_bias, movie, movie_bias

    def score(self, user, user_bias, movie, movie_bias, users: torch.Tensor, movies: torch.Tensor) -> torch.Tensor:
        """Predicted ratings of (users, movies) pairs from the summed tables."""
        logit = self.offset + user_bias[users] + movie_bias[movies] + (user[users] * movie[movies]).sum(-1)
        return self.low + (self.high - self.low) * torch.sigmoid(logit)

    def combine(self, parts: Mapping[str, torch.Tensor]) -> torch.Tensor:
        """Predicted ratings from the looked-up rows (what forward computes, one rating at a time)."""
        batch = torch.arange(len(parts["user"]))
        return self.score(*self.totals(parts), batch, batch)


def row_penalty(parts: Mapping[str, torch.Tensor], bias_weight: float = 1.0) -> torch.Tensor:
    """Mean over the batch of the squared length of every row each rating looked up (biases times bias_weight)."""
    total = 0.0
    for name, rows in parts.items():
        weight = bias_weight if name.endswith("bias") else 1.0
        if weight:
            total = total + weight * rows.pow(2).reshape(len(rows), -1).sum(-1)
    return total.mean()


def fit_factorisation(model: Factorisation, users: np.ndarray, movies: np.ndarray, ratings: np.ndarray,
                      epochs: int, weight_decay: float, decay: str = "batch", lr: float = 0.02,
                      batch_size: int | None = None, seed: int = 0, schedule: str = "constant",
                      val: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                      bias_decay: float | None = None) -> list[float]:
    """Train with Adam on squared error; returns the validation RMSE after each epoch (empty without val).

    decay="batch": a penalty weight_decay * (|user row|^2 + |movie row|^2) on the rows each rating looks up,
    so a row pays in proportion to how often it is used, and rows outside the batch are not touched;
    bias_decay (None: the same as weight_decay) is the penalty's weight on the biases.
    decay="dense": the optimizer's weight_decay, which shrinks every row of every table at every step.
    batch_size=None trains full-batch (one step per epoch).
    schedule="one-cycle": the learning rate warms up to lr and anneals to near zero over all the epochs.
    """
    check_type("model", model, Factorisation, "a Factorisation")
    check_int("epochs", epochs, minimum=1)
    check_number("weight_decay", weight_decay, minimum=0.0)
    check_choice("decay", decay, DECAY_MODES)
    check_number("lr", lr, positive=True)
    check_int("batch_size", batch_size, minimum=1, optional=True)
    check_int("seed", seed, minimum=0)
    check_choice("schedule", schedule, SCHEDULES)
    check_number("bias_decay", bias_decay, minimum=0.0, optional=True)
    u, m, r = _tensors(users, movies, ratings)
    if decay == "dense":  # decoupled (AdamW): Adam's own weight_decay would be rescaled by its step size
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
    else:  # fused: one kernel for all the tables' updates, several times faster than one per tensor
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    generator = torch.Generator().manual_seed(seed)
    size = len(r) if batch_size is None else min(batch_size, len(r))
    scheduler = None
    if schedule == "one-cycle":
        steps = epochs * -(-len(r) // size)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    history = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(r), generator=generator) if size < len(r) else torch.arange(len(r))
        for start in range(0, len(r), size):
            batch = order[start:start + size]
            penalty = weight_decay if decay == "batch" else 0.0
            bias_penalty = penalty if bias_decay is None or decay != "batch" else bias_decay
            loss = _loss(model, u[batch], m[batch], r[batch], penalty, bias_penalty)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        if val is not None:
            history.append(rmse(predict(model, val[0], val[1]), val[2]))
    return history


def predict(model: Factorisation, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
    """Predicted ratings as a float64 NumPy array."""
    check_type("model", model, Factorisation, "a Factorisation")
    u, m = torch.as_tensor(_array("users", users)), torch.as_tensor(_array("movies", movies))
    model.eval()
    with torch.no_grad():
        return model(u, m).double().numpy()


def _loss(model: Factorisation, users: torch.Tensor, movies: torch.Tensor, ratings: torch.Tensor,
          penalty: float, bias_penalty: float) -> torch.Tensor:
    """Squared error plus the penalty of row_penalty(model.parts(users, movies)), computed from whole tables:
    each user's (and movie's) squared row lengths once, times the number of the batch's ratings that use them."""
    rows = model.rows()
    loss = torch.mean((model.score(*model.totals(rows), users, movies) - ratings) ** 2)
    length = {"user": 0.0, "movie": 0.0}  # weighted squared length of all the rows of each user, each movie
    for name, table in rows.items():
        weight = bias_penalty if name.endswith("bias") else penalty
        if weight:
            side = "user" if name in USER_PARTS else "movie"
            length[side] = length[side] + weight * table.pow(2).reshape(len(table), -1).sum(-1)
    for side, ids in (("user", users), ("movie", movies)):
        if torch.is_tensor(length[side]):
            uses = torch.bincount(ids, minlength=len(length[side])).to(length[side].dtype)
            loss = loss + uses @ length[side] / len(ids)
    return loss


def surprise_svd(train: tuple[np.ndarray, np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
                 seed: int = 0, **params) -> np.ndarray:
    """scikit-surprise's SVD (Funk's SGD factorisation) fitted on train (users, movies, ratings), seeded, and
    its predictions for the test (users, movies) pairs; params go to surprise.SVD (n_factors, reg_all, ...).

    Predictions follow SVD.estimate: global mean + the biases and the dot product of whatever is known, clipped to
    1-5; computed for all pairs at once instead of one Python call per rating.
    """
    from surprise import SVD

    check_int("seed", seed, minimum=0)
    trainset = _surprise_trainset(*(t.numpy() for t in _tensors(*train)))
    algo = SVD(random_state=seed, **params).fit(trainset)
    users, movies = _array("users", test[0]), _array("movies", test[1])
    if len(users) != len(movies):
        raise ValueError(f"test users and movies differ in length: {len(users)} vs {len(movies)}")
    inner_user = np.array([trainset._raw2inner_id_users.get(u, -1) for u in users.tolist()], dtype=np.int64)
    inner_movie = np.array([trainset._raw2inner_id_items.get(m, -1) for m in movies.tolist()], dtype=np.int64)
    known_user, known_movie = inner_user >= 0, inner_movie >= 0
    both = known_user & known_movie
    guess = np.full(len(users), trainset.global_mean)
    if algo.biased:
        guess[known_user] += algo.bu[inner_user[known_user]]
        guess[known_movie] += algo.bi[inner_movie[known_movie]]
    guess[both] += np.sum(algo.pu[inner_user[both]] * algo.qi[inner_movie[both]], axis=1)
    return np.clip(guess, *trainset.rating_scale)


_TRAINSETS: dict[bytes, object] = {}


def _surprise_trainset(users: np.ndarray, movies: np.ndarray, ratings: np.ndarray):
    """Surprise's Trainset for these ratings, built once per distinct training set (building it is pure Python)."""
    from surprise import Dataset, Reader

    key = hashlib.sha1(b"".join(a.tobytes() for a in (users, movies, ratings))).digest()
    if key not in _TRAINSETS:
        raw = list(zip(users.tolist(), movies.tolist(), ratings.tolist(), [None] * len(ratings)))
        _TRAINSETS.clear()  # keep one: a notebook scores several seeds on one split, then moves on
        _TRAINSETS[key] = Dataset(Reader(rating_scale=(1, 5))).construct_trainset(raw)
    return _TRAINSETS[key]


def _tensors(users, movies, ratings) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    u, m = _array("users", users), _array("movies", movies)
    r = np.asarray(ratings, dtype=np.float32)
    if not len(u) == len(m) == len(r):
        raise ValueError(f"users, movies and ratings differ in length: {len(u)}, {len(m)}, {len(r)}")
    return torch.as_tensor(u), torch.as_tensor(m), torch.as_tensor(r)


def _array(name: str, values) -> np.ndarray:
    array = np.asarray(values.numpy() if isinstance(values, torch.Tensor) else values)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-d array of integer ids, got {array.dtype} with shape {array.shape}")
    return array.astype(np.int64, copy=False)


def _errors(predictions, targets) -> np.ndarray:
    p = np.asarray(predictions.detach().numpy() if isinstance(predictions, torch.Tensor) else predictions,
                   dtype=np.float64).ravel()
    t = np.asarray(targets.detach().numpy() if isinstance(targets, torch.Tensor) else targets,
                   dtype=np.float64).ravel()
    if len(p) != len(t) or len(p) == 0:
        raise ValueError(f"predictions and targets must be non-empty and equal in length: {len(p)} vs {len(t)}")
    return p - t
