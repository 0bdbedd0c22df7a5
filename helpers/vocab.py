"""Vocabulary: a tokenizer, and a mapping from tokens to ids and back with reserved <pad> and <unk>."""
import re
from collections import Counter
from collections.abc import Iterable, Sequence

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1

# Words, numbers and single punctuation marks; clitics split off as GloVe's tokenizer does ("don't" -> do n't).
# Letters include accented ones, so "Almodóvar" stays one word (GloVe has "almodóvar").
_TOKEN = re.compile(r"[^\W_]+(?=n't\b)|n't\b|'(?:s|re|ll|ve|d|m)\b|[^\W_]+|[^\s\w]|_")


def tokenize(text: str) -> list[str]:
    """Lower-case `text` and split it into words, clitics ("n't", "'s") and single punctuation marks."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a str, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


class Vocab:
    """Ids in a deterministic order: <pad>=0, <unk>=1, then by frequency, ties alphabetical.

    With `unk=False` there is no <unk> (tokens start at id 1) and encoding an unknown token raises KeyError.
    """

    def __init__(self, counts: Counter, min_freq: int = 1, max_size: int | None = None, unk: bool = True):
        if not isinstance(counts, Counter):
            raise TypeError(f"counts must be a collections.Counter, got {type(counts).__name__}")
        if not counts:
            raise ValueError("cannot build a vocabulary from an empty corpus (no tokens counted)")
        if not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"min_freq must be an integer >= 1, got {min_freq!r}")
        specials = [PAD, UNK] if unk else [PAD]
        if max_size is not None and (not isinstance(max_size, int) or max_size <= len(specials)):
            raise ValueError(f"max_size must be None or an integer > {len(specials)} (room for {' and '.join(specials)}), got {max_size!r}")
        kept = sorted(
            (tok for tok, n in counts.items() if n >= min_freq and tok not in (PAD, UNK)),
            key=lambda tok: (-counts[tok], tok),
        )
        if max_size is not None:
            kept = kept[: max_size - len(specials)]
        self.itos: list[str] = [*specials, *kept]
        self.stoi: dict[str, int] = {tok: i for i, tok in enumerate(self.itos)}
        self.unk_id: int | None = UNK_ID if unk else None
        self.counts = counts

    @classmethod
    def from_texts(cls, texts: Iterable[str], min_freq: int = 1, max_size: int | None = None) -> "Vocab":
        """Count the tokens of every text (with `tokenize`) and build a vocabulary from them."""
        if isinstance(texts, str):
            raise TypeError("from_texts expects a list of texts, got a single str")
        return cls(Counter(tok for text in texts for tok in tokenize(text)), min_freq, max_size)

    @classmethod
    def from_chars(cls, text: str) -> "Vocab":
        """A character vocabulary (no <unk>): every distinct character of `text`, most frequent first."""
        if not isinstance(text, str):
            raise TypeError(f"from_chars expects a str, got {type(text).__name__}")
        return cls(Counter(text), unk=False)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, first={self.itos[2:7]})"

    def lookup(self, token: str) -> int:
        """The id of `token`: <unk> for an unknown token, or KeyError if the vocabulary has no <unk>."""
        if token in self.stoi:
            return self.stoi[token]
        if self.unk_id is None:
            raise KeyError(f"{token!r} is not in the vocabulary and it has no <unk> token")
        return self.unk_id

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Ids for a list of tokens (pass `tokenize(text)` for raw text)."""
        if isinstance(tokens, str):
            raise TypeError("encode expects a list of tokens, got a str: call tokenize(text) first")
        return [self.lookup(tok) for tok in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens for a sequence of ids (a list or a 1-D integer tensor)."""
        tokens = []
        for i in (ids.tolist() if hasattr(ids, "tolist") else ids):
            if isinstance(i, bool) or not isinstance(i, int):
                raise TypeError(f"ids must be integers, got {type(i).__name__}")
            if not 0 <= i < len(self):
                raise ValueError(f"id {i} is out of range for a vocabulary of size {len(self)}")
            tokens.append(self.itos[i])
        return tokens
