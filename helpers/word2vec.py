"""Word2vec's skip-gram with negative sampling: vocabulary, subsampling, noise, pairs (NumPy) and the model."""
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers.validation import check_bool, check_int, check_number, check_type


@dataclass(frozen=True, eq=False)
class EncodedCorpus:
    """A corpus as one flat array of word ids, with the sentence each token belongs to."""
    words: list[str]         # id -> word, most frequent first (ties alphabetical)
    counts: np.ndarray       # int64 count of each word in the corpus
    ids: np.ndarray          # int64 word id of every kept token, sentence after sentence
    sentence_of: np.ndarray  # int64 sentence number of every token (windows never cross sentences)

    def __len__(self) -> int:
        return len(self.ids)


def encode_corpus(sentences: Sequence[Sequence[str]], min_count: int = 5) -> EncodedCorpus:
    """Count the words, keep those seen at least min_count times, and drop the rest from the text (as word2vec
    does, so the window reaches past a rare word)."""
    if isinstance(sentences, str) or not isinstance(sentences, Sequence) or not sentences:
        raise TypeError("sentences must be a non-empty list of lists of words")
    check_int("min_count", min_count, minimum=1)
    counts = Counter(word for sentence in sentences for word in sentence)
    words = sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))
    if not words:
        raise ValueError(f"no word occurs min_count={min_count} times: lower min_count")
    row_of = {w: i for i, w in enumerate(words)}
    encoded = [[row_of[w] for w in sentence if w in row_of] for sentence in sentences]
    lengths = np.array([len(s) for s in encoded], dtype=np.int64)
    ids = np.fromiter((i for s in encoded for i in s), dtype=np.int64, count=int(lengths.sum()))
    return EncodedCorpus(words, np.array([counts[w] for w in words], dtype=np.int64), ids,
                         np.repeat(np.arange(len(encoded), dtype=np.int64), lengths))


def keep_probabilities(counts: np.ndarray, sample: float = 1e-3) -> np.ndarray:
    """Chance that a token of each word survives subsampling, by the formula of word2vec's C code (which gensim
    uses): (sqrt(f / t) + 1) * t / f for a word of corpus share f and threshold t = sample, at most 1."""
    counts = _check_counts(counts)
    check_number("sample", sample, positive=True, maximum=1)
    share = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(share / sample) + 1) * sample / share)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """Probability of drawing each word as a negative sample: count ** power, normalised (0.75 in word2vec)."""
    counts = _check_counts(counts)
    check_number("power", power, minimum=0, maximum=1)
    weights = counts.astype(np.float64) ** power
    return weights / weights.sum()


def skipgram_pairs(corpus: EncodedCorpus, window: int = 5, sample: float | None = 1e-3,
                   dynamic_window: bool = True, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of (centre, context) id pairs in a shuffled order, built with whole-array NumPy operations.

    Frequent words are subsampled first (a fresh draw each call, `sample=None` keeps every token); each centre
    then looks at a window of b words to each side, b drawn from 1..window (the dynamic window: a neighbour
    at distance d is used with probability (window - d + 1) / window), never across a sentence boundary.
    """
    check_type("corpus", corpus, EncodedCorpus, "an EncodedCorpus (from encode_corpus)")
    check_int("window", window, minimum=1)
    check_number("sample", sample, positive=True, maximum=1, optional=True)
    check_bool("dynamic_window", dynamic_window)
    check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    ids, sentence_of = corpus.ids, corpus.sentence_of
    if sample is not None:
        kept = rng.random(len(ids)) < keep_probabilities(corpus.counts, sample)[ids]
        ids, sentence_of = ids[kept], sentence_of[kept]
    reach = rng.integers(1, window + 1, size=len(ids)) if dynamic_window else np.full(len(ids), window)
    centres, contexts = [], []
    for distance in range(1, window + 1):
        same = sentence_of[distance:] == sentence_of[:-distance]  # token i and token i + distance
        left, right = ids[:-distance], ids[distance:]
        forward = same & (reach[:-distance] >= distance)           # centre i looks right
        backward = same & (reach[distance:] >= distance)           # centre i + distance looks left
        centres += [left[forward], right[backward]]
        contexts += [right[forward], left[backward]]
    centres, contexts = np.concatenate(centres), np.concatenate(contexts)
    order = rng.permutation(len(centres))
    return centres[order], contexts[order]


class SkipGram(nn.Module):
    """Two tables: `inputs` (the vectors we keep) for centre words, `outputs` for the words they predict.

    Initialised as word2vec does: inputs uniform in +-0.5 / dim, outputs zero. Both tables are sparse, so a
    step's gradient holds only the rows the batch used.
    """

    def __init__(self, vocab_size: int, dim: int = 100, seed: int = 0):
        super().__init__()
        check_int("vocab_size", vocab_size, minimum=1)
        check_int("dim", dim, minimum=1)
        check_int("seed", seed, minimum=0)
        generator = torch.Generator().manual_seed(seed)
        self.inputs = nn.Embedding(vocab_size, dim, sparse=True)
        self.outputs = nn.Embedding(vocab_size, dim, sparse=True)
        with torch.no_grad():
            self.inputs.weight.uniform_(-0.5 / dim, 0.5 / dim, generator=generator)
            self.outputs.weight.zero_()

    def loss(self, centres: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """Negative-sampling loss summed over a batch: -log sigmoid(in . out) for each true (centre, context)
        pair and -log sigmoid(-in . out) for each of its noise words (negatives is [batch, k])."""
        centre = self.inputs(centres)                                    # [B, dim]
        outputs = self.outputs(torch.cat([contexts[:, None], negatives], dim=1))  # [B, 1 + k, dim], one lookup
        scores = (outputs * centre[:, None, :]).sum(dim=2)               # [B, 1 + k] dot products
        scores[:, 1:] = -scores[:, 1:]                                   # noise words should score low
        return -F.logsigmoid(scores).sum()


def _check_counts(counts: np.ndarray) -> np.ndarray:
    if not isinstance(counts, np.ndarray) or counts.ndim != 1 or not np.issubdtype(counts.dtype, np.integer):
        raise TypeError("counts must be a 1-D integer numpy array (one count per word)")
    if len(counts) == 0 or (counts < 1).any():
        raise ValueError("counts must be non-empty and every count at least 1")
    return counts
