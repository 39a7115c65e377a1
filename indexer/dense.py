"""The dense half of the index: faiss over L2-normalised vectors (inner product = cosine).

In: a (n, d) float32 matrix whose row i is chunk i. Out: a faiss index whose ids are row
numbers. Small corpora get exact search (``IndexFlatIP``); past a threshold an HNSW
graph, whose recall@10 against exact search is measured on a sample and reported.
"""

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
RECALL_SAMPLE = 200


@dataclass
class DenseBuild:
    index: faiss.Index
    kind: str
    recall_at_10: float | None
    """recall@10 of the approximate index against exact search; None when exact."""


def build_dense(vectors: np.ndarray, ann_threshold: int) -> DenseBuild:
    """An exact index for up to `ann_threshold` rows, an HNSW one beyond."""
    dimension = vectors.shape[1]
    if len(vectors) <= ann_threshold:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        index.add_with_ids(vectors, np.arange(len(vectors), dtype=np.int64))
        return DenseBuild(index, "flat", None)
    hnsw = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    hnsw.hnsw.efSearch = HNSW_EF_SEARCH
    hnsw.add(vectors)
    return DenseBuild(hnsw, "hnsw", recall_at_10(hnsw, vectors))


def recall_at_10(
    index: faiss.Index, vectors: np.ndarray, queries: np.ndarray | None = None, sample: int = RECALL_SAMPLE
) -> float:
    """Share of the exact top 10 over `vectors` that `index` also returns for `queries`
    (by default a fixed sample of the rows themselves)."""
    if queries is None:
        rows = np.random.default_rng(0).choice(len(vectors), size=min(sample, len(vectors)), replace=False)
        queries = vectors[rows]
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    _, found = index.search(queries, 10)
    hits = sum(len(set(t) & set(f)) for t, f in zip(truth, found, strict=True))
    return round(hits / truth.size, 4)


def save_dense(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_dense(path: Path) -> faiss.Index:
    index = faiss.read_index(str(path))
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index
