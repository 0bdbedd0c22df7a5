"""Unit tests for helpers.datasets.load_movielens_100k: the MovieLens 100k files shipped inside recbole."""
import numpy as np
import pytest

from helpers import datasets
from helpers.datasets import load_movielens_100k


@pytest.fixture(scope="module")
def movielens():
    return load_movielens_100k()


def test_counts_and_id_ranges(movielens):
    d = movielens
    assert len(d.ratings) == len(d.users) == len(d.movies) == len(d.timestamps) == 100_000
    assert (d.users.min(), d.users.max()) == (0, 942) and len(np.unique(d.users)) == 943
    assert (d.movies.min(), d.movies.max()) == (0, 1681)
    assert len(d.titles) == len(d.years) == len(d.genres) == 1_682
    assert len(d.ages) == len(d.genders) == len(d.occupations) == 943
    assert d.users.dtype == d.movies.dtype == np.int64 and d.ratings.dtype == np.float32


def test_values_are_what_the_documentation_describes(movielens):
    d = movielens
    assert sorted(np.unique(d.ratings).tolist()) == [1, 2, 3, 4, 5]
    assert np.bincount(d.users).min() >= 20  # GroupLens kept only users with at least 20 ratings
    assert len({(u, m) for u, m in zip(d.users.tolist(), d.movies.tolist())}) == 100_000  # no repeated pair
    assert set(d.genders) == {"F", "M"} and len(set(d.occupations)) == 21
    assert d.titles[0] == "Toy Story" and d.years[0] == 1995
    assert "Animation" in d.genre_names and d.genres[0, d.genre_names.index("Animation")]
    assert d.genres.dtype == bool and d.genres.shape == (1_682, len(d.genre_names))
    assert list(d.genre_names) == sorted(d.genre_names)


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(datasets.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"recbole==1\.2\.1.*pip install --no-deps"):
        load_movielens_100k()
