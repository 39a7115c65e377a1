"""How a record's score adds up from its chunks' scores, on both evaluation sets.

    python -m benchmarks.chunk_scores --practices-index DIR [--out FILE]

Semantic search (centred vectors, as the baselines and hybrid's first pass score) with each
record scored from the similarities of all its chunks in one of several ways: its best chunk (in
force), the mean of its best 2, 3 or 5, its best plus half the mean of the next three. A practice
scores by its best language version, as in the engine. Exact (every chunk of the searched kind
is scored, no vector store, no match threshold), scored as in benchmarks.situations: nDCG@10 per
set, split and situation, with the language bias on cross-language queries.
"""

from collections.abc import Callable

import numpy as np

from benchmarks.common import emit
from benchmarks.situations import arguments, evaluation_sets, figures
from engine.loaded import LoadedIndex
from engine.search import query_language
from praxis.evaluation import metrics
from praxis.settings import Settings
from praxis.workspace import Workspace

Aggregate = Callable[[np.ndarray], float]


def mean_of_best(count: int) -> Aggregate:
    return lambda scores: float(scores[:count].mean())


def best_plus_next(share: float) -> Aggregate:
    return lambda scores: float(scores[0] + share * scores[1:4].mean()) if len(scores) > 1 else float(scores[0])


AGGREGATES: dict[str, Aggregate] = {
    "best chunk (in force)": mean_of_best(1),
    "mean of best 2": mean_of_best(2),
    "mean of best 3": mean_of_best(3),
    "mean of best 5": mean_of_best(5),
    "best + 0.5 x next three": best_plus_next(0.5),
}


def produced(index: LoadedIndex, embedder, queries: list, kinds, aggregate: Aggregate) -> dict:
    """What metrics.run_queries returns, from exact chunk similarities added up by `aggregate`."""
    rows = np.flatnonzero(np.isin([index.documents[d].kind for d in index.doc_of_row], kinds))
    docs = index.doc_of_row[rows]
    vectors = index.centred_vectors[rows]
    runs, languages = {}, {}
    for query in queries:
        raw = embedder.embed_queries([query.text])[0]
        similarity = vectors @ index.centre(raw, query_language(query.text))
        best: dict[str, tuple[float, str]] = {}
        for doc in np.unique(docs):
            record = index.documents[doc]
            value = aggregate(np.sort(similarity[docs == doc])[::-1])
            if value > best.get(record.group_id, (-np.inf, ""))[0]:
                best[record.group_id] = (value, record.language)
        ranked = sorted(best, key=lambda group: -best[group][0])[: metrics.RUN_DEPTH]
        runs[query.id] = {group: float(len(ranked) - rank) for rank, group in enumerate(ranked)}
        languages[query.id] = [best[group][1] for group in ranked[:10]]
    return {"run": runs, "top10_languages": languages}


def main() -> None:
    args = arguments(__doc__)
    workspace = Workspace(Settings())
    embedder, results = workspace.embedder, {}
    for name, index, queries, situation_of, kinds in evaluation_sets(workspace, args.practices_index):
        languages = metrics.record_languages(index)
        results[name] = {
            label: figures(produced(index, embedder, queries, kinds, aggregate), queries, situation_of, languages)
            for label, aggregate in AGGREGATES.items()
        }
    emit(results, args.out)


if __name__ == "__main__":
    main()
