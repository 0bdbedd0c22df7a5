"""Word-vector similarity for any table (pretrained, untrained or task-trained): neighbours, analogies, ratings."""
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from helpers.validation import check_int


def check_word_vectors(words: Sequence[str], vectors: np.ndarray) -> None:
    """Raise a clear error unless `words` and the rows of a 2-D float `vectors` match up one to one."""
    if not isinstance(vectors, np.ndarray) or vectors.ndim != 2:
        raise TypeError("vectors must be a 2-D numpy array [words, dim]")
    if not np.issubdtype(vectors.dtype, np.floating):
        raise TypeError(f"vectors must be floating point, got {vectors.dtype}")
    if len(words) != len(vectors):
        raise ValueError(f"{len(words)} words but {len(vectors)} vectors: they must match one to one")


@dataclass(frozen=True)
class AnalogyScore:
    """Analogy accuracy by section type; a question is skipped when one of its words is outside the search set."""
    sections: dict[str, tuple[int, int]]  # section -> (correct, answered), in the order of the questions
    skipped: int

    def _accuracy(self, kind: str | None) -> float:
        picked = [v for s, v in self.sections.items() if kind is None or section_kind(s) == kind]
        answered = sum(n for _, n in picked)
        return sum(c for c, _ in picked) / answered if answered else math.nan

    @property
    def semantic(self) -> float:
        return self._accuracy("semantic")

    @property
    def syntactic(self) -> float:
        return self._accuracy("syntactic")

    @property
    def total(self) -> float:
        return self._accuracy(None)

    @property
    def answered(self) -> int:
        return sum(n for _, n in self.sections.values())

    def __str__(self) -> str:
        return (f"semantic {self.semantic:.3f}, syntactic {self.syntactic:.3f}, total {self.total:.3f} "
                f"({self.answered:,} questions answered, {self.skipped:,} skipped)")


@dataclass(frozen=True)
class SimilarityScore:
    """Spearman correlation of cosine similarity with human ratings, over the pairs whose two words have vectors."""
    spearman: float
    answered: int
    skipped: int

    def __str__(self) -> str:
        return f"Spearman {self.spearman:.3f} ({self.answered} pairs rated, {self.skipped} skipped)"


def section_kind(section: str) -> str:
    """'syntactic' for the Google analogy sections named gram*, 'semantic' for the others."""
    return "syntactic" if section.startswith("gram") else "semantic"


def unit_vectors(vectors: np.ndarray | torch.Tensor) -> np.ndarray:
    """Float32 rows scaled to length 1, so one matrix product gives all cosine similarities (zero rows stay 0)."""
    if isinstance(vectors, torch.Tensor):
        vectors = vectors.detach().cpu().numpy()
    if not isinstance(vectors, np.ndarray) or vectors.ndim != 2 or not np.issubdtype(vectors.dtype, np.floating):
        raise TypeError("vectors must be a 2-D floating-point numpy array or tensor [words, dim]")
    vectors = vectors.astype(np.float32, copy=False)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


# The evaluation below runs in NumPy: on a busy 2-core CPU, torch's multi-threaded small operations measured
# many times slower than single-threaded NumPy, and NumPy's float32 matmul about twice as fast.

def _index(words: Sequence[str], vectors: np.ndarray | torch.Tensor, top_n: int | None = None,
           ) -> tuple[dict[str, int], np.ndarray]:
    """Check words/vectors and keep the first top_n rows: (row of each word, the rows as a NumPy array)."""
    if isinstance(words, str) or not isinstance(words, Sequence):
        raise TypeError(f"words must be a list of str, got {type(words).__name__}")
    if isinstance(vectors, torch.Tensor):
        vectors = vectors.detach().cpu().numpy()
    check_word_vectors(words, vectors)
    check_int("top_n", top_n, minimum=1, maximum=len(words), optional=True)
    if top_n is not None:
        words, vectors = words[:top_n], vectors[:top_n]
    row_of = dict(zip(reversed(words), range(len(words) - 1, -1, -1)))  # a repeated word keeps its first row
    return row_of, vectors


def _rows(row_of: dict[str, int], query: Sequence[str]) -> list[int]:
    missing = [w for w in query if w not in row_of]
    if missing:
        raise KeyError(f"no vector for {', '.join(map(repr, missing))}: not among the words searched")
    return [row_of[w] for w in query]


def _top(scores: np.ndarray, words: Sequence[str], k: int) -> list[tuple[str, float]]:
    """The k highest scores, best first, as (word, score)."""
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(words[r], float(scores[r])) for r in best]


def _check_k(k: int, limit: int) -> None:
    check_int("k", k, minimum=1, maximum=limit)


def nearest_neighbours(query: str | np.ndarray | torch.Tensor, words: Sequence[str],
                       vectors: np.ndarray | torch.Tensor, k: int = 5) -> list[tuple[str, float]]:
    """The k words whose vectors have the highest cosine similarity with `query` (a word, which is left out
    of its own list, or a vector), as (word, cosine) pairs, most similar first."""
    row_of, vectors = _index(words, vectors)
    unit = unit_vectors(vectors)
    if isinstance(query, str):
        row = _rows(row_of, [query])[0]
        target, exclude = unit[row], [row]
    else:
        if not isinstance(query, (np.ndarray, torch.Tensor)):
            raise TypeError(f"query must be a word (str) or a vector, got {type(query).__name__}")
        if tuple(query.shape) != (unit.shape[1],):
            raise ValueError(f"a query vector must have shape ({unit.shape[1]},), got {tuple(query.shape)}")
        target, exclude = unit_vectors(query.reshape(1, -1))[0], []
    _check_k(k, len(unit) - len(exclude))
    scores = unit @ target
    scores[exclude] = -np.inf
    return _top(scores, words, k)


def solve_analogy(a: str, b: str, c: str, words: Sequence[str], vectors: np.ndarray | torch.Tensor,
                  k: int = 1, top_n: int | None = None) -> list[tuple[str, float]]:
    """"a is to b as c is to ?": the k words nearest (cosine) to b - a + c made of unit vectors, leaving out
    a, b and c themselves, searched among the first top_n words (all if None); (word, cosine) pairs."""
    row_of, vectors = _index(words, vectors, top_n)
    ra, rb, rc = _rows(row_of, [a, b, c])
    _check_k(k, len(vectors) - len({ra, rb, rc}))
    unit = unit_vectors(vectors)
    scores = unit @ unit_vectors((unit[rb] - unit[ra] + unit[rc])[None])[0]
    scores[[ra, rb, rc]] = -np.inf
    return _top(scores, words, k)


def analogy_accuracy(questions: Sequence[tuple[str, str, str, str, str]], words: Sequence[str],
                     vectors: np.ndarray | torch.Tensor, top_n: int | None = None,
                     batch_size: int | None = None) -> AnalogyScore:
    """Accuracy on (section, a, b, c, d) questions as the papers count it: the answer to "a is to b as c is
    to ?" is the nearest word to b - a + c (unit vectors) among the first top_n words, a, b and c left out;
    a question with any word outside those top_n words is skipped, not counted wrong. batch_size questions
    are scored at once (default: a [batch, words] score matrix of about 32 MB)."""
    if isinstance(questions, str) or not isinstance(questions, Sequence) or not questions:
        raise ValueError("questions must be a non-empty list of (section, a, b, c, d) tuples")
    if any(len(q) != 5 for q in questions):
        raise ValueError("every question must be a (section, a, b, c, d) tuple of 5 strings")
    check_int("batch_size", batch_size, minimum=1, optional=True)
    row_of, vectors = _index(words, vectors, top_n)
    batch_size = batch_size or max(1, 2**23 // len(vectors))
    kept = [(s, [row_of[w] for w in q]) for s, *q in questions if all(w in row_of for w in q)]
    if not kept:
        raise ValueError("no question has all four words among the words searched: check the vocabulary "
                         "(lower-case?) and top_n")
    sections = [s for s, _ in kept]
    rows = np.array([r for _, r in kept])  # [Q, 4]: a, b, c, d
    unit = unit_vectors(vectors)
    unit_t = np.ascontiguousarray(unit.T)  # [dim, words]
    hits = []
    for start in range(0, len(rows), batch_size):
        a, b, c, d = rows[start:start + batch_size].T
        scores = (unit[b] - unit[a] + unit[c]) @ unit_t  # [batch, words]: cosine up to a positive factor
        np.put_along_axis(scores, np.stack([a, b, c], axis=1), -np.inf, axis=1)  # the query words never count
        hits.append(scores.argmax(axis=1) == d)
    hits = np.concatenate(hits).tolist()
    tally: dict[str, tuple[int, int]] = {}
    for section, hit in zip(sections, hits):
        correct, answered = tally.get(section, (0, 0))
        tally[section] = (correct + hit, answered + 1)
    return AnalogyScore(tally, len(questions) - len(kept))


def similarity_correlation(pairs: Sequence[tuple[str, str, float]], words: Sequence[str],
                           vectors: np.ndarray | torch.Tensor) -> SimilarityScore:
    """Spearman correlation between the cosine similarity of each (word, word, human rating) pair and the
    rating, over the pairs whose two words both have vectors (the others are counted as skipped)."""
    if isinstance(pairs, str) or not isinstance(pairs, Sequence) or not pairs:
        raise ValueError("pairs must be a non-empty list of (word, word, rating) tuples")
    if any(len(p) != 3 for p in pairs):
        raise ValueError("every pair must be a (word, word, rating) tuple")
    row_of, vectors = _index(words, vectors)
    kept = [(row_of[x], row_of[y], float(r)) for x, y, r in pairs if x in row_of and y in row_of]
    if len(kept) < 2:
        raise ValueError(f"only {len(kept)} of {len(pairs)} pairs have vectors for both words: need at least 2 "
                         "(check the vocabulary and its lower-casing)")
    from scipy.stats import spearmanr  # imported here: scipy.stats is slow to import and only this needs it

    x, y, ratings = zip(*kept)
    cosines = (unit_vectors(vectors[list(x)]) * unit_vectors(vectors[list(y)])).sum(axis=1)
    return SimilarityScore(float(spearmanr(cosines, ratings).statistic), len(kept), len(pairs) - len(kept))
