"""Reproducibility: one call seeds everything and sets print and plot defaults; a device helper."""
import os
import random

import numpy as np
import torch

from helpers.validation import check_bool, check_int


def seed_everything(seed: int = 0) -> None:
    """Seed Python's, NumPy's and PyTorch's random generators."""
    check_int("seed", seed, minimum=0)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_notebook(seed: int = 0, threads: int | None = 1) -> None:
    """What every notebook's first cell calls: seed, one compute thread, short printing, PNG figures sized for a projector (110 dpi, 11 pt).

    One thread by default: the test suite runs two notebooks at once on two cores, where more threads per
    notebook make small models many times slower; it also keeps float sums in one order, run after run.
    """
    check_int("threads", threads, minimum=1, optional=True)
    seed_everything(seed)
    if threads is not None:
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(threads)
        threadpool_limits(threads)  # NumPy's and scikit-learn's BLAS and OpenMP pools too
    torch.set_printoptions(precision=3, sci_mode=False)
    np.set_printoptions(precision=3, suppress=True)
    import matplotlib as mpl

    mpl.rcParams.update({"figure.figsize": (6, 3.5), "figure.dpi": 110, "savefig.dpi": 110,
                         "axes.grid": True, "grid.alpha": 0.3, "font.size": 11})
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
    check_bool("prefer_gpu", prefer_gpu)
    return torch.device("cuda" if prefer_gpu and torch.cuda.is_available() else "cpu")
