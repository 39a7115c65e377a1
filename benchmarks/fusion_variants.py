"""Ways to join dense and keyword evidence, on both evaluation sets, per split and situation.

    python -m benchmarks.fusion_variants --practices-index DIR [--out FILE]

Each query's evidence is computed once with the search engine (what `praxis serve` uses): the
keyword (BM25) score of each record, and the cosine of the query to every chunk of the searched
records, language-centred (the default) and raw; then every variant ranks the records from that
evidence, and ranx scores nDCG@10 on each split (tune, test) and situation (same-language,
cross-language; the sets' rules, as in benchmarks.situations), with the language bias (share
of the top 10 in the query's language over that share among the relevant records) on
cross-language queries. Variants (every weight in a grid; choose on tune, read test):

- ``semantic``, ``keyword``, ``rank fusion 1:1``: the baselines of the issue;
- ``z share*s``: the default, ``z_dense + w * z_keyword`` with ``w = s *`` the query language's
  share of the searched records;
- ``z const w``: the same with one weight for every query;
- ``z dense-share*s``: ``w = s *`` the share of the query's language among the dense top 20 (a
  per-query estimate of where the relevant records are);
- ``in-language w``: keyword evidence only reorders the query-language records among the places
  the dense ranking gave that language (the language mix stays the dense one's);
- ``prf k b``: pseudo-relevance feedback, the query vector moved by ``b`` toward the mean of the
  best chunks of the dense top ``k`` records (Rocchio), then semantic;
- ``centring a``: semantic on vectors minus ``a`` times their language's mean (1 is the default).
"""

from dataclasses import dataclass

import numpy as np
from ranx import Qrels, Run, evaluate

import engine
from benchmarks.common import emit
from benchmarks.situations import SITUATIONS, SPLITS, arguments, evaluation_sets
from engine.fusion import best_per_practice, ranks, reciprocal_rank_fusion, score_fusion, zscores
from engine.loaded import LoadedIndex
from engine.search import keyword_scores, language_share, query_language
from praxis.evaluation import metrics
from praxis.settings import Settings
from praxis.workspace import Workspace

DEPTH = 100


@dataclass
class Evidence:
    """One query's evidence: its language and situation, the keyword scores per record, and
    the raw query vector (the dense scores are computed per variant from it)."""

    query: metrics.EvaluationQuery
    situation: str
    language: str | None
    share: float
    keyword: dict[str, float]
    vector: np.ndarray


class Corpus:
    """The searched chunks of one evaluation index and their vectors, raw and centred."""

    def __init__(self, index: LoadedIndex, kinds: tuple[str, ...]):
        self.index = index
        self.allowed = index.table.mask(engine.Filters(kinds=list(kinds)))
        self.rows = np.flatnonzero(self.allowed[index.doc_of_row])
        self.group_of_row = np.array([index.documents[i].group_id for i in index.doc_of_row[self.rows]])
        self.language_of = metrics.record_languages(index).original
        self._centred: dict[float, np.ndarray] = {}

    def vectors(self, alpha: float) -> np.ndarray:
        """The searched chunks' vectors minus `alpha` times their language's mean, unit length."""
        if alpha not in self._centred:
            index, vectors = self.index, self.index.vectors[self.rows].astype(np.float64)
            means = index.language_means
            for row, position in zip(self.rows, range(len(self.rows)), strict=True):
                vectors[position] -= alpha * means.get(index.chunks[row].language, means["*"])
            self._centred[alpha] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return self._centred[alpha]

    def dense(self, vector: np.ndarray, language: str | None, alpha: float = 1.0) -> dict[str, float]:
        """Best chunk cosine per record, for the query vector centred by `alpha`."""
        means = self.index.language_means
        shifted = vector - alpha * means.get(language, means["*"])
        return self.best(self.vectors(alpha) @ (shifted / np.linalg.norm(shifted)))

    def best(self, scores: np.ndarray) -> dict[str, float]:
        best: dict[str, float] = {}
        for position in np.argsort(-scores):
            best.setdefault(self.group_of_row[position], float(scores[position]))
        return best


def gather(corpus: Corpus, embedder, queries, situation_of: dict[str, str]) -> list[Evidence]:
    out = []
    for query in queries:
        language = query_language(query.text)
        keyword = keyword_scores(corpus.index, query.text, language, corpus.allowed)
        out.append(
            Evidence(
                query,
                situation_of[query.id],
                language,
                language_share(corpus.index, language, corpus.allowed),
                best_per_practice(keyword, corpus.index.documents),
                embedder.embed_queries([query.text])[0],
            )
        )
    return out


def top(scores: dict[str, float], depth: int = DEPTH) -> list[str]:
    return sorted(scores, key=lambda key: (-scores[key], key))[:depth]


def dense_language_share(corpus: Corpus, evidence: Evidence, dense: dict[str, float]) -> float:
    best = top(dense, 20)
    return sum(corpus.language_of.get(g) == evidence.language for g in best) / max(len(best), 1)


def in_language(corpus: Corpus, evidence: Evidence, dense: dict[str, float], weight: float) -> list[str]:
    """The dense ranking whose query-language places are filled by those records re-ranked
    with keyword evidence."""
    order = top(dense, 200)
    mine = lambda g: corpus.language_of.get(g) == evidence.language  # noqa: E731
    dense_z, keyword_z = zscores(dense), zscores(evidence.keyword)
    floor = min(keyword_z.values(), default=0.0)
    pool = {g for g in order if mine(g)} | {g for g in evidence.keyword if mine(g) and g in dense_z}
    ranked = iter(sorted(pool, key=lambda g: -(dense_z[g] + weight * keyword_z.get(g, floor))))
    return [next(ranked) if mine(g) else g for g in order]


def feedback(corpus: Corpus, evidence: Evidence, k: int, beta: float) -> dict[str, float]:
    """Semantic after moving the centred query vector toward the best chunks of the top `k` records."""
    vectors = corpus.vectors(1.0)
    means = corpus.index.language_means
    query = evidence.vector - means.get(evidence.language, means["*"])
    query /= np.linalg.norm(query)
    scores = vectors @ query
    picked, seen = [], set()
    for position in np.argsort(-scores):
        if corpus.group_of_row[position] not in seen:
            seen.add(corpus.group_of_row[position])
            picked.append(position)
            if len(picked) == k:
                break
    centroid = vectors[picked].mean(axis=0)
    moved = query + beta * centroid / np.linalg.norm(centroid)
    return corpus.best(vectors @ moved)


def variants(corpus: Corpus):
    """{name: function(evidence) -> ranked record ids}."""
    dense = lambda e: corpus.dense(e.vector, e.language)  # noqa: E731
    fused = lambda e, w: top(score_fusion(dense(e), e.keyword, w)[0])  # noqa: E731
    systems = {
        "semantic": lambda e: top(dense(e)),
        "keyword": lambda e: top(e.keyword),
        "rank fusion 1:1": lambda e: top(reciprocal_rank_fusion(ranks(dense(e)), ranks(e.keyword), 1.0, 1.0)),
    }
    for scale in (1.0, 2.0, 4.0):
        systems[f"z share*{scale}"] = lambda e, s=scale: fused(e, s * e.share)
    for weight in (0.1, 0.3, 0.5):
        systems[f"z const {weight}"] = lambda e, w=weight: fused(e, w)
    for scale in (0.5, 1.0):
        systems[f"z dense-share*{scale}"] = lambda e, s=scale: fused(e, s * dense_language_share(corpus, e, dense(e)))
    for weight in (0.5, 2.0):
        systems[f"in-language {weight}"] = lambda e, w=weight: in_language(corpus, e, dense(e), w)
    for k, beta in ((3, 0.3), (5, 0.3), (10, 0.3), (5, 0.6)):
        systems[f"prf {k} {beta}"] = lambda e, k=k, b=beta: top(feedback(corpus, e, k, b))
    for alpha in (0.0, 0.5, 0.75):
        systems[f"centring {alpha}"] = lambda e, a=alpha: top(corpus.dense(e.vector, e.language, a))
    return systems


def score(corpus: Corpus, evidence: list[Evidence], ranked: dict[str, list[str]]) -> dict:
    """{split: {situation: {"queries", "ndcg@10", "bias"}}} of one variant's rankings."""
    out: dict = {}
    for split in SPLITS:
        for where in SITUATIONS:
            chosen = [e for e in evidence if e.query.split == split and e.situation == where]
            if not chosen:
                continue
            qrels = Qrels.from_dict({e.query.id: e.query.relevant for e in chosen})
            run = Run.from_dict(
                {e.query.id: {g: float(DEPTH - i) for i, g in enumerate(ranked[e.query.id])} for e in chosen}
            )
            figures = {"queries": len(chosen), "ndcg@10": round(float(evaluate(qrels, run, "ndcg@10")), 4)}
            if where == "cross-language":
                figures["bias"] = round(language_bias(corpus, chosen, ranked), 2)
            out.setdefault(split, {})[where] = figures
    return out


def language_bias(corpus: Corpus, chosen: list[Evidence], ranked: dict[str, list[str]]) -> float:
    in_top = in_relevant = 0.0
    for e in chosen:
        best = ranked[e.query.id][:10]
        in_top += sum(corpus.language_of.get(g) == e.language for g in best) / max(len(best), 1)
        in_relevant += sum(corpus.language_of.get(g) == e.language for g in e.query.relevant) / len(e.query.relevant)
    return in_top / max(in_relevant, 1e-9)


def compare(corpus: Corpus, evidence: list[Evidence]) -> dict:
    return {
        name: score(corpus, evidence, {e.query.id: system(e) for e in evidence})
        for name, system in variants(corpus).items()
    }


def main() -> None:
    args = arguments(__doc__)
    workspace = Workspace(Settings())
    results = {}
    for name, index, queries, situation_of, kinds in evaluation_sets(workspace, args.practices_index):
        corpus = Corpus(index, kinds)
        results[name] = compare(corpus, gather(corpus, workspace.embedder, queries, situation_of))
    emit(results, args.out)


if __name__ == "__main__":
    main()
