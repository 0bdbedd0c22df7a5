"""Models the notebooks share: bag-of-embeddings text classifiers, with a padded batch or with EmbeddingBag."""
import torch
from torch import nn

from helpers.batching import lengths_to_mask
from helpers.validation import check_int, check_number, check_type
from helpers.vocab import PAD_ID


class MeanPoolClassifier(nn.Module):
    """Embed the tokens, average the real (non-padding) vectors of each text, then one linear layer.

    forward(ids [B, T], lengths [B]) -> logits [B, num_classes], or [B] when num_classes == 1 (binary).
    """

    def __init__(self, vocab_size: int, embedding_dim: int, num_classes: int, padding_idx: int = PAD_ID,
                 dropout: float = 0.0):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim), ("num_classes", num_classes)):
            check_int(name, value, minimum=1)
        check_number("dropout", dropout, minimum=0, maximum=1)
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


class BagClassifier(nn.Module):
    """MeanPoolClassifier's model with nn.EmbeddingBag: no padding, no mask; the same parameter names
    (embedding.weight, out.*), so `bag.load_state_dict(mean_pool.state_dict())` moves trained weights across.

    forward(flat_ids, offsets) -> logits [B, num_classes], or [B] when num_classes == 1 (helpers.batching.bag_inputs,
    helpers.batching.EncodedTexts). `dropout` acts on the averaged vector, as in MeanPoolClassifier.
    """

    def __init__(self, vocab_size: int, embedding_dim: int, num_classes: int, dropout: float = 0.0):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim), ("num_classes", num_classes)):
            check_int(name, value, minimum=1)
        check_number("dropout", dropout, minimum=0, maximum=1)
        self.embedding = nn.EmbeddingBag(vocab_size, embedding_dim, mode="mean")
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(embedding_dim, num_classes)

    def forward(self, flat_ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        logits = self.out(self.dropout(self.embedding(flat_ids, offsets)))
        return logits.squeeze(1) if logits.shape[1] == 1 else logits

    def load_mean_pool(self, model: MeanPoolClassifier) -> "BagClassifier":
        """Copy a trained MeanPoolClassifier's weights (same shapes) into this model; returns self."""
        check_type("model", model, MeanPoolClassifier, "a helpers.models.MeanPoolClassifier")
        self.load_state_dict(model.state_dict())
        return self
