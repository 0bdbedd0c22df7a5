"""Plotting: training curves, heatmaps and labelled 2-D scatter plots, with matplotlib."""
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from helpers.training import History
from helpers.validation import check_type


def plot_history(history: History, title: str = "", axes: Sequence[plt.Axes] | None = None,
                 ) -> tuple[plt.Axes, plt.Axes]:
    """Loss and accuracy per epoch, training against validation, side by side; the best epoch marked."""
    check_type("history", history, History, "a History from fit()")
    if not history.train_loss:
        raise ValueError("the history is empty: train for at least one epoch")
    epochs = range(1, len(history.train_loss) + 1)
    if axes is None:
        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2))
    else:
        ax_loss, ax_acc = axes
        fig = ax_loss.figure
    for ax, metric in ((ax_loss, "loss"), (ax_acc, "acc")):
        ax.plot(epochs, getattr(history, f"train_{metric}"), "o-", label="train")
        ax.plot(epochs, getattr(history, f"val_{metric}"), "o-", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy" if metric == "acc" else "loss")
        if history.best_epoch:
            ax.axvline(history.best_epoch, color="grey", linestyle=":", label=f"best epoch {history.best_epoch}")
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return ax_loss, ax_acc


def heatmap(matrix: np.ndarray, row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
            title: str = "", cmap: str = "RdBu_r", annotate: bool = False, ax: plt.Axes | None = None) -> plt.Axes:
    """A 2-D array as a colour grid with a colour bar; diverging colours centred on 0 unless cmap says otherwise."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D array, got shape {matrix.shape}")
    for labels, n, what in ((row_labels, matrix.shape[0], "row"), (col_labels, matrix.shape[1], "column")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{len(labels)} {what} labels for {n} {what}s")
    ax = ax or plt.subplots(figsize=(min(12, max(4.5, 1.5 + 0.45 * matrix.shape[1])),
                                     min(8, max(3.5, 1 + 0.4 * matrix.shape[0]))))[1]
    limit = np.abs(matrix).max() or 1.0
    diverging = cmap in ("RdBu_r", "RdBu", "coolwarm", "bwr", "seismic")
    image = ax.imshow(matrix, cmap=cmap, aspect="auto",
                      **({"vmin": -limit, "vmax": limit} if diverging else {}))
    ax.figure.colorbar(image, ax=ax)
    if row_labels is not None:
        ax.set_yticks(range(len(row_labels)), row_labels)
    if col_labels is not None:
        ax.set_xticks(range(len(col_labels)), col_labels, rotation=45, ha="right")
    if annotate:
        low, high = image.get_clim()
        for (i, j), value in np.ndenumerate(matrix):
            strong = abs(value) > 0.6 * limit if diverging else (value - low) > 0.6 * (high - low or 1.0)
            ax.text(j, i, f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}",
                    ha="center", va="center", fontsize=10, color="white" if strong else "black")
    ax.grid(False)
    ax.set_title(title)
    return ax


def scatter_2d(points: np.ndarray, labels: Sequence[str], groups: Sequence[str] | None = None, title: str = "",
               ax: plt.Axes | None = None, fontsize: int = 10) -> plt.Axes:
    """Points [N, 2] with a text label each, coloured by group (groups in sorted order for stable colours)."""
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape [N, 2], got {points.shape}")
    if len(labels) != len(points):
        raise ValueError(f"{len(labels)} labels for {len(points)} points")
    if groups is not None and len(groups) != len(points):
        raise ValueError(f"{len(groups)} groups for {len(points)} points")
    ax = ax or plt.subplots(figsize=(7, 5.5))[1]
    names = sorted(set(groups)) if groups is not None else [None]
    colours = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    for k, name in enumerate(names):
        idx = [i for i in range(len(points)) if groups is None or groups[i] == name]
        ax.scatter(points[idx, 0], points[idx, 1], s=14, color=colours(k % colours.N), label=name)
        for i in idx:
            ax.annotate(labels[i], points[i], fontsize=fontsize, xytext=(2, 2), textcoords="offset points")
    if groups is not None:
        ax.legend(fontsize=10, loc="best", markerscale=1.5)
    ax.set_title(title)
    return ax
