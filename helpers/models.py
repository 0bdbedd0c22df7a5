"""Models the notebooks share: a bag-of-embeddings text classifier."""
import torch
from torch import nn

from helpers.batching import lengths_to_mask
from helpers.vocab import PAD_ID


class MeanPoolClassifier(nn.Module):
    """Embed the tokens, average the real (non-padding) vectors of each text, then one linear layer.

    forward(ids [B, T], lengths [B]) -> logits [B, num_classes], or [B] when num_classes == 1 (binary).
    """

    def __init__(self, vocab_size: int, embedding_dim: int, num_classes: int, padding_idx: int = PAD_ID,
                 dropout: float = 0.0):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim), ("num_classes", num_classes)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(embedding_dim, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if ids.dtype != torch.long:
            raise TypeError(f"ids must be a LongTensor of token ids, got {ids.dtype}")
        mask = lengths_to_mask(lengths, ids.shape[1]).unsqueeze(-1)  # [B, T, 1]
        vectors = self.embedding(ids) * mask
        pooled = vectors.sum(dim=1) / lengths.clamp(min=1).unsqueeze(-1).to(vectors.dtype)
        logits = self.out(self.dropout(pooled))
        return logits.squeeze(1) if logits.shape[1] == 1 else logits
