"""An index build opened for searching, and a holder that swaps in new builds without dropping requests.

In: an index path and an embedder. Out: :class:`LoadedIndex` (records, chunks in row
order, the build's vector and keyword stores, lookups by id, per-language centring) and
:class:`IndexHolder`, whose ``current()`` returns the live build, reloading it when
`praxis index` has swapped the link. A request keeps the object it started with, so a
swap never fails a request in flight.
"""

import gc
import logging
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from engine.filters import RecordTable
from indexer import layout
from indexer.chunking import Chunk
from indexer.embedders import Embedder
from indexer.layout import Record
from indexer.stores import KeywordStore, VectorStore

log = logging.getLogger(__name__)
RELOAD_CHECK_SECONDS = 1.0
SIMILARITY_SAMPLE = 2048
"""Chunks against which a query's similarities are calibrated (see `similarity_sample`)."""
MIN_CHUNKS_FOR_MEAN = 20
"""Fewer chunks than this in a language give a noisy mean; such chunks use the global one."""


@dataclass
class LoadedIndex:
    files: layout.IndexFiles
    documents: list[Record]
    chunks: list[Chunk]
    """Every chunk, in row order (the stores' row ids)."""
    vector_store: VectorStore
    keyword_store: KeywordStore
    by_id: dict[str, Record] = field(default_factory=dict)
    versions: dict[str, list[str]] = field(default_factory=dict)
    """group id to the ids of all its language versions, original first."""
    chunk_rows: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, index_path: Path, embedder: Embedder | None) -> "LoadedIndex":
        files = layout.open_index(index_path, embedder.info if embedder else None)
        documents = files.records()
        loaded = cls(
            files=files,
            documents=documents,
            chunks=[chunk for document in documents for chunk in document.chunks],
            vector_store=files.vector_store(),
            keyword_store=files.keyword_store(),
        )
        loaded.by_id = {d.id: d for d in documents}
        versions = defaultdict(list)
        for document in sorted(documents, key=lambda d: d.id != d.group_id):
            versions[document.group_id].append(document.id)
        loaded.versions = dict(versions)
        loaded.chunk_rows = {chunk.id: row for row, chunk in enumerate(loaded.chunks)}
        return loaded

    @property
    def build_id(self) -> str:
        return self.files.build_id

    @cached_property
    def chunk_rows_by_doc(self) -> dict[str, np.ndarray]:
        rows = defaultdict(list)
        for row, chunk in enumerate(self.chunks):
            rows[chunk.doc_id].append(row)
        return {doc_id: np.array(r) for doc_id, r in rows.items()}

    @cached_property
    def vectors(self) -> np.ndarray:
        """Every chunk's vector, row for row, as the vector store holds them."""
        return self.vector_store.vectors(np.arange(len(self.chunks), dtype=np.int64))

    @cached_property
    def language_means(self) -> dict[str, np.ndarray]:
        """Mean chunk vector per chunk language (languages with enough chunks), and "*" for all."""
        rows_by_language = defaultdict(list)
        for row, chunk in enumerate(self.chunks):
            rows_by_language[chunk.language].append(row)
        means = {"*": self.vectors.mean(axis=0)}
        for language, rows in rows_by_language.items():
            if len(rows) >= MIN_CHUNKS_FOR_MEAN:
                means[language] = self.vectors[rows].mean(axis=0)
        return means

    def centre(self, vectors: np.ndarray, language: str | None) -> np.ndarray:
        """Vectors minus their language's mean, re-normalised: removes what a language shares."""
        shifted = vectors - self.language_means.get(language, self.language_means["*"])
        return shifted / np.maximum(np.linalg.norm(shifted, axis=-1, keepdims=True), 1e-12)

    @cached_property
    def centred_vectors(self) -> np.ndarray:
        """Every chunk's vector centred on its language's mean (row for row), computed per language at once."""
        centred = np.empty_like(self.vectors)
        languages = np.array([chunk.language or "" for chunk in self.chunks], dtype=object)
        for language in np.unique(languages):
            rows = np.flatnonzero(languages == language)
            centred[rows] = self.centre(self.vectors[rows], language or None)
        return centred

    def warm(self, centre: bool) -> "LoadedIndex":
        """Build the arrays searches use (filters, facets, lookups; centred vectors if `centre`)
        now, so that no request pays for them."""
        for name in (
            "table",
            "group_positions",
            "similarity_sample",
            "doc_of_row",
            "project_rows",
            "chunk_rows_by_doc",
        ):
            getattr(self, name)
        if centre:
            self.centred_vectors  # noqa: B018 (a cached property: computing it is the point)
        return self

    @cached_property
    def practice_vectors(self) -> tuple[list[Record], np.ndarray]:
        """Practice write-ups and, row for row, the unit mean of each one's centred chunk vectors."""
        documents = [d for d in self.documents if d.kind == "practice"]
        means = [self.centred_vectors[self.chunk_rows_by_doc[d.id]].mean(axis=0) for d in documents]
        matrix = np.array(means, dtype=np.float32).reshape(len(documents), self.vectors.shape[1])
        return documents, matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)

    @cached_property
    def position(self) -> dict[str, int]:
        """Each document's position in `documents` (the index of per-document arrays such as filter masks)."""
        return {d.id: i for i, d in enumerate(self.documents)}

    @cached_property
    def table(self) -> RecordTable:
        """Every record's filterable fields as arrays: filters and facet counts per query."""
        return RecordTable(self.documents)

    @cached_property
    def group_positions(self) -> dict[str, np.ndarray]:
        """group id to the positions of all its language versions."""
        return {group: np.array([self.position[v] for v in ids]) for group, ids in self.versions.items()}

    @cached_property
    def similarity_sample(self) -> np.ndarray:
        """A fixed random sample of chunk rows: what a query's similarity to an unrelated chunk
        looks like in this index with this embedder (the background a match must stand out of)."""
        size = min(SIMILARITY_SAMPLE, len(self.chunks))
        return np.sort(np.random.default_rng(0).choice(len(self.chunks), size=size, replace=False))

    @cached_property
    def doc_of_row(self) -> np.ndarray:
        return np.array([self.position[c.doc_id] for c in self.chunks])

    @cached_property
    def project_rows(self) -> np.ndarray:
        """Per chunk row, whether it belongs to a funded project's record."""
        return np.array([d.kind == "project" for d in self.documents], dtype=bool)[self.doc_of_row]


class IndexHolder:
    """The live index of a path, reloaded when the path's link changes.

    The first load happens in the request that needs it; later builds load in a background
    thread while the current one goes on answering (loading a million records takes a while).
    """

    def __init__(self, index_path: Path, embedder: Embedder, centre: bool = True):
        self.index_path = index_path
        self.embedder = embedder
        self.centre = centre
        self._lock = threading.Lock()
        self._loaded: LoadedIndex | None = None
        self._target: str | None = None
        self._loading: threading.Thread | None = None
        self._checked = 0.0
        self.last_error: str | None = None

    def _link_target(self) -> str | None:
        try:
            return os.readlink(self.index_path)
        except OSError:
            return None

    def current(self) -> LoadedIndex:
        """The live index; raises layout.UnusableIndexError when none can be loaded."""
        now = time.monotonic()
        if self._loaded is not None and now - self._checked < RELOAD_CHECK_SECONDS:
            return self._loaded
        with self._lock:
            self._checked = now
            target = self._link_target()
            if self._loaded is None:
                self._reload(target)
            elif target != self._target and self._loading is None:
                self._loading = threading.Thread(target=self._reload_in_background, args=(target,), daemon=True)
                self._loading.start()
            if self._loaded is None:
                raise layout.UnusableIndexError(self.last_error or f"no index at {self.index_path}")
            return self._loaded

    def _reload_in_background(self, target: str | None) -> None:
        try:
            self._reload(target)
        finally:
            self._loading = None

    def _reload(self, target: str | None) -> None:
        try:
            self._loaded = LoadedIndex.open(self.index_path, self.embedder).warm(self.centre)
            self._target = target
            self.last_error = None
            log.info("loaded index build %s", self._loaded.build_id)
            settle_heap()
        except layout.UnusableIndexError as error:
            # Keep answering from the build we have; report the problem in /api/health.
            self.last_error = str(error)
            log.error("cannot load index: %s", error)


def settle_heap() -> None:
    """Exempt every object alive now (the index, the language profiles, the model's wrappers)
    from later garbage collections.

    Python's full collection walks every live container: with langdetect's profiles (millions of
    references) and an index in memory it took 0.1 s on an idle server and up to 1.8 s under
    load, and it stops every thread, so each one stalled all searches and refusals alike
    (docs/benchmarks/index.md, "Load and re-indexing"). Frozen objects are still freed by
    reference counting when a build is replaced; only reference cycles among them would stay,
    and no collection is run here because a full one would be the very stall this avoids.
    """
    gc.freeze()
