"""Peak memory of `praxis index` against the number of imported records.

    python -m benchmarks.index_memory --imports DIR [--sizes 20000 0] [--embedder hashing:384]
        [--keyword-store whoosh] [--code DIR] [--out FILE]

For each size, a copy of the imports store cut to its first N records (0: all of them, in
the order `praxis index` reads them) is indexed with the repository's practices and pages,
from a cold embedding cache and no previous build, by `praxis index --json` in its own
process under GNU time: its peak RSS, wall time, chunks and projects are reported, and its
peak RSS up to the moment it creates the vector store (the records, the embedding and the
keyword store done; the vectors and their index, linear in the corpus by nature, still to come). Then an
incremental build of the same corpus (nothing changed: every chunk from the cache, every
record reused) is measured the same way.

The hashing embedder is used so that no model time or model memory enters the figures: they
are the indexer's own. At 384 dimensions its vectors are the size of the default model's.
`--code` runs another checkout's `praxis` (a "before" snapshot, e.g. from `git archive`).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, emit


def cut_store(source: Path, target: Path, limit: int) -> int:
    """Copy the imports store `source` to `target` with only its first `limit` records (0: all); returns how many."""
    from indexer.imports.store import ImportsStore

    copied = 0
    for stored in ImportsStore(source).files():
        if limit and copied >= limit:
            break
        destination = target / stored.path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        with stored.path.open(encoding="utf-8") as read, destination.open("w", encoding="utf-8") as write:
            header = json.loads(next(read))
            lines = [line for _, line in zip(range(limit - copied if limit else 1 << 62), read, strict=False)]
            header["records"] = len(lines)
            write.write(json.dumps(header, ensure_ascii=False) + "\n")
            write.writelines(lines)
        copied += len(lines)
    return copied


PRAXIS = """
import resource, sys
import indexer.build
create = indexer.build.create_vector_store
def noted(*args, **kwargs):
    print("before-vector-store", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr, flush=True)
    return create(*args, **kwargs)
indexer.build.create_vector_store = noted
from praxis.cli import main
main()
"""
"""`praxis`, noting its peak RSS so far when the vector store is created: every record read, embedded
and written, the keyword store written, and only the vector store (and its index) still to build."""


def measure(code: Path, env: dict) -> dict:
    """Seconds, peak RSS (MiB, GNU time; and before the vector store) and the summary of one `praxis index`."""
    started = time.perf_counter()
    command = ["/usr/bin/time", "-f", "%M", sys.executable, "-c", PRAXIS, "index", "--json"]
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    summary = json.loads(done.stdout)
    lines = done.stderr.strip().splitlines()
    before_store = next(int(line.split()[1]) for line in lines if line.startswith("before-vector-store"))
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mib": round(int(lines[-1]) / 1024),
        "peak_rss_before_vector_store_mib": round(before_store / 1024),
        "chunks": summary["chunks"],
        "projects": summary["projects"],
        "embedded": summary["embedded"],
        "cache_hits": summary["cache_hits"],
        "reused_documents": summary["reused_documents"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--imports", type=Path, required=True, help="an imports store (read only)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 0], help="records per run; 0 = all")
    parser.add_argument("--embedder", default="hashing:384")
    parser.add_argument("--keyword-store", default="whoosh")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose `praxis` runs")
    parser.add_argument("--no-incremental", action="store_true", help="skip the unchanged rebuild")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = {"embedder": args.embedder, "keyword_store": args.keyword_store, "code": str(args.code), "runs": []}
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="praxis-memory-") as temporary:
            work = Path(temporary)
            records = cut_store(args.imports.resolve(), work / "imports", size)
            env = {
                **os.environ,
                "PRAXIS_IMPORTS_DIR": str(work / "imports"),
                "PRAXIS_INDEX_DIR": str(work / "index"),
                "PRAXIS_CACHE_DIR": str(work / "cache"),
                "PRAXIS_PRACTICES_DIR": str(ROOT / "practices"),
                "PRAXIS_DOCS_DIR": str(ROOT / "docs"),
                "PRAXIS_EMBEDDER": args.embedder,
                "PRAXIS_KEYWORD_STORE": args.keyword_store,
            }
            run = {"records_imported": records, "full": measure(args.code, env)}
            print(json.dumps(run), file=sys.stderr, flush=True)
            if not args.no_incremental:
                run["unchanged"] = measure(args.code, env)
                print(json.dumps(run["unchanged"]), file=sys.stderr, flush=True)
            results["runs"].append(run)
            shutil.rmtree(work / "index.builds", ignore_errors=True)
    emit(results, args.out)


if __name__ == "__main__":
    main()
