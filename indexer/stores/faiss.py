"""Vector stores on faiss: exact search (``FaissFlat``) and an HNSW graph (``FaissHNSW``).

In: unit-length float32 vectors with int64 row ids. Out: inner-product (cosine) top-k,
optionally restricted to allowed rows with an id selector. Both keep the raw vectors in
``vectors.npy`` beside the faiss file (opened memory-mapped), so rows can be read back
(centring, similar practices, near-duplicates) without asking faiss to reconstruct them.
"""

import json
from pathlib import Path

import faiss
import numpy as np

from indexer.stores.base import RowVectors, VectorStore

INDEX_FILE = "index.faiss"
INFO_FILE = "store.json"
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 512
HNSW_EF_SEARCH_MAX = 2048
EXACT_ALLOWED_MAX = 30_000
"""Up to this many allowed rows, an HNSW store searches them exactly: a graph walk that may
only stop at a few of its nodes finds too few of them."""
RECALL_SAMPLE = 200


class _FaissStore(VectorStore):
    """What both faiss stores share: the vectors, the ids, saving and loading."""

    def __init__(self, dimension: int):
        self.dimension = dimension
        self._rows = RowVectors(dimension)
        self._index: faiss.Index | None = None
        self._recall: float | None = None

    def add(self, ids: np.ndarray, vectors: np.ndarray, facts=None) -> None:
        self._rows.add(ids, vectors)
        self._index = None

    def remove(self, ids: np.ndarray) -> None:
        self._rows.remove(ids)
        self._index = None

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        return self._rows.take(ids)

    def count(self) -> int:
        return len(self._rows)

    def recall_at_10(self) -> float | None:
        return self._recall

    @property
    def index(self) -> faiss.Index:
        if self._index is None:
            self._index = self._build()
        return self._index

    def _build(self) -> faiss.Index:
        raise NotImplementedError

    def save(self, path: Path) -> None:
        self._rows.save(path)
        faiss.write_index(self.index, str(path / INDEX_FILE))
        info = {"dimension": self.dimension, "recall_at_10": self._recall}
        (path / INFO_FILE).write_text(json.dumps(info), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "_FaissStore":
        info = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
        store = cls(info["dimension"])
        store._rows = RowVectors.load(path, info["dimension"])
        store._index = store._configured(faiss.read_index(str(path / INDEX_FILE)))
        store._recall = info["recall_at_10"]
        return store

    def _configured(self, index: faiss.Index) -> faiss.Index:
        """Search-time settings a loaded index needs (none by default)."""
        return index

    def _search_parameters(self, allowed: np.ndarray) -> faiss.SearchParameters:
        return faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, filters=None):
        params = None if allowed is None else self._search_parameters(allowed)
        return self.index.search(np.asarray(queries, dtype=np.float32), k, params=params)


class FaissFlat(_FaissStore):
    """Exact inner-product search over every row: right up to tens of thousands of chunks."""

    name, kind = "faiss-flat", "flat"

    def _build(self) -> faiss.Index:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        index.add_with_ids(np.asarray(self._rows.matrix), self._rows.ids)
        return index


class FaissHNSW(_FaissStore):
    """An HNSW graph: approximate search, sub-linear in the number of rows.

    Its recall@10 against exact search is measured on a sample of its own rows when it is
    built, and kept with it (a build reports it).
    """

    name, kind = "faiss-hnsw", "hnsw"

    def _build(self) -> faiss.Index:
        hnsw = faiss.IndexHNSWFlat(self.dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index = faiss.IndexIDMap2(self._configured(hnsw))
        index.add_with_ids(np.asarray(self._rows.matrix), self._rows.ids)
        self._index = index
        self._recall = recall_at_10(self, np.asarray(self._rows.matrix))
        return index

    def _configured(self, index: faiss.Index) -> faiss.Index:
        _hnsw_of(index).hnsw.efSearch = HNSW_EF_SEARCH
        return index

    @property
    def ef_search(self) -> int:
        """How many candidates a search keeps while walking the graph: recall against time."""
        return _hnsw_of(self.index).hnsw.efSearch

    @ef_search.setter
    def ef_search(self, value: int) -> None:
        _hnsw_of(self.index).hnsw.efSearch = value

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, filters=None):
        if allowed is not None and len(allowed) <= EXACT_ALLOWED_MAX:
            return exact_search(self, np.asarray(queries, dtype=np.float32), k, np.asarray(allowed, dtype=np.int64))
        return super().search(queries, k, allowed)

    def _search_parameters(self, allowed: np.ndarray) -> faiss.SearchParameters:
        # Parameters replace the index's own efSearch: give it explicitly, wider the fewer rows
        # are allowed (the walk passes more nodes it may not stop at).
        share = len(allowed) / max(self.count(), 1)
        ef_search = int(np.clip(self.ef_search / max(share, 1e-6) ** 0.5, self.ef_search, HNSW_EF_SEARCH_MAX))
        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        return faiss.SearchParametersHNSW(sel=selector, efSearch=ef_search)


def exact_search(store: VectorStore, queries: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact inner-product top-k among the `allowed` rows only, in the stores' result shape."""
    scores = queries @ store.vectors(allowed).T
    take = min(k, len(allowed))
    top = np.argsort(-scores, axis=1, kind="stable")[:, :take]
    found_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    found_ids = np.full((len(queries), k), -1, dtype=np.int64)
    found_scores[:, :take] = np.take_along_axis(scores, top, axis=1)
    found_ids[:, :take] = allowed[top]
    return found_scores, found_ids


def _hnsw_of(index: faiss.Index) -> faiss.Index:
    """The HNSW index itself, inside an id map or not."""
    return faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap) else index


def recall_at_10(
    store: VectorStore, vectors: np.ndarray, queries: np.ndarray | None = None, sample: int = RECALL_SAMPLE
) -> float:
    """Share of the exact top 10 over `vectors` (row i = id i) that `store` also returns for
    `queries` (by default a fixed sample of the rows themselves)."""
    if queries is None:
        rows = np.random.default_rng(0).choice(len(vectors), size=min(sample, len(vectors)), replace=False)
        queries = vectors[rows]
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    _, found = store.search(queries, 10)
    hits = sum(len(set(t) & set(f)) for t, f in zip(truth, found, strict=True))
    return round(hits / truth.size, 4)
