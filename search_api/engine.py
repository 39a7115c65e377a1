"""Hybrid search over a loaded index: chunks are retrieved, practices are returned.

In: a :class:`~search_api.loaded.LoadedIndex`, the embedder, and a :class:`Query`
(text, mode, filters, page). Out: a :class:`SearchResult`: one hit per practice (all its
language versions count as one), scored by its best chunks, with the best passages and
their highlighted terms, its other language versions, facet counts over every practice
that matched (not just the page), and an explanation of each score.

Dense and keyword results are fused at practice level by weighted reciprocal rank fusion:
``w_dense / (K + dense_rank) + w_keyword / (K + keyword_rank)``.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import faiss
import numpy as np
from whoosh import query as wq

from indexer.embedders import Embedder
from indexer.keyword import analyzer_for, field_for, keyword_query
from indexer.language import detect
from search_api.loaded import LoadedIndex

Mode = Literal["hybrid", "semantic", "keyword"]
RRF_K = 60
DENSE_CANDIDATES = 1000
KEYWORD_CANDIDATES = 500
SELECTIVE = 0.5
"""Filters leaving less than this share of chunks restrict the searches themselves."""
FACET_FIELDS = ("language", "countries", "themes", "target_groups", "methods", "evidence", "status")


@dataclass
class Filters:
    """Within a field any value matches; across fields all must (empty means any)."""

    languages: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    period_from: int | None = None
    period_to: int | None = None
    kinds: list[str] = field(default_factory=lambda: ["practice"])

    def matched(self, document: dict) -> list[str] | None:
        """The filters this document satisfies (for explanations), or None if one fails."""
        values = facet_values(document)
        matched = []
        for name, wanted in (
            ("language", self.languages),
            ("countries", self.countries),
            ("themes", self.themes),
            ("target_groups", self.target_groups),
            ("methods", self.methods),
            ("evidence", self.evidence),
            ("status", self.status),
        ):
            if not wanted:
                continue
            hits = sorted(set(wanted) & set(values[name]))
            if not hits:
                return None
            matched += [f"{name}={value}" for value in hits]
        if document["kind"] not in self.kinds:
            return None
        if self.period_from is not None or self.period_to is not None:
            period = (document.get("meta") or {}).get("period") or {}
            start, end = period.get("start"), period.get("end")
            end = 9999 if end == "ongoing" or end is None else end
            if start is None or (self.period_to is not None and start > self.period_to):
                return None
            if self.period_from is not None and end < self.period_from:
                return None
            matched.append(f"period={start}-{'' if end == 9999 else end}")
        return matched


def facet_values(document: dict) -> dict[str, list[str]]:
    meta = document.get("meta") or {}
    return {
        "language": [document["language"]],
        "countries": meta.get("countries", []),
        "themes": meta.get("themes", []),
        "target_groups": meta.get("target_groups", []),
        "methods": meta.get("methods", []),
        "evidence": [level] if (level := (meta.get("evidence") or {}).get("level")) else [],
        "status": [status] if (status := (meta.get("validation") or {}).get("status")) else [],
    }


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
class Scored:
    """Best score and chunk row per document, and the document ranks they give."""

    score: dict[int, float] = field(default_factory=dict)
    row: dict[int, int] = field(default_factory=dict)

    def add(self, doc: int, row: int, score: float) -> None:
        if score > self.score.get(doc, -np.inf):
            self.score[doc], self.row[doc] = score, row


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


def dense_scores(index: LoadedIndex, embedder: Embedder, text: str, allowed: np.ndarray, centre: bool) -> Scored:
    """Cosine of the query to chunks (best per allowed document), searched with faiss.

    Selective filters restrict faiss itself (an id selector); otherwise faiss searches
    everything and rows of filtered-out documents are skipped. With `centre`, faiss's
    candidates are re-scored on language-centred vectors (the query centred on the mean
    of its detected language).
    """
    scored = Scored()
    allowed_rows = allowed[index.doc_of_row]
    available = int(allowed_rows.sum())
    if available == 0:
        return scored
    vector = _cached_query_vector(embedder, text)[None, :]
    params, wanted = None, min(len(index.chunks), DENSE_CANDIDATES)
    if available < len(index.chunks) * SELECTIVE:
        selector = faiss.IDSelectorBatch(np.flatnonzero(allowed_rows).astype(np.int64))
        hnsw = isinstance(index.dense, faiss.IndexHNSW)
        params = faiss.SearchParametersHNSW(sel=selector) if hnsw else faiss.SearchParameters(sel=selector)
        wanted = min(available, DENSE_CANDIDATES)
    scores, rows = index.dense.search(vector, wanted, params=params)
    if centre:
        language = detect(text)
        centred_query = index.centre(vector[0], language[0] if language else None)
        # Rows of -1 (faiss found fewer than asked) are skipped below; clip them to index safely.
        scores = (index.centred_vectors[np.maximum(rows[0], 0)] @ centred_query)[None, :]
    for score, row in zip(scores[0], rows[0], strict=True):
        if row >= 0 and allowed_rows[row]:
            scored.add(int(index.doc_of_row[row]), int(row), float(score))
    return scored


def keyword_scores(index: LoadedIndex, text: str, allowed: np.ndarray) -> Scored:
    """BM25F of the query to chunks (best per allowed document), searched with whoosh.

    Selective filters become a whoosh filter on document ids; otherwise hits of
    filtered-out documents are skipped.
    """
    scored = Scored()
    language = detect(text)
    restrict = None
    if allowed.sum() < len(allowed) * SELECTIVE:
        if not allowed.any():
            return scored
        restrict = wq.Or([wq.Term("doc_id", index.documents[i]["id"]) for i in np.flatnonzero(allowed)])
    with index.keyword.searcher() as searcher:
        parsed = keyword_query(searcher, text, language[0] if language else None)
        for hit in searcher.search(parsed, limit=KEYWORD_CANDIDATES, filter=restrict):
            row = index.chunk_rows.get(hit["chunk_id"])
            if row is not None and allowed[index.doc_of_row[row]]:
                scored.add(int(index.doc_of_row[row]), row, float(hit.score))
    return scored


def highlight(text: str, query: str, language: str | None) -> list[list[int]]:
    """Character spans of `text` whose analysed form matches an analysed query term."""
    analyzer = analyzer_for(field_for(language).removeprefix("text_"))
    terms = {token.text for token in analyzer(query)}
    return [[t.startchar, t.endchar] for t in analyzer(text, chars=True, mode="index") if t.text in terms]


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


def best_per_practice(scored: Scored, documents: list[dict]) -> dict[str, float]:
    """Best chunk score per practice (group id): a practice scores by its best language version."""
    best: dict[str, float] = {}
    for doc, score in scored.score.items():
        group = documents[doc]["group_id"]
        best[group] = max(best.get(group, -np.inf), score)
    return best


def search(index: LoadedIndex, embedder: Embedder, query: Query) -> SearchResult:
    """Run one query; see the module docstring."""
    documents = index.documents
    matched_filters = [query.filters.matched(d) for d in documents]
    allowed = np.array([m is not None for m in matched_filters], dtype=bool)
    dense = keyword = Scored()
    if query.mode in ("hybrid", "semantic"):
        dense = dense_scores(index, embedder, query.text, allowed, query.centre)
    if query.mode in ("hybrid", "keyword"):
        keyword = keyword_scores(index, query.text, allowed)

    # Practice level: every language version is the same practice; its score is its best version's.
    groups: dict[str, list[int]] = defaultdict(list)
    for doc in set(dense.score) | set(keyword.score):
        groups[documents[doc]["group_id"]].append(doc)
    group_dense, group_keyword = best_per_practice(dense, documents), best_per_practice(keyword, documents)
    dense_rank, keyword_rank = ranks(group_dense), ranks(group_keyword)
    fused = reciprocal_rank_fusion(dense_rank, keyword_rank, query.dense_weight, query.keyword_weight)
    if query.prefer_language:
        for group, docs in groups.items():
            if any(documents[d]["language"] == query.prefer_language for d in docs):
                fused[group] *= 1.1
    primary = {"hybrid": fused, "semantic": group_dense, "keyword": group_keyword}[query.mode]
    ordered = sorted(primary, key=lambda g: (-primary[g], g))
    shown = {group: _representative(groups[group], dense, keyword, documents, query) for group in ordered}

    facets: dict[str, Counter] = {name: Counter() for name in FACET_FIELDS}
    for doc in shown.values():
        for name, values in facet_values(documents[doc]).items():
            facets[name].update(set(values))
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
        results.append(_result(index, doc, round(primary[group], 6), dense, keyword, query, explanation))
    detected = detect(query.text)
    return SearchResult(
        query_language=detected[0] if detected else None,
        total=len(ordered),
        page=query.page,
        page_size=query.page_size,
        results=results,
        facets={name: dict(counter.most_common()) for name, counter in facets.items()},
    )


def _representative(docs: list[int], dense: Scored, keyword: Scored, documents: list[dict], query: Query) -> int:
    """The version to show: the preferred language's if asked and present, else the best scoring."""
    if query.prefer_language:
        preferred = [d for d in docs if documents[d]["language"] == query.prefer_language]
        docs = preferred or docs
    return max(docs, key=lambda d: (dense.score.get(d, -np.inf), keyword.score.get(d, -np.inf)))


def _result(
    index: LoadedIndex, doc: int, score: float, dense: Scored, keyword: Scored, query: Query, explanation: dict
) -> dict:
    document = index.documents[doc]
    rows = list(dict.fromkeys(r for r in (dense.row.get(doc), keyword.row.get(doc)) if r is not None))
    if not rows:  # matched through another language version only
        rows = [int(index.chunk_rows_by_doc[document["id"]][0])]
    passages = []
    for row in rows:
        chunk = index.chunks[row]
        passages.append(
            {
                "chunk_id": chunk["id"],
                "text": chunk["text"],
                "section": chunk["section"],
                "section_key": chunk["section_key"],
                "line_start": chunk["line_start"],
                "line_end": chunk["line_end"],
                "language": chunk["language"],
                "highlights": highlight(chunk["text"], query.text, chunk["language"]),
                "matched_by": [
                    name for name, s in (("semantic", dense), ("keyword", keyword)) if s.row.get(doc) == row
                ],
            }
        )
    meta = document.get("meta") or {}
    return {
        "id": document["id"],
        "group_id": document["group_id"],
        "kind": document["kind"],
        "title": document["title"],
        "language": document["language"],
        "score": score,
        "summary": meta.get("summary") or document.get("extra", {}).get("description"),
        "countries": meta.get("countries", []),
        "themes": meta.get("themes", []),
        "evidence": (meta.get("evidence") or {}).get("level"),
        "status": (meta.get("validation") or {}).get("status"),
        "passage": passages[0]["text"],
        "passages": passages,
        "versions": [
            {"id": v, "language": index.by_id[v]["language"], "title": index.by_id[v]["title"]}
            for v in index.versions[document["group_id"]]
            if v != document["id"]
        ],
        "explanation": explanation,
    }


def similar(index: LoadedIndex, doc_id: str, k: int, filters: Filters) -> list[dict]:
    """Practices nearest to one practice, in any language, its own versions excluded.

    A practice is compared by the mean of its chunk vectors; a neighbour scores by its best
    chunk against that mean, and shows that chunk as the passage.
    """
    document = index.by_id[doc_id]
    source = index.vectors[index.chunk_rows_by_doc[doc_id]].mean(axis=0)
    source /= max(float(np.linalg.norm(source)), 1e-12)
    scores = index.vectors @ source
    scored = Scored()
    for doc_number, candidate in enumerate(index.documents):
        if candidate["group_id"] == document["group_id"] or filters.matched(candidate) is None:
            continue
        rows = index.chunk_rows_by_doc[candidate["id"]]
        best = int(rows[np.argmax(scores[rows])])
        scored.add(doc_number, best, float(scores[best]))
    best_per_group: dict[str, int] = {}
    for doc_number in sorted(scored.score, key=lambda d: -scored.score[d]):
        best_per_group.setdefault(index.documents[doc_number]["group_id"], doc_number)
    hits = []
    query = Query(text=document["title"])
    for rank, doc_number in enumerate(list(best_per_group.values())[:k], start=1):
        score = round(scored.score[doc_number], 6)
        explanation = {
            "dense_rank": rank,
            "dense_score": round(score, 4),
            "keyword_rank": None,
            "keyword_score": None,
            "fused_score": score,
            "filters_matched": [],
        }
        hits.append(_result(index, doc_number, score, scored, Scored(), query, explanation))
    return hits
