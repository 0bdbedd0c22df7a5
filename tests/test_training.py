"""Unit tests for helpers.training and helpers.reproducibility."""
import random
import re

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from helpers.reproducibility import get_device, seed_everything
from helpers.training import History, accuracy, evaluate, fit, predict_logits


def separable_loaders(n: int = 200):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, 2, generator=generator)
    y = (x[:, 0] + x[:, 1] > 0).long()
    data = TensorDataset(x, y)
    return (DataLoader(data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0)),
            DataLoader(data, batch_size=64))


def test_accuracy_binary_and_multiclass():
    assert accuracy(torch.tensor([2.0, -1.0, 0.5]), torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(torch.tensor([[0.1, 0.9], [0.8, 0.2]]), torch.tensor([1, 1])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="batch size"):
        accuracy(torch.zeros(3), torch.zeros(2))


def test_fit_learns_records_history_and_prints_one_line_per_epoch(capsys):
    torch.manual_seed(0)
    train, val = separable_loaders()
    model = nn.Linear(2, 2)
    history = fit(model, train, val, torch.optim.Adam(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), epochs=5)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[0].startswith("epoch  1/5 | train loss")
    assert len(history.val_acc) == 5 and history.val_acc[-1] > 0.9
    assert history.train_loss[-1] < history.train_loss[0]
    loss, acc = evaluate(model, val, nn.CrossEntropyLoss())
    assert acc == pytest.approx(history.val_acc[-1]) and loss == pytest.approx(history.val_loss[-1])


def test_fit_is_deterministic_given_seeds():
    results = []
    for _ in range(2):
        torch.manual_seed(0)
        train, val = separable_loaders()
        model = nn.Linear(2, 2)
        results.append(fit(model, train, val, torch.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                           epochs=2, verbose=False).train_loss)
    assert results[0] == results[1]


def test_early_stopping_restores_best_weights():
    torch.manual_seed(0)
    train, val = separable_loaders()
    model = nn.Linear(2, 2)
    # a huge learning rate makes validation loss jump about, so patience triggers
    history = fit(model, train, val, torch.optim.SGD(model.parameters(), lr=50.0), nn.CrossEntropyLoss(),
                  epochs=30, patience=2, verbose=False)
    assert len(history.val_loss) < 30
    best_loss, _ = evaluate(model, val, nn.CrossEntropyLoss())
    assert best_loss == pytest.approx(min(history.val_loss))
    assert history.best_epoch == 1 + int(np.argmin(history.val_loss))


def test_predict_logits_returns_all_rows_in_order():
    _, val = separable_loaders(100)
    model = nn.Linear(2, 3)
    logits, targets = predict_logits(model, val)
    assert logits.shape == (100, 3) and torch.equal(targets, val.dataset.tensors[1])
    with torch.no_grad():
        assert torch.allclose(logits, model(val.dataset.tensors[0]))
    assert not logits.requires_grad and not model.training
    with pytest.raises(TypeError, match=re.escape("loader must be a torch.utils.data.DataLoader, got list")):
        predict_logits(model, [(torch.zeros(1, 2), torch.zeros(1))])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"epochs": 0}, ValueError, "epochs must be at least 1, got 0"),
    ({"epochs": 2.0}, TypeError, "epochs must be an integer, got 2.0 (float)"),
    ({"epochs": True}, TypeError, "epochs must be an integer, got True (bool)"),
    ({"epochs": 2, "patience": 0}, ValueError, "patience must be at least 1, got 0"),
    ({"epochs": 2, "patience": 1.5}, TypeError, "patience must be an integer or None, got 1.5 (float)"),
    ({"epochs": 2, "patience": True}, TypeError, "patience must be an integer or None, got True (bool)"),
    ({"epochs": 2, "verbose": 1}, TypeError, "verbose must be True or False, got 1 (int)"),
    ({"epochs": 1, "train_loader": [1, 2]}, TypeError, "train_loader must be a torch.utils.data.DataLoader, got list"),
    ({"epochs": 1, "val_loader": None}, TypeError, "val_loader must be a torch.utils.data.DataLoader, got NoneType"),
    ({"epochs": 1, "optimizer": "adam"}, TypeError, "optimizer must be a torch.optim.Optimizer, got str"),
])
def test_fit_bad_input(kwargs, error, match):
    train, val = separable_loaders()
    model = nn.Linear(2, 2)
    args = {"model": model, "train_loader": train, "val_loader": val, "loss_fn": nn.CrossEntropyLoss(),
            "optimizer": torch.optim.SGD(model.parameters(), lr=0.1), **kwargs}
    with pytest.raises(error, match=re.escape(match)):
        fit(**args)


def test_seed_everything_repeats_every_generator():
    draws = []
    for _ in range(2):
        seed_everything(7)
        draws.append((random.random(), float(np.random.rand()), float(torch.rand(1))))
    assert draws[0] == draws[1]
    with pytest.raises(ValueError, match=re.escape("seed must be at least 0, got -1")):
        seed_everything(-1)
    with pytest.raises(TypeError, match=re.escape("seed must be an integer, got 7.0 (float)")):
        seed_everything(7.0)
    with pytest.raises(TypeError, match=re.escape("seed must be an integer, got True (bool)")):
        seed_everything(True)


def test_get_device_defaults_to_cpu():
    assert get_device() == torch.device("cpu")
    with pytest.raises(TypeError, match=re.escape("prefer_gpu must be True or False, got 'cuda' (str)")):
        get_device("cuda")


def test_history_defaults_are_independent():
    a, b = History(), History()
    a.train_loss.append(1.0)
    assert b.train_loss == []


def test_setup_notebook_limits_threads_and_validates():
    from threadpoolctl import threadpool_info

    from helpers.reproducibility import setup_notebook

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)  # the suite runs on one thread (conftest.py): start from another count
        setup_notebook(seed=0)
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
        with pytest.raises(ValueError, match=re.escape("threads must be at least 1, got 0")):
            setup_notebook(threads=0)
        with pytest.raises(TypeError, match=re.escape("threads must be an integer or None, got True (bool)")):
            setup_notebook(threads=True)
    finally:
        torch.set_num_threads(before)
