"""Unit tests for helpers.plotting."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plotting import heatmap, plot_history, scatter_2d  # noqa: E402
from helpers.training import History  # noqa: E402


def teardown_function():
    plt.close("all")


def test_plot_history_draws_train_and_validation_curves():
    history = History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.8], val_loss=[1.1, 0.7], val_acc=[0.4, 0.7])
    fig = plot_history(history, title="run")
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert list(fig.axes[0].lines[1].get_ydata()) == [1.1, 0.7]
    with pytest.raises(ValueError, match="empty"):
        plot_history(History())
    with pytest.raises(TypeError, match="History"):
        plot_history({"train_loss": [1.0]})


def test_heatmap_labels_and_symmetric_colour_limits():
    ax = heatmap(np.array([[1.0, -3.0], [2.0, 0.5]]), row_labels=["a", "b"], col_labels=["x", "y"])
    assert ax.images[0].get_clim() == (-3.0, 3.0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    with pytest.raises(ValueError, match="2-D"):
        heatmap(np.zeros(3))
    with pytest.raises(ValueError, match="1 row labels for 2 rows"):
        heatmap(np.zeros((2, 2)), row_labels=["a"])


def test_scatter_2d_one_collection_per_group_in_sorted_order():
    points = np.arange(8, dtype=float).reshape(4, 2)
    ax = scatter_2d(points, ["w", "x", "y", "z"], groups=["b", "a", "b", "a"])
    assert [c.get_label() for c in ax.collections] == ["a", "b"]
    assert [t.get_text() for t in ax.texts] == ["x", "z", "w", "y"]
    with pytest.raises(ValueError, match=r"shape \[N, 2\]"):
        scatter_2d(np.zeros((3, 3)), ["a", "b", "c"])
    with pytest.raises(ValueError, match="2 labels for 4 points"):
        scatter_2d(points, ["a", "b"])
    with pytest.raises(ValueError, match="groups"):
        scatter_2d(points, list("abcd"), groups=["a"])
