"""Vocabulary: a tokenizer, and a mapping from tokens to ids and back with reserved <pad> and <unk>."""
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from helpers.validation import check_bool, check_int, check_type

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
        check_type("counts", counts, Counter, "a collections.Counter")
        if not counts:
            raise ValueError("cannot build a vocabulary from an empty corpus (no tokens counted)")
        check_int("min_freq", min_freq, minimum=1)
        check_bool("unk", unk)
        specials = [PAD, UNK] if unk else [PAD]
        check_int("max_size", max_size, minimum=len(specials) + 1, optional=True)  # room for the specials + 1
        kept = sorted(
            (tok for tok, n in counts.items() if n >= min_freq and tok not in (PAD, UNK)),
            key=lambda tok: (-counts[tok], tok),
        )
        if max_size is not None:
            kept = kept[: max_size - len(specials)]
        self.itos: list[str] = [*specials, *kept]
        self.stoi: dict[str, int] = {tok: i for i, tok in enumerate(self.itos)}
        self.unk_id: int | None = UNK_ID if unk else None
        self.specials = specials
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
        first = self.itos[len(self.specials): len(self.specials) + 5]
        return f"Vocab(size={len(self)}, specials={self.specials}, first={first})"

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
        if self.unk_id is None:
            return [self.lookup(tok) for tok in tokens]
        stoi, unk_id = self.stoi, self.unk_id
        return [stoi.get(tok, unk_id) for tok in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens for a sequence of ids (a list or a 1-D integer tensor)."""
        tokens = []
        for i in (ids.tolist() if hasattr(ids, "tolist") else ids):
            check_int("id", i, minimum=0, maximum=len(self) - 1)
            tokens.append(self.itos[i])
        return tokens
