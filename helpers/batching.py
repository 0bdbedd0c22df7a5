"""Batching variable-length sequences: a padding collate function for DataLoader, and masks from lengths."""
from collections.abc import Sequence

import torch

from helpers.vocab import PAD_ID


def pad_collate(batch: Sequence[tuple[Sequence[int], int | float]], pad_id: int = PAD_ID,
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Turn [(ids, label), ...] into (padded ids [B, T], lengths [B], labels [B]) for a DataLoader."""
    if len(batch) == 0:
        raise ValueError("cannot collate an empty batch")
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    if int(lengths.min()) == 0:
        raise ValueError("a sequence in the batch is empty; drop empty texts or give them one <unk> token")
    padded = torch.full((len(seqs), int(lengths.max())), pad_id, dtype=torch.long)
    for row, seq in enumerate(seqs):
        padded[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
    label_dtype = torch.float32 if isinstance(labels[0], float) else torch.long
    return padded, lengths, torch.tensor(labels, dtype=label_dtype)


def lengths_to_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """A [B, T] boolean mask, True at real tokens: position t of row b is real when t < lengths[b]."""
    if not isinstance(lengths, torch.Tensor) or lengths.dim() != 1 or lengths.is_floating_point():
        raise TypeError("lengths must be a 1-D integer tensor")
    longest = int(lengths.max()) if len(lengths) else 0
    max_len = longest if max_len is None else max_len
    if max_len < longest:
        raise ValueError(f"max_len={max_len} is shorter than the longest sequence ({longest})")
    return torch.arange(max_len, device=lengths.device) < lengths[:, None]
