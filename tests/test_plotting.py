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


HISTORY = dict(train_loss=[1.0, 0.5, 0.4], train_acc=[0.5, 0.8, 0.9], val_loss=[1.1, 0.7, 0.8],
               val_acc=[0.4, 0.7, 0.65])


def test_plot_history_draws_train_and_validation_curves_and_marks_the_best_epoch():
    history = History(**HISTORY, best_epoch=2)
    ax_loss, ax_acc = plot_history(history, title="run")
    assert ax_loss.figure is ax_acc.figure and ax_loss.figure.get_suptitle() == "run"
    assert (ax_loss.get_ylabel(), ax_acc.get_ylabel()) == ("loss", "accuracy")
    for ax, metric in ((ax_loss, "loss"), (ax_acc, "acc")):
        train, val, best = ax.lines
        assert list(train.get_xdata()) == [1, 2, 3] and list(train.get_ydata()) == HISTORY[f"train_{metric}"]
        assert list(val.get_ydata()) == HISTORY[f"val_{metric}"]
        assert list(best.get_xdata()) == [2, 2]  # a vertical line at the best epoch
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation", "best epoch 2"]


def test_plot_history_without_a_best_epoch_draws_no_marker():
    ax_loss, ax_acc = plot_history(History(**HISTORY))  # best_epoch 0: not recorded
    assert [len(ax.lines) for ax in (ax_loss, ax_acc)] == [2, 2]


def test_plot_history_draws_on_given_axes():
    fig, axes = plt.subplots(2, 2)
    returned = plot_history(History(**HISTORY, best_epoch=1), axes=(axes[1, 0], axes[1, 1]))
    assert returned == (axes[1, 0], axes[1, 1])
    assert [len(ax.lines) for ax in axes.flat] == [0, 0, 3, 3]
    assert len(fig.axes) == 4  # no new figure or axes


def test_plot_history_bad_input():
    with pytest.raises(ValueError, match="the history is empty"):
        plot_history(History())
    with pytest.raises(TypeError, match="history must be a History from fit\\(\\), got dict"):
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
