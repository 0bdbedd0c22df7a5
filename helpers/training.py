"""Training: the loop of notebook 04 (zero_grad, forward, loss, backward, step) as fit, with evaluation and history."""
import copy
import time
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.utils.data import DataLoader

from helpers.validation import check_bool, check_int, check_type


@dataclass
class History:
    """Per-epoch metrics from `fit`, the epoch with the best validation loss, and the wall-clock seconds."""
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of correct predictions: logits [B] are binary (positive when > 0), logits [B, C] take the argmax."""
    if logits.shape[0] != targets.shape[0]:
        raise ValueError(f"logits and targets disagree on the batch size: {logits.shape[0]} vs {targets.shape[0]}")
    predictions = (logits > 0).long() if logits.dim() == 1 else logits.argmax(dim=1)
    return (predictions == targets.long()).float().mean().item()


@torch.no_grad()
def predict_logits(model: nn.Module, loader: DataLoader, device: torch.device | str = "cpu",
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """All logits and targets of a loader whose batches are (*inputs, targets), in eval mode."""
    check_type("loader", loader, DataLoader, "a torch.utils.data.DataLoader")
    model.eval()
    logits, targets = [], []
    for *inputs, y in loader:
        logits.append(model(*(x.to(device) for x in inputs)).cpu())
        targets.append(y)
    return torch.cat(logits), torch.cat(targets)


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: nn.Module,
             device: torch.device | str = "cpu") -> tuple[float, float]:
    """Mean loss and accuracy of `model` over a loader."""
    logits, targets = predict_logits(model, loader, device)
    return loss_fn(logits, targets).item(), accuracy(logits, targets)


def fit(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader, optimizer: torch.optim.Optimizer,
        loss_fn: nn.Module, epochs: int, device: torch.device | str = "cpu", patience: int | None = None,
        verbose: bool = True) -> History:
    """Train for up to `epochs`; with `patience`, stop once validation loss has not improved for that many
    epochs and restore the best weights. Batches are (*inputs, targets) and the model takes the inputs.

    Each epoch is the loop notebook 04 writes in the open (model.train(); per batch zero_grad, forward, loss,
    backward, step), then `evaluate` on the validation loader (eval mode, no_grad). Train accuracy is the running
    mean over the epoch's batches in train mode (dropout on, weights still moving), not a re-evaluation.
    """
    check_type("train_loader", train_loader, DataLoader, "a torch.utils.data.DataLoader")
    check_type("val_loader", val_loader, DataLoader, "a torch.utils.data.DataLoader")
    check_type("optimizer", optimizer, torch.optim.Optimizer, "a torch.optim.Optimizer")
    check_int("epochs", epochs, minimum=1)
    check_int("patience", patience, minimum=1, optional=True)
    check_bool("verbose", verbose)
    history, best_state, start = History(), None, time.perf_counter()
    model.to(device)
    for epoch in range(1, epochs + 1):
        model.train()
        total_loss, correct, seen = 0.0, 0.0, 0
        for *inputs, y in train_loader:
            y = y.to(device)
            logits = model(*(x.to(device) for x in inputs))
            loss = loss_fn(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += accuracy(logits.detach(), y) * len(y)
            seen += len(y)
        val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
        history.train_loss.append(total_loss / seen)
        history.train_acc.append(correct / seen)
        history.val_loss.append(val_loss)
        history.val_acc.append(val_acc)
        if verbose:
            print(f"epoch {epoch:2d}/{epochs} | train loss {total_loss / seen:.3f} acc {correct / seen:.3f}"
                  f" | val loss {val_loss:.3f} acc {val_acc:.3f}")
        if val_loss <= min(history.val_loss):
            history.best_epoch, best_state = epoch, copy.deepcopy(model.state_dict())
        elif patience is not None and epoch - history.best_epoch >= patience:
            if verbose:
                print(f"early stop: no validation improvement for {patience} epochs; best epoch {history.best_epoch}")
            break
    if patience is not None and best_state is not None:
        model.load_state_dict(best_state)
    history.seconds = time.perf_counter() - start
    return history
