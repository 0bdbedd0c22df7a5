"""Reproducibility: one call seeds everything and sets print and plot defaults; a device helper."""
import os
import random

import numpy as np
import torch


def seed_everything(seed: int = 0) -> None:
    """Seed Python's, NumPy's and PyTorch's random generators."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_notebook(seed: int = 0, threads: int | None = 1) -> None:
    """What every notebook's first cell calls: seed, one compute thread, short printing, small PNG figures.

    One thread by default: the test suite runs two notebooks at once on two cores, where more threads per
    notebook make small models many times slower; it also keeps float sums in one order, run after run.
    """
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be None or a positive integer, got {threads!r}")
    seed_everything(seed)
    if threads is not None:
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(threads)
        threadpool_limits(threads)  # NumPy's and scikit-learn's BLAS and OpenMP pools too
    torch.set_printoptions(precision=3, sci_mode=False)
    np.set_printoptions(precision=3, suppress=True)
    import matplotlib as mpl

    mpl.rcParams.update({"figure.figsize": (6, 3.5), "figure.dpi": 80, "savefig.dpi": 80,
                         "axes.grid": True, "grid.alpha": 0.3, "font.size": 10})
    try:  # inside a kernel: PNG output without a 'Software' stamp, so stored images change only with the plot
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.run_line_magic("matplotlib", "inline")
            shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
            shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Software': None}}")
    except ImportError:
        pass
    os.environ.setdefault("PYTHONHASHSEED", str(seed))  # for subprocesses; this process's hashing is already set


def get_device(prefer_gpu: bool = False) -> torch.device:
    """The CPU, unless prefer_gpu is True and a CUDA device is available (stored outputs come from the CPU)."""
    if not isinstance(prefer_gpu, bool):
        raise TypeError(f"prefer_gpu must be True or False, got {type(prefer_gpu).__name__}")
    return torch.device("cuda" if prefer_gpu and torch.cuda.is_available() else "cpu")
