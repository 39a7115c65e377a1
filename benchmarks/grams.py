"""What the character n-grams of languages without a stemmer cost the keyword store.

    python -m benchmarks.grams [--index DIR] [--store tantivy] [--out FILE]

Indexes the chunks of an index (by default the projects set's evaluation index) into a new
keyword store, as built (the chunks in languages without a stemmer also as n-grams,
indexer.stores.grams) and with those chunks' language withheld (the same fields, no n-grams:
both go to the language-neutral field), each BUILDS times in turn, and reports for each the
fastest build time, the size on disk, and the search time of the
projects set's queries in those languages: words alone (`search`) against words and n-grams
(`search` + `search_grams`, as hybrid search asks them). Ratios are against the store without
n-grams, measured in the same run.
"""

import argparse
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.common import directory_mib, emit, percentiles, timed
from engine.loaded import LoadedIndex
from engine.search import KEYWORD_CANDIDATES
from indexer.build import keyword_chunks
from indexer.stores import keyword_store_class
from indexer.stores.grams import has_grams
from praxis.evaluation.projects import QUERIES, load_project_queries
from praxis.settings import Settings
from praxis.workspace import Workspace

ROUNDS = 5
"""Each query is searched this many times (the first warms the store's caches)."""
BUILDS = 2
"""Each store is built this many times, the two kinds in turn; the fastest build counts."""


def build(store_name: str, chunks: list, directory: Path) -> tuple:
    """A new store of `chunks` in `directory` (replacing one there), and its build time."""
    shutil.rmtree(directory, ignore_errors=True)

    def write():
        store = keyword_store_class(store_name).create(directory)
        store.add(chunks)
        store.save()
        return store

    return timed(write)


def search_times(store, texts: list[tuple[str, str]], grams: bool) -> dict:
    samples = []
    for _ in range(ROUNDS):
        for text, language in texts:
            start = time.perf_counter()
            store.search(text, language, KEYWORD_CANDIDATES)
            if grams:
                store.search_grams(text, KEYWORD_CANDIDATES)
            samples.append(time.perf_counter() - start)
    return percentiles(samples)


def main() -> None:
    parsed = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parsed.add_argument("--index", type=Path, help="a built index (default: the projects evaluation index)")
    parsed.add_argument("--store", default="tantivy", choices=["tantivy", "whoosh"])
    parsed.add_argument("--out", type=Path)
    args = parsed.parse_args()
    workspace = Workspace(Settings())
    index = LoadedIndex.open(args.index, workspace.embedder) if args.index else workspace.projects_evaluation_index()
    chunks = list(keyword_chunks(index.documents))
    withheld = [replace(chunk, language=None) if has_grams(chunk.language) else chunk for chunk in chunks]
    texts = [(q.text, q.language) for q in load_project_queries(QUERIES) if has_grams(q.language)]
    with tempfile.TemporaryDirectory() as scratch:
        seconds = {"plain": [], "grams": []}
        for _ in range(BUILDS):
            plain_store, took = build(args.store, withheld, Path(scratch) / "plain")
            seconds["plain"].append(took)
            grams_store, took = build(args.store, chunks, Path(scratch) / "grams")
            seconds["grams"].append(took)
        plain, with_grams = (
            {"build_seconds": round(min(seconds[kind]), 2), "size_mib": round(directory_mib(Path(scratch) / kind), 2)}
            for kind in ("plain", "grams")
        )
        plain["search_ms"] = search_times(plain_store, texts, grams=False)
        with_grams["search_ms"] = search_times(grams_store, texts, grams=True)
    results = {
        "store": args.store,
        "chunks": len(chunks),
        "chunks_with_grams": sum(has_grams(chunk.language) for chunk in chunks),
        "queries": len(texts),
        "without_grams": plain,
        "with_grams": with_grams,
        "ratios": {
            "build_seconds": round(with_grams["build_seconds"] / plain["build_seconds"], 2),
            "size_mib": round(with_grams["size_mib"] / plain["size_mib"], 2),
            "search_p50": round(with_grams["search_ms"]["p50"] / plain["search_ms"]["p50"], 2),
        },
    }
    emit(results, args.out)


if __name__ == "__main__":
    main()
