"""Hybrid search over a loaded index: chunks are retrieved, practices are returned.

In: a :class:`~engine.loaded.LoadedIndex`, the embedder, and a :class:`Query` (text, mode,
filters, page). Out: a :class:`SearchResult`: one hit per practice (all its language
versions count as one), scored by its best chunks, with the best passages and their
highlighted terms, its other language versions, facet counts over every practice that
matched (not just the page), and an explanation of each score.

Dense and keyword results are fused at practice level (see :mod:`engine.fusion`). Both
retrievers work through the index's stores; the query's language is detected once.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from engine.filters import Filters
from engine.fusion import Scored, best_per_practice, ranks, reciprocal_rank_fusion
from engine.loaded import LoadedIndex
from indexer.embedders import Embedder
from indexer.facets import FACETS, facet_values
from indexer.language import detect

Mode = Literal["hybrid", "semantic", "keyword"]
DENSE_CANDIDATES = 1000
KEYWORD_CANDIDATES = 500
SELECTIVE = 0.5
"""Filters leaving less than this share of chunks restrict the searches themselves."""
PREFERRED_LANGUAGE_BOOST = 1.1


@dataclass
class Query:
    text: str
    mode: Mode = "hybrid"
    filters: Filters = field(default_factory=Filters)
    page: int = 1
    page_size: int = 10
    prefer_language: str | None = None
    """Show the version in this language when there is one, and rank such practices a little higher."""
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    centre: bool = False
    """Per-language centring of dense scores (see LoadedIndex.centre)."""


@dataclass
class SearchResult:
    query_language: str | None
    total: int
    page: int
    page_size: int
    results: list[dict]
    facets: dict[str, dict[str, int]]


@lru_cache(maxsize=1024)
def _cached_query_vector(embedder: Embedder, text: str) -> np.ndarray:
    return embedder.embed_queries([text])[0]


def query_language(text: str) -> str | None:
    detected = detect(text)
    return detected[0] if detected else None


def dense_scores(
    index: LoadedIndex, embedder: Embedder, text: str, language: str | None, allowed: np.ndarray, centre: bool
) -> Scored:
    """Cosine of the query to chunks (best per allowed document), from the vector store.

    Selective filters restrict the store's search to the allowed rows; otherwise it
    searches everything and rows of filtered-out documents are skipped. With `centre`,
    the candidates are re-scored on language-centred vectors (the query centred on the
    mean of its language).
    """
    scored = Scored()
    allowed_rows = allowed[index.doc_of_row]
    available = int(allowed_rows.sum())
    if available == 0:
        return scored
    vector = _cached_query_vector(embedder, text)[None, :]
    restrict, wanted = None, min(len(index.chunks), DENSE_CANDIDATES)
    if available < len(index.chunks) * SELECTIVE:
        restrict, wanted = np.flatnonzero(allowed_rows), min(available, DENSE_CANDIDATES)
    scores, rows = index.vector_store.search(vector, wanted, restrict)
    if centre:
        centred_query = index.centre(vector[0], language)
        # Rows of -1 (fewer found than asked) are skipped below; clip them to index safely.
        scores = (index.centred_vectors[np.maximum(rows[0], 0)] @ centred_query)[None, :]
    for score, row in zip(scores[0], rows[0], strict=True):
        if row >= 0 and allowed_rows[row]:
            scored.add(int(index.doc_of_row[row]), int(row), float(score))
    return scored


def keyword_scores(index: LoadedIndex, text: str, language: str | None, allowed: np.ndarray) -> Scored:
    """BM25 of the query to chunks (best per allowed document), from the keyword store.

    Selective filters restrict the store's search to the allowed documents; otherwise
    hits of filtered-out documents are skipped.
    """
    scored = Scored()
    restrict = None
    if allowed.sum() < len(allowed) * SELECTIVE:
        restrict = {index.documents[i].id for i in np.flatnonzero(allowed)}
    for hit in index.keyword_store.search(text, language, KEYWORD_CANDIDATES, restrict):
        row = index.chunk_rows.get(hit.chunk_id)
        if row is not None and allowed[index.doc_of_row[row]]:
            scored.add(int(index.doc_of_row[row]), row, hit.score)
    return scored


def search(index: LoadedIndex, embedder: Embedder, query: Query) -> SearchResult:
    """Run one query; see the module docstring."""
    documents = index.documents
    language = query_language(query.text)
    allowed, matched_filters = query.filters.apply(documents)
    dense = keyword = Scored()
    if query.mode in ("hybrid", "semantic"):
        dense = dense_scores(index, embedder, query.text, language, allowed, query.centre)
    if query.mode in ("hybrid", "keyword"):
        keyword = keyword_scores(index, query.text, language, allowed)

    # Practice level: every language version is the same practice; its score is its best version's.
    groups: dict[str, list[int]] = defaultdict(list)
    for doc in set(dense.score) | set(keyword.score):
        groups[documents[doc].group_id].append(doc)
    group_dense, group_keyword = best_per_practice(dense, documents), best_per_practice(keyword, documents)
    dense_rank, keyword_rank = ranks(group_dense), ranks(group_keyword)
    fused = reciprocal_rank_fusion(dense_rank, keyword_rank, query.dense_weight, query.keyword_weight)
    if query.prefer_language:
        for group, docs in groups.items():
            if any(documents[d].language == query.prefer_language for d in docs):
                fused[group] *= PREFERRED_LANGUAGE_BOOST
    primary = {"hybrid": fused, "semantic": group_dense, "keyword": group_keyword}[query.mode]
    ordered = sorted(primary, key=lambda g: (-primary[g], g))
    shown = {group: _representative(groups[group], dense, keyword, index, query) for group in ordered}

    start = (query.page - 1) * query.page_size
    results = []
    for group in ordered[start : start + query.page_size]:
        doc = shown[group]
        explanation = {
            "dense_rank": dense_rank.get(group),
            "dense_score": round(group_dense[group], 4) if group in group_dense else None,
            "keyword_rank": keyword_rank.get(group),
            "keyword_score": round(group_keyword[group], 4) if group in group_keyword else None,
            "fused_score": round(fused[group], 6),
            "filters_matched": matched_filters[doc],
        }
        passages = passages_of(index, doc, dense, keyword, query.text)
        results.append(result(index, doc, round(primary[group], 6), passages, explanation))
    return SearchResult(
        query_language=language,
        total=len(ordered),
        page=query.page,
        page_size=query.page_size,
        results=results,
        facets=facet_counts(index, [_versions_allowed(index, group, allowed) for group in ordered]),
    )


def _versions_allowed(index: LoadedIndex, group: str, allowed: np.ndarray) -> list[int]:
    """The positions of a practice's versions that pass the filters."""
    positions = [index.position[version] for version in index.versions[group]]
    return [position for position in positions if allowed[position]]


def facet_counts(index: LoadedIndex, practices: list[list[int]]) -> dict[str, dict[str, int]]:
    """Per facet, how many practices (each as the positions of its matching versions) have each
    value, most first. A practice counts once per value, and under languages once for each
    language it has a version in that passes the filters: the count a language filter gives,
    and the browsing page's."""
    counts: dict[str, Counter] = {facet.name: Counter() for facet in FACETS}
    for versions in practices:
        values: dict[str, set[str]] = {facet.name: set() for facet in FACETS}
        for doc in versions:
            for name, found in facet_values(index.documents[doc]).items():
                values[name].update(found)
        for name, found in values.items():
            counts[name].update(found)
    return {name: dict(counter.most_common()) for name, counter in counts.items()}


def _representative(docs: list[int], dense: Scored, keyword: Scored, index: LoadedIndex, query: Query) -> int:
    """The version to show: the preferred language's if asked and present, else the best scoring."""
    if query.prefer_language:
        preferred = [d for d in docs if index.documents[d].language == query.prefer_language]
        docs = preferred or docs
    return max(docs, key=lambda d: (dense.score.get(d, -np.inf), keyword.score.get(d, -np.inf)))


def passages_of(index: LoadedIndex, doc: int, dense: Scored, keyword: Scored, query_text: str) -> list[dict]:
    """The chunks that matched a document (its first chunk if it matched through another version)."""
    rows = list(dict.fromkeys(r for r in (dense.row.get(doc), keyword.row.get(doc)) if r is not None))
    if not rows:
        rows = [int(index.chunk_rows_by_doc[index.documents[doc].id][0])]
    passages = []
    for row in rows:
        chunk = index.chunks[row]
        passages.append(
            {
                "chunk_id": chunk.id,
                "text": chunk.text,
                "section": chunk.section,
                "section_key": chunk.section_key,
                "line_start": chunk.line_start,
                "line_end": chunk.line_end,
                "language": chunk.language,
                "highlights": index.keyword_store.highlight(chunk.text, query_text, chunk.language),
                "matched_by": [
                    name for name, s in (("semantic", dense), ("keyword", keyword)) if s.row.get(doc) == row
                ],
            }
        )
    return passages


def result(index: LoadedIndex, doc: int, score: float, passages: list[dict], explanation: dict) -> dict:
    """One hit as the API returns it (see search_api.models.SearchHit)."""
    record = index.documents[doc]
    return {
        "id": record.id,
        "group_id": record.group_id,
        "kind": record.kind,
        "title": record.title,
        "language": record.language,
        "score": score,
        "summary": record.summary,
        "countries": record.countries,
        "themes": record.themes,
        "evidence": record.evidence,
        "status": record.status,
        "passage": passages[0]["text"],
        "passages": passages,
        "versions": versions(index, record.id),
        "project": record.project,
        "explanation": explanation,
    }


def versions(index: LoadedIndex, doc_id: str) -> list[dict]:
    """The other language versions of a document's practice, original first."""
    record = index.by_id[doc_id]
    return [
        {"id": v, "language": index.by_id[v].language, "title": index.by_id[v].title}
        for v in index.versions[record.group_id]
        if v != doc_id
    ]
