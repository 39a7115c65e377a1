"""From chunk scores to practice ranks, and the fusion of dense and keyword ranks.

In: best chunk scores per document (:class:`Scored`) from each retriever. Out: one score
per practice (a practice scores by its best language version), ranks, and the weighted
reciprocal rank fusion ``w_dense / (K + dense_rank) + w_keyword / (K + keyword_rank)``.
"""

from dataclasses import dataclass, field

import numpy as np

from indexer.layout import Record

RRF_K = 60


@dataclass
class Scored:
    """Best score and chunk row per document (by its position in the index)."""

    score: dict[int, float] = field(default_factory=dict)
    row: dict[int, int] = field(default_factory=dict)

    def add(self, doc: int, row: int, score: float) -> None:
        if score > self.score.get(doc, -np.inf):
            self.score[doc], self.row[doc] = score, row


def best_per_practice(scored: Scored, documents: list[Record]) -> dict[str, float]:
    """Best chunk score per practice (group id): a practice scores by its best language version."""
    best: dict[str, float] = {}
    for doc, score in scored.score.items():
        group = documents[doc].group_id
        best[group] = max(best.get(group, -np.inf), score)
    return best


def ranks(scores: dict[str, float]) -> dict[str, int]:
    """Rank (1 = best) of each key by descending score."""
    return {key: rank for rank, key in enumerate(sorted(scores, key=lambda k: -scores[k]), start=1)}


def reciprocal_rank_fusion(
    dense_rank: dict[str, int], keyword_rank: dict[str, int], dense_weight: float, keyword_weight: float
) -> dict[str, float]:
    """Practice scores ``w_dense / (K + dense_rank) + w_keyword / (K + keyword_rank)``."""
    return {
        key: (dense_weight / (RRF_K + dense_rank[key]) if key in dense_rank else 0.0)
        + (keyword_weight / (RRF_K + keyword_rank[key]) if key in keyword_rank else 0.0)
        for key in dense_rank | keyword_rank
    }
