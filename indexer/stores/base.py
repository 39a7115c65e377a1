"""The two storage interfaces every engine implements: a vector store and a keyword store.

A build holds one of each, side by side, under the paths that :mod:`indexer.layout` names.
Rows are the chunk numbers of the build (row i = the i-th chunk in document order, the
same in both stores). Engines are picked by name through :mod:`indexer.stores.factory`;
nothing outside ``indexer/stores/`` imports an engine's library.
"""

import os
import re
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import stopwordsiso
from unidecode import unidecode

if TYPE_CHECKING:
    from indexer.facets import Filters


class StoreUnavailableError(RuntimeError):
    """A store's server is not configured, or did not answer within its failover bounds."""


class VectorStore(ABC):
    """Unit-length chunk vectors by row id, searched by inner product (= cosine).

    In: float32 matrices of shape (n, dimension) with their int64 row ids. Out: the top-k
    rows for each query, optionally only among allowed rows, and stored vectors by row.
    """

    name: str
    """The factory's name for this class (saved with a build, to load it again)."""
    kind: str
    """How it searches: "flat" (exact) or "hnsw" (approximate), ..."""

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray, facts: "Sequence[dict] | None" = None) -> None:
        """Store `vectors` (n, d) under row `ids` (n,).

        `facts`: per row, the filterable fields of its record (:func:`indexer.facets.record_fields`),
        for engines that filter inside themselves; others ignore it.
        """

    @abstractmethod
    def remove(self, ids: np.ndarray) -> None:
        """Drop the rows `ids`; unknown ids are ignored."""

    @abstractmethod
    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, filters: "Filters | None" = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (len(queries), k), best first; ids of -1 where fewer rows qualify.

        `allowed`: row ids the results must come from (None: every row). `filters`: the
        query's filters in declarative form, for engines that filter inside themselves (a
        search server); the caller still drops rows that fail them, so an engine may ignore it.
        """

    @abstractmethod
    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of rows `ids`, in that order."""

    @abstractmethod
    def count(self) -> int:
        """Rows stored."""

    @abstractmethod
    def save(self, path: Path) -> None:
        """Write the store under `path` (a directory it owns)."""

    @classmethod
    @abstractmethod
    def load(cls, path: Path) -> "VectorStore":
        """The store saved under `path`."""

    def recall_at_10(self) -> float | None:
        """recall@10 against exact search, measured when the store was built (None for exact stores)."""
        return None

    @classmethod
    def publish(cls, path: Path) -> None:
        """The build holding the store saved under `path` is now the live one.

        For engines that keep data outside the build directory (a search server's
        collections): point their server-side names at it. Local engines need nothing.
        """
        return None

    @classmethod
    def release(cls, path: Path) -> None:
        """The build holding the store saved under `path` is being deleted: drop what it keeps
        outside the build directory. Local engines need nothing (the directory goes)."""
        return None


class RowVectors:
    """Vectors by row id, sorted by id; saved as two .npy files and read back memory-mapped.

    The local copy a vector store keeps so that `vectors(ids)` is a memory read: the engine
    reads every row when a build is loaded (centring, similar practices, the background sample).
    """

    VECTORS_FILE = "vectors.npy"
    IDS_FILE = "ids.npy"

    def __init__(self, dimension: int):
        self.dimension = dimension
        self.ids = np.empty(0, dtype=np.int64)
        self.matrix: np.ndarray = np.empty((0, dimension), dtype=np.float32)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        merged_ids = np.concatenate([self.ids, ids])
        merged = np.concatenate([np.asarray(self.matrix), np.asarray(vectors, dtype=np.float32)])
        order = np.argsort(merged_ids, kind="stable")
        self.ids, self.matrix = merged_ids[order], merged[order]

    def remove(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self.ids, np.asarray(ids, dtype=np.int64))
        self.ids, self.matrix = self.ids[keep], np.asarray(self.matrix)[keep]

    def take(self, ids: np.ndarray) -> np.ndarray:
        """The vectors of rows `ids`, in that order."""
        ids = np.asarray(ids, dtype=np.int64)
        if not (len(self.ids) and self.ids[-1] == len(self.ids) - 1):
            ids = np.searchsorted(self.ids, ids)  # else rows 0..n-1: a row's id is its position
        return np.asarray(self.matrix[ids])

    def __len__(self) -> int:
        return len(self.ids)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / self.VECTORS_FILE, np.asarray(self.matrix))
        np.save(path / self.IDS_FILE, self.ids)

    @classmethod
    def load(cls, path: Path, dimension: int) -> "RowVectors":
        rows = cls(dimension)
        rows.ids = np.load(path / cls.IDS_FILE)
        rows.matrix = np.load(path / cls.VECTORS_FILE, mmap_mode="r")
        return rows


@dataclass(frozen=True, slots=True)
class KeywordChunk:
    """What a keyword store indexes of one chunk."""

    chunk_id: str
    doc_id: str
    language: str
    """The chunk's language (it picks the analyser: stemmer, stop words)."""
    title: str
    """The document's title."""
    text: str
    """The context line (title and section) and the chunk's text."""
    facts: dict = field(default_factory=dict, compare=False)
    """The filterable fields of its record (:func:`indexer.facets.record_fields`), for engines
    that filter inside themselves; others ignore them."""


@dataclass(frozen=True, slots=True)
class KeywordHit:
    chunk_id: str
    score: float


class KeywordStore(ABC):
    """Chunks by id, searched with BM25-like scoring and per-language analysis.

    A store lives in a directory. `create` makes an empty one, `load` opens a saved one,
    `save` commits pending changes (and, to a new directory, writes a copy there that
    further changes go to: an incremental build starts from a copy of the previous one).
    """

    name: str

    @classmethod
    @abstractmethod
    def create(cls, directory: Path) -> "KeywordStore":
        """A new, empty store in `directory` (which must not exist)."""

    @classmethod
    @abstractmethod
    def load(cls, directory: Path) -> "KeywordStore":
        """The store saved in `directory`."""

    @abstractmethod
    def add(self, chunks: Iterable[KeywordChunk]) -> None:
        """Index `chunks` (visible to searches after `save`)."""

    @abstractmethod
    def remove(self, doc_ids: Iterable[str]) -> None:
        """Drop every chunk of the documents `doc_ids`."""

    @abstractmethod
    def save(self, directory: Path | None = None) -> None:
        """Commit; with a `directory` other than the store's, move the store's copy there."""

    @abstractmethod
    def search(
        self,
        text: str,
        language: str | None,
        limit: int,
        allowed_docs: set[str] | None = None,
        filters: "Filters | None" = None,
    ) -> list[KeywordHit]:
        """The best `limit` chunks for user `text` (never parsed as query syntax), best first.

        `language`: the query's language (its analyser, and its field where the engine has
        one per language); None searches every language. `allowed_docs`: document ids the
        hits must come from (None: every document). `filters`: as for `VectorStore.search`.
        """

    @abstractmethod
    def search_grams(
        self, text: str, limit: int, allowed_docs: set[str] | None = None, filters: "Filters | None" = None
    ) -> list[KeywordHit]:
        """The best `limit` chunks for user `text` by BM25 of its most selective character n-grams
        (:func:`indexer.stores.grams.rarest_grams`) against the n-grams of the chunks in languages
        without a stemmer (:func:`indexer.stores.grams.has_grams`), best first; the other arguments
        as for `search`."""

    @abstractmethod
    def highlight(self, text: str, query: str, language: str | None) -> list[list[int]]:
        """[start, end) character spans of `text` whose analysed form matches an analysed query
        term, function words ("de", "la", "și") left out: a highlight says what matched."""

    @abstractmethod
    def count(self) -> int:
        """Chunks stored."""

    @classmethod
    def publish(cls, directory: Path) -> None:
        """As `VectorStore.publish`."""
        return None

    @classmethod
    def release(cls, directory: Path) -> None:
        """As `VectorStore.release`."""
        return None


@cache
def _iso_stop_words(language: str) -> frozenset[str]:
    return frozenset(unidecode(word).lower() for word in stopwordsiso.stopwords(language))


def iso_stop_word(word: str, language: str | None) -> bool:
    """True if `word` is in stopwords-iso's list for `language`, compared folded to ASCII ("şi"
    with a cedilla is "și"). For the languages an engine has no Snowball list for (ro, el, pl,
    hr, sk, cs, bg, ...): stopwords-iso's lists for those are function words, while its English
    one holds "case", "work" and "home", so engines keep Snowball's where they have it."""
    return bool(language) and unidecode(word).lower() in _iso_stop_words(language)


QUERY_WORD = re.compile(r"\w+")
MAX_QUERY_WORDS = 32
"""Words kept from a query (the most selective): a 300-word description stays fast."""


def rarest_words(text: str, analysed, frequency, limit: int = MAX_QUERY_WORDS) -> list:
    """The (field, term) pairs of the `limit` words of `text` that occur in fewest chunks (highest
    IDF), each word searched in all its fields; words whose terms occur nowhere are dropped.

    In: the text, `analysed(word)` giving a word's (field, term) pairs (none for a stop word) and
    `frequency(pair)` the number of chunks a pair occurs in. A word counts by its most frequent
    pair (usually its body field's): the limit is on words, so a query searching three fields
    keeps as many words as one searching one (counting pairs kept about eleven words of a long
    description, and its keyword ranking lost a third of nDCG@10, docs/evaluation/projects.md).
    A long description is reduced to these: scoring cost grows with every matching chunk, while
    common words add little to BM25.
    """
    pairs = {word: set(analysed(word)) for word in dict.fromkeys(QUERY_WORD.findall(text))}
    frequencies = {pair: frequency(pair) for found in pairs.values() for pair in found}
    reach = {word: max((frequencies[pair] for pair in found), default=0) for word, found in pairs.items()}
    kept = sorted((word for word, count in reach.items() if count), key=lambda word: (reach[word], word))[:limit]
    return sorted({pair for word in kept for pair in pairs[word] if frequencies[pair]})


def link_copy(source: Path, destination: Path) -> None:
    """Copy a store's directory by hard links (a plain copy across file systems), lock files left out.

    Safe for engines that never rewrite a file in place (whoosh and tantivy write new
    segments and replace their metadata by renaming), so the copy costs no disk.
    """
    shutil.copytree(source, destination, copy_function=_link_or_copy, ignore=_lock_files)


def _lock_files(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if name.endswith(".lock")]


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)
