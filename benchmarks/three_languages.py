"""The projects set on corpora of three languages: do the settings chosen on ten generalise?

    python -m benchmarks.three_languages [--out FILE]

The held-out set of issue 16 is a corpus in three languages; the projects set's evaluation
index holds ten, so the query language's share of the searched records (which sets the keyword
weight of score fusion) is 0.13-0.21 here and about a third there. This benchmark searches the
projects set's evaluation index restricted (by the language filter) to each three of the seven
languages that have same-language queries, with the queries written in one of the three; each
query is judged on its relevant records in those languages only, and its situation is recomputed
from them. Every (query, three languages) pair counts once, pooled per split and situation, and
each system of benchmarks.situations is scored on the pool (nDCG@10, the language bias on
cross-language queries).
"""

import argparse
from itertools import combinations
from pathlib import Path

from benchmarks.common import emit
from benchmarks.situations import figures
from praxis.evaluation import metrics
from praxis.evaluation.projects import QUERIES, ProjectQuery, load_project_queries, situation
from praxis.evaluation.run import projects_systems
from praxis.settings import Settings
from praxis.workspace import Workspace

LANGUAGES = ("da", "en", "fr", "hr", "hu", "nl", "pl")
"""The projects set's languages with same-language queries."""


def restricted(queries: list[ProjectQuery], languages: tuple[str, ...], original: dict[str, str]) -> list:
    """The queries written in one of `languages` that have a relevant record in them, each judged on
    those records only, with its situation recomputed and the languages in its id."""
    out = []
    for query in queries:
        relevant = {record: grade for record, grade in query.relevant.items() if original.get(record) in languages}
        if query.language in languages and relevant:
            out.append(
                query.model_copy(
                    update={
                        "id": f"{query.id}--{'-'.join(languages)}",
                        "relevant": relevant,
                        "situation": situation(query.language, relevant, original),
                    }
                )
            )
    return out


def pooled_run(index, embedder, queries: list[ProjectQuery], mode: str, settings, original: dict) -> tuple[dict, list]:
    """One system's runs over every three languages, pooled as one run (what metrics.run_queries
    returns), and the restricted queries it answers."""
    produced, instances = {"run": {}, "top10_languages": {}}, []
    for languages in combinations(LANGUAGES, 3):
        chosen = restricted(queries, languages, original)
        made = metrics.run_queries(index, embedder, chosen, mode, settings, ("project",), list(languages))
        for key in produced:
            produced[key] |= made[key]
        instances += chosen
    return produced, instances


def main() -> None:
    parsed = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parsed.add_argument("--out", type=Path)
    args = parsed.parse_args()
    workspace = Workspace(Settings())
    index, embedder = workspace.projects_evaluation_index(), workspace.embedder
    languages = metrics.record_languages(index)
    queries = load_project_queries(QUERIES)
    results = {}
    for name, (mode, settings) in projects_systems(workspace.evaluation_settings()).items():
        produced, instances = pooled_run(index, embedder, queries, mode, settings, languages.original)
        results[name] = figures(produced, instances, {q.id: q.situation for q in instances}, languages)
    emit(results, args.out)


if __name__ == "__main__":
    main()
