"""Character-level language models: encode text, cut (input, target) windows, and sample text from a model."""
import math

import torch
from torch import nn

from helpers.validation import check_int, check_number, check_type
from helpers.vocab import PAD, Vocab


def encode_chars(text: str, vocab: Vocab) -> torch.Tensor:
    """The id of every character of `text`, as a 1-D LongTensor; KeyError naming the characters not in `vocab`."""
    check_type("text", text, str, "a str")
    check_type("vocab", vocab, Vocab, "a helpers.vocab.Vocab")
    unknown = sorted(set(text) - set(vocab.stoi))
    if unknown:
        raise KeyError(f"characters not in the vocabulary: {unknown}; remove or replace them")
    return torch.tensor([vocab.stoi[c] for c in text], dtype=torch.long)


def _check_ids(ids: torch.Tensor, min_len: int) -> None:
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.dtype != torch.long:
        raise TypeError("ids must be a 1-D LongTensor (use encode_chars)")
    if len(ids) < min_len:
        raise ValueError(f"the text has {len(ids)} ids but needs at least {min_len}")


def random_windows(ids: torch.Tensor, seq_len: int, batch_size: int, generator: torch.Generator | None = None,
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of windows at random places: inputs [B, seq_len] and targets [B, seq_len], the next character."""
    check_int("seq_len", seq_len, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    _check_ids(ids, seq_len + 1)
    starts = torch.randint(0, len(ids) - seq_len, (batch_size,), generator=generator)
    windows = ids[starts[:, None] + torch.arange(seq_len + 1)]
    return windows[:, :-1], windows[:, 1:]


def contiguous_streams(ids: torch.Tensor, n_streams: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The whole text cut into `n_streams` consecutive pieces, for evaluation: inputs [n, L] and targets [n, L]."""
    check_int("n_streams", n_streams, minimum=1)
    _check_ids(ids, n_streams + 1)
    length = (len(ids) - 1) // n_streams
    used = n_streams * length
    return ids[:used].view(n_streams, length), ids[1: used + 1].view(n_streams, length)


def _nucleus(scores: torch.Tensor, top_p: float) -> torch.Tensor:
    """Scores with every character outside the top-p nucleus set to -inf."""
    probs, order = torch.softmax(scores, dim=0).sort(descending=True, stable=True)
    mass_before = probs.cumsum(0) - probs  # probability of the characters ranked above each one
    return scores.index_fill(0, order[mass_before >= top_p], -math.inf)


def generate(model: nn.Module, vocab: Vocab, prompt: str, length: int, temperature: float = 1.0,
             top_k: int | None = None, generator: torch.Generator | None = None, top_p: float | None = None) -> str:
    """The prompt followed by `length` sampled characters, in eval mode and under torch.no_grad().

    The model is called as model(ids [1, T], state) -> (logits [1, T, V], state), state None at the start. The
    whole prompt (any length >= 1) is read once, then one character at a time is sampled from
    softmax(logits / temperature) over the characters (never <pad>), restricted to the top_k most likely when
    top_k is given, and to the nucleus when top_p is given: the fewest most likely characters whose probabilities
    add up to at least top_p (Holtzman et al., 2020), the best one always kept. Pass a seeded torch.Generator for
    repeatable samples. The model's train/eval mode is restored.
    """
    check_type("model", model, nn.Module, "a torch.nn.Module")
    check_type("prompt", prompt, str, "a str")
    if not prompt:
        raise ValueError("prompt is empty: give at least one character, for example '\\n'")
    check_int("length", length, minimum=0)
    check_number("temperature", temperature)
    if not (temperature > 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be a finite number > 0, got {temperature}; for greedy use top_k=1")
    check_int("top_k", top_k, minimum=1, maximum=len(vocab), optional=True)
    check_number("top_p", top_p, maximum=1, positive=True, optional=True)
    if generator is not None:
        check_type("generator", generator, torch.Generator, "None or a torch.Generator")
    ids = encode_chars(prompt, vocab)  # KeyError naming unknown characters
    device = next(model.parameters()).device
    pad_id = vocab.stoi.get(PAD)
    was_training = model.training
    model.eval()
    sampled = []
    try:
        with torch.no_grad():
            logits, state = model(ids.unsqueeze(0).to(device), None)
            for _ in range(length):
                scores = logits[0, -1].float().cpu() / temperature
                if pad_id is not None:
                    scores[pad_id] = -math.inf
                if top_k is not None:
                    kth_best = torch.topk(scores, top_k).values[-1]
                    scores = scores.masked_fill(scores < kth_best, -math.inf)
                if top_p is not None:
                    scores = _nucleus(scores, top_p)
                next_id = torch.multinomial(torch.softmax(scores, dim=0), 1, generator=generator)
                sampled.append(int(next_id))
                logits, state = model(next_id.view(1, 1).to(device), state)
    finally:
        model.train(was_training)
    return prompt + "".join(vocab.itos[i] for i in sampled)
