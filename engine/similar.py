"""Practices nearest in meaning to one practice, in any language.

In: a loaded index, a write-up id, how many, and filters. Out: search hits (as
:func:`engine.search.result` makes them), its own language versions excluded. A practice
is compared by the mean of its chunk vectors; a neighbour scores by its best chunk
against that mean, and shows that chunk as the passage.
"""

import numpy as np

from engine.fusion import Scored
from engine.loaded import LoadedIndex
from engine.search import passages_of, result
from indexer.facets import Filters


def similar(index: LoadedIndex, doc_id: str, k: int, filters: Filters) -> list[dict]:
    """Up to `k` neighbours of `doc_id`, one version per practice, best first."""
    document = index.by_id[doc_id]
    source = index.vector_store.vectors(index.chunk_rows_by_doc[doc_id]).mean(axis=0)
    source /= max(float(np.linalg.norm(source)), 1e-12)
    allowed = index.table.mask(filters)
    allowed[index.group_positions[document.group_id]] = False
    candidates = np.flatnonzero(allowed)
    scored = _best_chunks(index, source, candidates)
    best_per_group: dict[str, int] = {}
    for position in sorted(scored.score, key=lambda d: -scored.score[d]):
        best_per_group.setdefault(index.documents[position].group_id, position)
    hits = []
    for rank, position in enumerate(list(best_per_group.values())[:k], start=1):
        score = round(scored.score[position], 6)
        explanation = {
            "dense_rank": rank,
            "dense_score": round(score, 4),
            "keyword_rank": None,
            "keyword_score": None,
            "fused_score": score,
            "filters_matched": [],
        }
        passages = passages_of(index, position, {"semantic": scored}, document.title)
        hits.append(result(index, position, score, passages, explanation))
    return hits


def _best_chunks(index: LoadedIndex, source: np.ndarray, candidates: np.ndarray) -> Scored:
    """Each candidate document's best chunk against `source`: every candidate chunk is compared
    (exactly, whatever kind of search the vector store does), with vectors read from the store."""
    scored = Scored()
    for position in candidates:
        rows = index.chunk_rows_by_doc[index.documents[position].id]
        scores = index.vector_store.vectors(rows) @ source
        best = int(np.argmax(scores))
        scored.add(int(position), int(rows[best]), float(scores[best]))
    return scored
