"""Both evaluation sets, every system, per split and situation: the tables of docs/evaluation.

    python -m benchmarks.situations --practices-index DIR [--out FILE]

Each system runs once over every query of a set; its run is scored (nDCG@10, and the language
bias on cross-language queries: the share of the top 10 in the query's language over that share
among the relevant records) on each split (tune, test) and situation (same-language,
cross-language; on the practices set a query is same-language when most of its records graded
2-3 are in its language, as on the projects set). Systems: keyword, semantic, equal-weight rank
fusion, the previous default (rank fusion 64:1) and the settings in force (hybrid).
"""

import argparse
import json
from pathlib import Path

from engine.loaded import LoadedIndex
from praxis.evaluation import metrics
from praxis.evaluation.projects import QUERIES, load_project_queries, situation
from praxis.evaluation.report import bias_ratio
from praxis.evaluation.run import projects_systems
from praxis.settings import Settings
from praxis.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
SPLITS = ("tune", "test")
SITUATIONS = ("same-language", "cross-language")


def table(index: LoadedIndex, embedder, queries: list, situation_of: dict, current, kinds) -> dict:
    """{system: {split: {situation: {"queries", "ndcg@10", "bias"}}}}."""
    return {
        name: system_figures(index, embedder, queries, situation_of, mode, settings, kinds)
        for name, (mode, settings) in projects_systems(current).items()
    }


def system_figures(index: LoadedIndex, embedder, queries: list, situation_of: dict, mode, settings, kinds) -> dict:
    """One system's {split: {situation: {"queries", "ndcg@10", "bias"}}}."""
    produced = metrics.run_queries(index, embedder, queries, mode, settings, kinds=kinds)
    return figures(produced, queries, situation_of, metrics.record_languages(index))


def figures(produced: dict, queries: list, situation_of: dict, languages: metrics.RecordLanguages) -> dict:
    """A run's (what metrics.run_queries returns) {split: {situation: {"queries", "ndcg@10", "bias"}}}."""
    out = {}
    for split in SPLITS:
        out[split] = {}
        for where in SITUATIONS:
            chosen = [q for q in queries if q.split == split and situation_of[q.id] == where]
            if not chosen:
                continue
            scored = metrics.score(chosen, produced, languages)
            out[split][where] = {
                "queries": len(chosen),
                "ndcg@10": scored.overall.get("ndcg@10"),
                "bias": bias_ratio(scored.language_bias),
            }
    return out


def parser(description: str) -> argparse.ArgumentParser:
    """The command line of the benchmarks over both evaluation sets: the practices index, and where to write."""
    parsed = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parsed.add_argument("--practices-index", type=Path, required=True)
    parsed.add_argument("--out", type=Path)
    return parsed


def arguments(description: str) -> argparse.Namespace:
    return parser(description).parse_args()


def set_queries(name: str, index: LoadedIndex) -> tuple[list, dict, tuple[str, ...]]:
    """A set's ("practices" or "projects") queries, {query id: situation} and the record kinds it
    searches; a practices query's situation follows the languages of `index`'s practices."""
    if name == "projects":
        queries = load_project_queries(QUERIES)
        return queries, {q.id: q.situation for q in queries}, ("project",)
    queries = metrics.load_queries(ROOT / "evaluation" / "queries.yml")
    original = metrics.record_languages(index).original
    return queries, {q.id: situation(q.language, q.relevant, original) for q in queries}, ("practice",)


def evaluation_sets(workspace: Workspace, practices_index: Path):
    """Both sets, each as (name, index, queries, {query id: situation}, record kinds searched)."""
    practices = LoadedIndex.open(practices_index, workspace.embedder)
    yield "practices", practices, *set_queries("practices", practices)
    projects = workspace.projects_evaluation_index()
    yield "projects", projects, *set_queries("projects", projects)


def main() -> None:
    args = arguments(__doc__)
    workspace = Workspace(Settings())
    embedder, current = workspace.embedder, workspace.evaluation_settings()
    results = {
        name: table(index, embedder, queries, situation_of, current, kinds)
        for name, index, queries, situation_of, kinds in evaluation_sets(workspace, args.practices_index)
    }
    text = json.dumps(results, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
