"""From chunk scores to practice ranks, and the fusion of dense and keyword ranks.

In: best chunk scores per document (:class:`Scored`) from each retriever. Out: one score
per practice (a practice scores by its best language version), ranks, and two fusions:

- weighted reciprocal rank fusion ``w_dense / (K + dense_rank) + w_keyword / (K + keyword_rank)``;
- calibrated score fusion (the default, see docs/evaluation): each retriever's practice scores
  turned into z-scores over the query's candidates, ``z_dense + w * z_keyword + t * z_terminology
  + g * z_grams`` (from the query's expansion into other languages, :mod:`engine.terminology`, ``t``
  a constant weight; and from the character n-grams of a query in a language without a stemmer,
  :mod:`indexer.stores.grams`, ``g`` a scale times the share below), where the keyword
  weight ``w`` is the share of the searched records written in the query's language times a scale
  (:func:`language_share_weight`). Keywords match within a language (the stores' analysers are per
  language): when few of the searched records are in the query's language a keyword ranking
  mostly ranks the wrong records first, and its weight falls with that share, to nothing when no
  searched record is in the query's language. A practice missing from one list gets that list's
  lowest z-score.
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


def zscores(scores: dict[str, float]) -> dict[str, float]:
    """Each score as standard deviations from the mean of `scores` (a constant list gives zeros)."""
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    mean, spread = float(values.mean()), float(values.std())
    return {key: (value - mean) / spread if spread > 0 else 0.0 for key, value in scores.items()}


def language_share_weight(share: float, scale: float) -> float:
    """The keyword weight of score fusion: `scale` times the share (0 to 1) of the searched
    records in the query's language."""
    return scale * min(max(share, 0.0), 1.0)


def score_fusion(
    lists: dict[str, dict[str, float]], weights: dict[str, float]
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Practice scores ``sum of weights[name] * z[name]`` over the named lists, and each list's z-scores.

    The z-scores are over each list's own candidates; a practice absent from a list gets that
    list's lowest z-score (it scored below every candidate the list kept). An empty list adds
    nothing.
    """
    zmaps = {name: zscores(scores) for name, scores in lists.items()}
    floors = {name: min(z.values(), default=0.0) for name, z in zmaps.items()}
    candidates = set().union(*zmaps.values())
    fused = {key: sum(weights[name] * z.get(key, floors[name]) for name, z in zmaps.items()) for key in candidates}
    return fused, zmaps
