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


def record_similarities(index: LoadedIndex, embedder, queries: list, kinds) -> dict[str, list]:
    """{query id: [(group id, language, the record's chunk similarities, best first)]} over the
    records of `kinds`: every query embedded and scored once, for all the aggregates."""
    rows = np.flatnonzero(np.isin([index.documents[d].kind for d in index.doc_of_row], kinds))
    order = np.argsort(index.doc_of_row[rows], kind="stable")
    rows = rows[order]
    docs, starts = np.unique(index.doc_of_row[rows], return_index=True)
    vectors = index.centred_vectors[rows]
    out = {}
    for query in queries:
        raw = embedder.embed_queries([query.text])[0]
        similarity = vectors @ index.centre(raw, query_language(query.text))
        out[query.id] = [
            (index.documents[doc].group_id, index.documents[doc].language, np.sort(chunk)[::-1])
            for doc, chunk in zip(docs, np.split(similarity, starts[1:]), strict=True)
        ]
    return out


def produced(similarities: dict[str, list], aggregate: Aggregate) -> dict:
    """What metrics.run_queries returns, from the records' chunk similarities added up by
    `aggregate` (a practice by its best version)."""
    ranked = {}
    for query_id, records in similarities.items():
        best: dict[str, tuple[float, str]] = {}
        for group, language, chunks in records:
            value = aggregate(chunks)
            if value > best.get(group, (-np.inf, ""))[0]:
                best[group] = (value, language)
        order = sorted(best, key=lambda group: -best[group][0])[: metrics.RUN_DEPTH]
        ranked[query_id] = [(group, best[group][1]) for group in order]
    return metrics.ranked_run(ranked)


def main() -> None:
    args = arguments(__doc__)
    workspace = Workspace(Settings())
    embedder, results = workspace.embedder, {}
    for name, index, queries, situation_of, kinds in evaluation_sets(workspace, args.practices_index):
        languages = metrics.record_languages(index)
        similarities = record_similarities(index, embedder, queries, kinds)
        results[name] = {
            label: figures(produced(similarities, aggregate), queries, situation_of, languages)
            for label, aggregate in AGGREGATES.items()
        }
    emit(results, args.out)


if __name__ == "__main__":
    main()
