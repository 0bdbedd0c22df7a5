"""Pretrained word vectors: align a task vocabulary to them (which rows are found, the rest initialised)."""
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from helpers.similarity import check_word_vectors
from helpers.validation import check_int, check_number, check_type
from helpers.vocab import PAD, PAD_ID, UNK, Vocab


@dataclass(frozen=True)
class Coverage:
    """How much of a vocabulary the pretrained words cover: by distinct words and by running tokens."""
    found: int
    words: int
    token_share: float

    def __str__(self) -> str:
        return (f"{self.found:,} of {self.words:,} words found ({self.found / self.words:.1%}); "
                f"they make up {self.token_share:.1%} of the tokens")


def pretrained_embedding_matrix(vocab: Vocab, words: Sequence[str], vectors: np.ndarray | torch.Tensor,
                                seed: int = 0, unknown_scale: float = 0.1) -> tuple[torch.Tensor, Coverage]:
    """A [len(vocab), dim] float32 matrix for nn.Embedding.from_pretrained: the pretrained vector where the word
    has one, zeros for <pad>, and small random vectors (std = unknown_scale x the vectors' std) for the rest."""
    check_type("vocab", vocab, Vocab, "a helpers.vocab.Vocab")
    if isinstance(vectors, torch.Tensor):
        vectors = vectors.detach().cpu().numpy()
    check_word_vectors(words, vectors)
    check_int("seed", seed, minimum=0)
    check_number("unknown_scale", unknown_scale, minimum=0)
    row_of = {}
    for row, word in enumerate(words):
        row_of.setdefault(word, row)
    found = [(i, row_of[tok]) for i, tok in enumerate(vocab.itos) if tok in row_of and tok not in (PAD, UNK)]
    if not found:
        raise ValueError("no word of the vocabulary has a pretrained vector: check that both use the same "
                         "tokenizer and lower-casing")
    generator = torch.Generator().manual_seed(seed)
    std = float(vectors.std()) * unknown_scale
    matrix = torch.randn(len(vocab), vectors.shape[1], generator=generator) * std
    ids, rows = zip(*found)
    matrix[list(ids)] = torch.from_numpy(np.ascontiguousarray(vectors[list(rows)], dtype=np.float32))
    matrix[PAD_ID] = 0.0
    found_tokens = {vocab.itos[i] for i in ids}
    total = sum(n for tok, n in vocab.counts.items() if tok in vocab)
    covered = sum(n for tok, n in vocab.counts.items() if tok in found_tokens)
    return matrix, Coverage(len(found), len(vocab) - 2 if vocab.unk_id is not None else len(vocab) - 1,
                            covered / total if total else 0.0)
