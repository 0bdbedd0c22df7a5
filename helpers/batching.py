"""Batching variable-length sequences: padding, EmbeddingBag offsets, masks from lengths, batches by length."""
from collections.abc import Iterator, Sequence
from itertools import chain

import torch
from torch.utils.data import Dataset, Sampler

from helpers.validation import check_bool, check_int
from helpers.vocab import PAD_ID


def pad_collate(batch: Sequence[tuple[Sequence[int], int | float]] | Sequence[Sequence[int]], pad_id: int = PAD_ID,
                ) -> tuple[torch.Tensor, ...]:
    """For a DataLoader: [(ids, label), ...] -> (padded ids [B, T], lengths [B], labels [B]); a batch of bare id
    lists (no labels, e.g. texts to predict) -> (padded ids [B, T], lengths [B])."""
    if len(batch) == 0:
        raise ValueError("cannot collate an empty batch")
    check_int("pad_id", pad_id)
    labelled = isinstance(batch[0], tuple)
    if labelled:
        seqs, labels = zip(*batch)
    else:
        seqs, labels = tuple(batch), None
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    if int(lengths.min()) == 0:
        raise ValueError("a sequence in the batch is empty; drop empty texts or give them one <unk> token")
    padded = torch.full((len(seqs), int(lengths.max())), pad_id, dtype=torch.long)
    # every id of the batch in one tensor, written through the mask row by row (a tensor per row cost more)
    if isinstance(seqs[0], torch.Tensor):
        flat = torch.cat([torch.as_tensor(s, dtype=torch.long) for s in seqs])
    else:
        flat = torch.as_tensor(list(chain.from_iterable(seqs)), dtype=torch.long)
    padded[lengths_to_mask(lengths)] = flat
    if labels is None:
        return padded, lengths
    label_dtype = torch.float32 if isinstance(labels[0], float) else torch.long
    return padded, lengths, torch.tensor(labels, dtype=label_dtype)


def bag_inputs(seqs: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(flat ids, offsets) for nn.EmbeddingBag: all sequences end to end, and where each one starts."""
    if isinstance(seqs, torch.Tensor) or isinstance(seqs, (str, bytes)) or not isinstance(seqs, Sequence):
        raise TypeError(f"seqs must be a list of id lists, got {type(seqs).__name__}")
    if len(seqs) == 0:
        raise ValueError("seqs is empty: there is nothing to bag")
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    flat = list(chain.from_iterable(seqs))
    if set(map(type, flat)) - {int}:  # a bool, float or other type among the ids: name the first one
        for i in flat:
            check_int("each id", i, minimum=0)
    ids = torch.as_tensor(flat, dtype=torch.long)
    if len(ids) and int(ids.min()) < 0:
        check_int("each id", int(ids[ids < 0][0]), minimum=0)
    return ids, offsets


class EncodedTexts(Dataset):
    """Encoded texts kept as one flat tensor of ids; `dataset[list of indices]` is a whole batch for nn.EmbeddingBag:
    (flat ids, offsets, labels as float), with no padding. Use it with `DataLoader(..., batch_size=None)` and a
    BatchSampler."""

    def __init__(self, id_lists: Sequence[Sequence[int]], labels: Sequence[int | float]):
        self.ids, self.starts = bag_inputs(id_lists)                 # starts: where each text starts in self.ids
        if len(labels) != len(id_lists):
            raise ValueError(f"{len(id_lists)} texts but {len(labels)} labels")
        self.lengths = torch.tensor([len(ids) for ids in id_lists])
        if int(self.lengths.min()) == 0:
            raise ValueError("a text is empty; drop empty texts or give them one <unk> token")
        self.labels = torch.tensor(labels, dtype=torch.float)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, batch: Sequence[int] | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        batch = torch.as_tensor(batch)
        lengths = self.lengths[batch]
        offsets = lengths.cumsum(0) - lengths                        # where each text starts in the batch
        # position of every token of the batch in self.ids: its text's start + its place in the batch
        positions = torch.repeat_interleave(self.starts[batch] - offsets, lengths) + torch.arange(int(lengths.sum()))
        return self.ids[positions], offsets, self.labels[batch]


def lengths_to_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """A [B, T] boolean mask, True at real tokens: position t of row b is real when t < lengths[b]."""
    if not isinstance(lengths, torch.Tensor) or lengths.dim() != 1 or lengths.is_floating_point():
        raise TypeError("lengths must be a 1-D integer tensor")
    if len(lengths) and int(lengths.min()) < 0:
        raise ValueError(f"lengths must be >= 0, got {int(lengths.min())}")
    check_int("max_len", max_len, optional=True)
    longest = int(lengths.max()) if len(lengths) else 0
    max_len = longest if max_len is None else max_len
    if max_len < longest:
        raise ValueError(f"max_len={max_len} is shorter than the longest sequence ({longest})")
    return torch.arange(max_len, device=lengths.device) < lengths[:, None]


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of indices whose sequences have similar lengths, in a seeded random order (pass as batch_sampler=).

    Each epoch: shuffle the indices, sort them by length (a stable sort, so equal lengths stay shuffled), cut the
    sorted list into batches of `batch_size`, then shuffle the order of the batches. Less padding per batch, and a
    different (reproducible) order and mix every epoch.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int = 0, drop_last: bool = False):
        if isinstance(lengths, torch.Tensor):
            if lengths.dim() != 1 or lengths.is_floating_point():
                raise TypeError("lengths must be a 1-D integer tensor or a list of integers")
            lengths = lengths.tolist()
        if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence):
            raise TypeError(f"lengths must be a list of integers, got {type(lengths).__name__}")
        if len(lengths) == 0:
            raise ValueError("lengths is empty: there is nothing to batch")
        for n in lengths:
            check_int("each length", n, minimum=0)
        check_int("batch_size", batch_size, minimum=1)
        check_int("seed", seed, minimum=0)
        check_bool("drop_last", drop_last)
        self.lengths = list(lengths)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __iter__(self) -> Iterator[list[int]]:
        order = torch.randperm(len(self.lengths), generator=self.generator).tolist()
        order.sort(key=self.lengths.__getitem__)
        batches = [order[i: i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if self.drop_last and len(batches[-1]) < self.batch_size:
            batches.pop()
        for b in torch.randperm(len(batches), generator=self.generator).tolist():
            yield batches[b]

    def __len__(self) -> int:
        full, rest = divmod(len(self.lengths), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)
