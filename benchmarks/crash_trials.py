"""Crash trials: kill -9 `praxis index` at random moments; the previous index must always load.

    python -m benchmarks.crash_trials [--trials 100] [--practices DIR] [--out FILE]

Works on a temporary copy of the corpus (by default the repository's practices, with
enough synthetic practices added that a build takes a few seconds), indexed with the
hashing embedder so that the crash points fall in parsing, chunking, faiss, whoosh and
the swap rather than all in embedding. Each trial edits a practice, starts `praxis
index`, kills it with SIGKILL after a random delay, then opens the live index (checksums
verified) and runs a search. Finally one build must complete and clean up.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import ROOT, emit
from engine.loaded import LoadedIndex
from engine.search import Query, search
from indexer.embedders import load_embedder
from indexer.taxonomy import DEFAULT_TAXONOMY

SYNTHETIC_PRACTICES = 40


def prepare(work: Path, practices: Path, docs: Path) -> None:
    shutil.copytree(practices, work / "practices")
    shutil.copytree(docs, work / "docs")
    for number in range(SYNTHETIC_PRACTICES):
        steps = " ".join(f"Step {i} of synthetic practice {number} supports families." for i in range(200))
        (work / "practices" / f"synthetic-{number}.md").write_text(
            f"---\nid: synthetic-{number}\ntitle: Synthetic practice {number}\nlanguage: en\n---\n\n"
            f"## Approach\n\n{steps}\n",
            encoding="utf-8",
        )


def index_command(work: Path) -> tuple[list[str], dict]:
    env = {**os.environ, "PRAXIS_TAXONOMY_FILE": str(DEFAULT_TAXONOMY), "PRAXIS_CACHE_DIR": str(work / "cache")}
    command = [
        sys.executable,
        "-m",
        "praxis",
        "index",
        "--practices",
        str(work / "practices"),
        "--docs",
        str(work / "docs"),
        "--index",
        str(work / "index"),
        "--embedder",
        "hashing",
    ]
    return command, env


def crash_trials(work: Path, trials: int, seed: int = 0) -> dict:
    """Run the trials in `work` (prepared); returns counts of outcomes and any failure.

    Kill delays are drawn uniformly up to the measured duration of one incremental build,
    so that the kills land all through a build (start-up, parsing, indexing, swap).
    """
    command, env = index_command(work)
    subprocess.run(command, env=env, check=True, capture_output=True)
    edit = work / "practices" / "synthetic-0.md"
    edit.write_text(edit.read_text(encoding="utf-8") + "\nTimed edit.\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    max_delay = time.perf_counter() - started
    embedder = load_embedder("hashing")
    random_delays = random.Random(seed)
    outcomes, failures, documents = Counter(), [], set()
    for trial in range(trials):
        path = work / "practices" / f"synthetic-{trial % SYNTHETIC_PRACTICES}.md"
        path.write_text(path.read_text(encoding="utf-8") + f"\nRevision {trial}.\n", encoding="utf-8")
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random_delays.uniform(0.0, max_delay))
        process.send_signal(signal.SIGKILL)
        outcomes["killed" if process.wait() == -signal.SIGKILL else "finished"] += 1
        try:
            loaded = LoadedIndex.open(work / "index", embedder)
            assert search(loaded, embedder, Query("synthetic practice families")).results
            documents.add(len(loaded.documents))
        except Exception as error:
            failures.append(f"trial {trial}: {type(error).__name__}: {error}")
    final = subprocess.run(command, env=env, capture_output=True, text=True)
    builds = sorted(p.name for p in (work / "index.builds").iterdir())
    return {
        "trials": trials,
        **outcomes,
        "failures_to_load": len(failures),
        "failure_samples": failures[:5],
        "document_counts_seen": sorted(documents),
        "final_build_ok": final.returncode == 0,
        "builds_left": len(builds),
        "unfinished_left": sum(b.endswith(".tmp") for b in builds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--practices", type=Path, default=ROOT / "practices")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prepare(Path(tmp), args.practices, args.docs)
        results = crash_trials(Path(tmp), args.trials, args.seed)
    emit(results, args.out)


if __name__ == "__main__":
    main()
