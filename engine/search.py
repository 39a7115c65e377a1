"""Hybrid search over a loaded index: chunks are retrieved, practices are returned.

In: a :class:`~engine.loaded.LoadedIndex`, the embedder, and a :class:`Query` (text, mode,
filters, page). Out: a :class:`SearchResult`: one hit per practice (all its language
versions count as one), scored by its best chunks, with the best passages and their
highlighted terms, its other language versions, the total and facet counts over every
practice that matched (not just the page), and an explanation of each score.

What matches a query: a record with a keyword hit, or with a chunk whose similarity to the
query stands out of the background, at least `MATCH_Z` standard deviations above the
query's mean similarity to a fixed sample of the index's chunks (calibrated per query, so
it holds for any embedder and for queries in any language). Both retrievers look to a
bounded depth (`DENSE_CANDIDATES` chunks, `KEYWORD_CANDIDATES` chunks), so the total
counts matches up to that depth. Dense and keyword results are fused at practice level
(see :mod:`engine.fusion`). Both retrievers work through the index's stores; the query's
language is detected once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from engine.fusion import (
    Scored,
    best_per_practice,
    language_share_weight,
    ranks,
    reciprocal_rank_fusion,
    score_fusion,
)
from engine.loaded import SIMILARITY_SAMPLE, LoadedIndex
from engine.terminology import Expansion, default_terminology
from indexer.embedders import Embedder
from indexer.facets import Filters
from indexer.language import detect
from indexer.stores.grams import has_grams

Mode = Literal["hybrid", "semantic", "keyword"]
Fusion = Literal["zscore", "rrf"]
DENSE_CANDIDATES = 1000
KEYWORD_CANDIDATES = 500
TERMINOLOGY_CANDIDATES = 100
"""Chunks the expansion's keyword search takes per language (one search per language of the
searched records): the hits cost most of its time (docs/benchmarks)."""
SELECTIVE = 0.5
"""Filters leaving less than this share of chunks restrict the dense search itself."""
KEYWORD_RESTRICT_MAX = 20_000
"""Up to this many allowed documents are named to the keyword store; beyond, its hits are filtered."""
MATCH_Z = 1.0
"""How far (in standard deviations of the background) a dense match stands above it; tuned
on the evaluation sets (docs/evaluation), see the module docstring."""
MIN_BACKGROUND = 256
"""Fewer sampled chunks than this among the allowed ones: sample the allowed rows instead."""
FEEDBACK_RECORDS = 5
FEEDBACK_WEIGHT = 0.3
"""Hybrid search's pseudo-relevance feedback (see with_feedback): records and weight chosen on
the tune splits of both evaluation sets (docs/evaluation)."""
PREFERRED_LANGUAGE_BOOST = 1.1
LANGUAGE_SAMPLE_CHARS = 300


@dataclass
class Query:
    text: str
    mode: Mode = "hybrid"
    filters: Filters = field(default_factory=Filters)
    page: int = 1
    page_size: int = 10
    prefer_language: str | None = None
    """Show the version in this language when there is one, and rank such practices a little higher."""
    fusion: Fusion = "zscore"
    """How hybrid joins the two rankings (see engine.fusion): calibrated score fusion with a keyword
    weight from the query language's share of the searched records, or weighted rank fusion."""
    language_share_scale: float = 0.5
    """zscore: the keyword weight is this times the share of searched records in the query's language."""
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    """rrf: the weights of the dense and keyword ranks."""
    centre: bool = False
    """Per-language centring of dense scores (see LoadedIndex.centre)."""
    feedback: bool = True
    """hybrid: a second dense pass with pseudo-relevance feedback (see with_feedback)."""
    project_raw_similarity: float = 0.0
    """hybrid with centring: how much of a project record's dense score comes from the raw
    (uncentred) similarity, the rest from the centred one (see Background.mixed)."""
    terminology_weight: float = 0.0
    """hybrid, zscore: the weight of the keyword matches of the query's expansion through the
    field's terminology into every language (engine.terminology); 0 expands nothing."""
    grams_scale: float = 0.0
    """hybrid, zscore, a query in a language without a stemmer: the weight of its character
    n-gram matches (see gram_scores) is this times the query language's share of the searched
    records; 0 leaves them out."""


@dataclass
class SearchResult:
    query_language: str | None
    total: int
    page: int
    page_size: int
    results: list[dict]
    facets: dict[str, dict[str, int]]
    expansion: dict | None = None
    """The concepts the query named and the languages they were searched in (engine.terminology),
    or None when it was not expanded."""


@lru_cache(maxsize=1024)
def _cached_query_vector(embedder: Embedder, text: str) -> np.ndarray:
    return embedder.embed_queries([text])[0]


def searchable(text: str) -> bool:
    """Whether `text` has anything to search by (a letter or a digit): blank or punctuation-only
    text would still rank records, by nothing."""
    return any(character.isalnum() for character in text)


def query_language(text: str) -> str | None:
    """The query's language, from its first `LANGUAGE_SAMPLE_CHARS` characters: enough to call
    it, and langdetect's time grows with the text (a 300-word description took 30 ms)."""
    detected = detect(text[:LANGUAGE_SAMPLE_CHARS])
    return detected[0] if detected else None


def dense_scores(
    index: LoadedIndex,
    embedder: Embedder,
    text: str,
    language: str | None,
    allowed: np.ndarray,
    centre: bool,
    filters: Filters | None = None,
    feedback: bool = False,
    project_raw_similarity: float = 0.0,
) -> Scored:
    """Cosine of the query to chunks (best per allowed document), from the vector store; only
    chunks that stand out of the background count (see the module docstring).

    Selective filters restrict the store's search to the allowed rows; otherwise it
    searches everything and rows of filtered-out documents are skipped. With `centre`,
    the candidates are re-scored on language-centred vectors (the query centred on the
    mean of its language). With `feedback`, a second pass searches with the query moved
    toward what the first pass found best (:func:`with_feedback`). With `project_raw_similarity`
    (and `centre`), project records score partly by their raw similarity (:meth:`Background.mixed`).
    """
    allowed_rows = allowed[index.doc_of_row]
    if not allowed_rows.any():
        return Scored()
    raw = _cached_query_vector(embedder, text)
    probe = Probe(raw, index.centre(raw, language) if centre else raw)
    background = Background.of(index, background_rows(index, allowed_rows), centre, project_raw_similarity)
    rows = candidate_rows(index, probe.raw, allowed_rows, filters)
    scored = matches(index, probe, rows, allowed_rows, background)
    if feedback and scored.score:
        probe = with_feedback(index, probe, scored, centre)
        rows = np.union1d(rows, candidate_rows(index, probe.raw, allowed_rows, filters))
        scored = matches(index, probe, rows, allowed_rows, background)
    return scored


@dataclass
class Probe:
    """A query vector as the vector store searches it (`raw`) and as candidates are scored
    (`scoring`: centred on the query language's mean when centring, else `raw`)."""

    raw: np.ndarray
    scoring: np.ndarray


def candidate_rows(index: LoadedIndex, vector: np.ndarray, allowed_rows: np.ndarray, filters: Filters | None):
    """The vector store's nearest chunk rows to `vector` (at most DENSE_CANDIDATES), within the
    allowed rows when filters are selective."""
    available = int(allowed_rows.sum())
    restrict, wanted = None, min(len(index.chunks), DENSE_CANDIDATES)
    if available < len(index.chunks) * SELECTIVE:
        restrict, wanted = np.flatnonzero(allowed_rows), min(available, DENSE_CANDIDATES)
    _, rows = index.vector_store.search(vector[None, :], wanted, restrict, filters)
    return rows[0][rows[0] >= 0]


def scoring_vectors(index: LoadedIndex, rows: np.ndarray, centre: bool) -> np.ndarray:
    return index.centred_vectors[rows] if centre else index.vector_store.vectors(rows)


@dataclass
class Background:
    """The vectors of background_rows that calibrate a query's similarities: as scored (centred
    when centring) and, when project records also score by their raw similarity, raw."""

    centre: bool
    scoring: np.ndarray
    raw: np.ndarray | None
    project_raw_similarity: float

    @classmethod
    def of(cls, index: LoadedIndex, rows: np.ndarray, centre: bool, project_raw_similarity: float) -> "Background":
        mixing = centre and project_raw_similarity > 0
        raw = index.vector_store.vectors(rows) if mixing else None
        return cls(centre, scoring_vectors(index, rows, centre), raw, project_raw_similarity if mixing else 0.0)

    def scores(self, index: LoadedIndex, probe: Probe, rows: np.ndarray) -> tuple[np.ndarray, float]:
        """The dense scores of chunk `rows` for `probe` (their similarity as scored, or mixed) and
        the match threshold the background sets for it."""
        background = self.scoring @ probe.scoring
        scores = scoring_vectors(index, rows, self.centre) @ probe.scoring
        if self.raw is not None:
            raw = index.vector_store.vectors(rows) @ probe.raw
            scores = self.mixed(scores, raw, index.project_rows[rows], background, self.raw @ probe.raw)
        return scores, match_threshold(background)

    def mixed(
        self,
        centred: np.ndarray,
        raw: np.ndarray,
        projects: np.ndarray,
        background_centred: np.ndarray,
        background_raw: np.ndarray,
    ) -> np.ndarray:
        """Project rows' scores ``mu + sigma * ((1 - a) * z_centred + a * z_raw)``: each similarity
        as standard deviations above this query's background in its own space, mixed with the
        weight ``a`` and put back on the centred scale (``mu``, ``sigma`` of the centred
        background), so the match threshold and the other records' scores stay as they are.

        Why projects: centring takes out what a language's records share, which for a practice
        write-up is its language, but for a funded project also its country's programmes: a
        query in Dutch about Dutch schooling is best answered by Dutch projects, and the raw
        similarity keeps that (measured in docs/evaluation/projects.md)."""
        mean, spread = float(background_centred.mean()), max(float(background_centred.std()), 1e-12)
        z_centred = (centred - mean) / spread
        z_raw = (raw - float(background_raw.mean())) / max(float(background_raw.std()), 1e-12)
        weight = self.project_raw_similarity * projects
        return mean + spread * ((1 - weight) * z_centred + weight * z_raw)


def matches(
    index: LoadedIndex, probe: Probe, rows: np.ndarray, allowed_rows: np.ndarray, background: Background
) -> Scored:
    """Best scoring chunk per allowed document among `rows`, for chunks above the match threshold
    that `background` sets for this probe."""
    scored = Scored()
    rows = rows[allowed_rows[rows]]
    scores, threshold = background.scores(index, probe, rows)
    for score, row in zip(scores, rows, strict=True):
        if score >= threshold:
            scored.add(int(index.doc_of_row[row]), int(row), float(score))
    return scored


def with_feedback(index: LoadedIndex, probe: Probe, scored: Scored, centre: bool) -> Probe:
    """Pseudo-relevance feedback (Rocchio): the query moved by FEEDBACK_WEIGHT toward the mean of
    the best chunks of the FEEDBACK_RECORDS best-scoring records, in both spaces. What the best
    matches share (the field's terms in every language they are written in) then counts in the
    second pass, which helps most where the query's own words are few or far from the records'."""
    best = sorted(scored.score, key=lambda doc: -scored.score[doc])[:FEEDBACK_RECORDS]
    rows = np.array([scored.row[doc] for doc in best])
    return Probe(
        _moved(probe.raw, index.vector_store.vectors(rows)),
        _moved(probe.scoring, scoring_vectors(index, rows, centre)),
    )


def _moved(query: np.ndarray, toward: np.ndarray) -> np.ndarray:
    centroid = toward.mean(axis=0)
    moved = query / np.linalg.norm(query) + FEEDBACK_WEIGHT * centroid / max(np.linalg.norm(centroid), 1e-12)
    return (moved / np.linalg.norm(moved)).astype(np.float32)


def background_rows(index: LoadedIndex, allowed_rows: np.ndarray) -> np.ndarray:
    """Chunk rows that show what an unrelated chunk among the searched ones looks like: the
    index's fixed sample within the allowed rows, or, when filters leave too few of those,
    up to a sample's worth of allowed rows spread evenly over them."""
    sample = index.similarity_sample[allowed_rows[index.similarity_sample]]
    if len(sample) >= MIN_BACKGROUND:
        return sample
    rows = np.flatnonzero(allowed_rows)
    return rows[np.linspace(0, len(rows) - 1, min(len(rows), SIMILARITY_SAMPLE)).astype(np.int64)]


def match_threshold(background: np.ndarray) -> float:
    """The similarity a dense match needs, given the query's similarities to the background sample."""
    return float(background.mean() + MATCH_Z * background.std())


def keyword_scores(
    index: LoadedIndex,
    text: str,
    language: str | None,
    allowed: np.ndarray,
    filters: Filters | None = None,
    limit: int = KEYWORD_CANDIDATES,
    grams: bool = False,
) -> Scored:
    """BM25 of the query to chunks (best per allowed document), from the keyword store: of its
    words, or with `grams` of its character n-grams (the store's `search_grams`).

    Selective filters restrict the store's search to the allowed documents; otherwise
    hits of filtered-out documents are skipped.
    """
    scored = Scored()
    restrict = None
    allowed_count = int(allowed.sum())
    if allowed_count < len(allowed) * SELECTIVE and allowed_count <= KEYWORD_RESTRICT_MAX:
        restrict = {index.documents[i].id for i in np.flatnonzero(allowed)}
    store = index.keyword_store
    if grams:
        hits = store.search_grams(text, limit, restrict, filters)
    else:
        hits = store.search(text, language, limit, restrict, filters)
    for hit in hits:
        row = index.chunk_rows.get(hit.chunk_id)
        if row is not None and allowed[index.doc_of_row[row]]:
            scored.add(int(index.doc_of_row[row]), row, hit.score)
    return scored


def terminology_scores(
    index: LoadedIndex, expansion: Expansion, allowed: np.ndarray, filters: Filters | None, matched: set[int]
) -> Scored:
    """BM25 of the expansion's terms to the chunks of the `matched` documents (best chunk per
    document), each language's terms searched with that language's analyser among the allowed
    records. The expansion re-orders what matched the query and adds no match: letting it add its
    own gained nothing on the evaluation sets, and its terms' common words ("social" of "bairro
    social") would make every record that has them a match. The stores search unrestricted and
    the hits are filtered here: naming the matched documents to the store made each search
    slower than the search itself (a set of a thousand ids intersected per language)."""
    scored = Scored()
    for language, terms in expansion.terms.items():
        found = keyword_scores(index, " ".join(terms), language, allowed, filters, TERMINOLOGY_CANDIDATES)
        _add_within(scored, found, matched)
    return scored


def gram_scores(
    index: LoadedIndex, text: str, allowed: np.ndarray, filters: Filters | None, matched: set[int]
) -> Scored:
    """BM25 of the query's character n-grams to the chunks of the `matched` documents written in
    a language without a stemmer (best chunk per document), for a query in such a language: its
    words' inflections match there ("zapošljavanja", "zapošljavanje"), where the keyword store
    matches only the same form. It re-orders what matched and adds no match, as the terminology's
    matches do: n-grams shared by unrelated words would make every record a match."""
    scored = Scored()
    _add_within(scored, keyword_scores(index, text, None, allowed, filters, grams=True), matched)
    return scored


def _add_within(scored: Scored, found: Scored, matched: set[int]) -> None:
    """Add to `scored` the scores of `found` for the documents in `matched`."""
    for doc, score in found.score.items():
        if doc in matched:
            scored.add(doc, found.row[doc], score)


def searched_languages(index: LoadedIndex, allowed: np.ndarray) -> set[str]:
    """The languages the allowed records are written in."""
    column = index.table.columns["language"]
    return {column.values[code] for code in np.unique(column.value_codes[allowed[column.positions]])}


def search(index: LoadedIndex, embedder: Embedder, query: Query) -> SearchResult:
    """Run one query; see the module docstring."""
    documents = index.documents
    language = query_language(query.text)
    allowed = index.table.mask(query.filters)
    dense = keyword = terminology = grams = Scored()
    feedback = query.mode == "hybrid" and query.feedback
    if query.mode in ("hybrid", "semantic"):
        raw_share = query.project_raw_similarity if query.mode == "hybrid" else 0.0
        dense = dense_scores(
            index, embedder, query.text, language, allowed, query.centre, query.filters, feedback, raw_share
        )
    if query.mode in ("hybrid", "keyword"):
        keyword = keyword_scores(index, query.text, language, allowed, query.filters)
    matched = set(dense.score) | set(keyword.score)
    expansion = Expansion()
    if query.mode == "hybrid" and query.fusion == "zscore" and query.terminology_weight > 0:
        expansion = default_terminology().expand(query.text, language).within(searched_languages(index, allowed))
        terminology = terminology_scores(index, expansion, allowed, query.filters, matched)
    if query.mode == "hybrid" and query.fusion == "zscore" and query.grams_scale > 0 and has_grams(language):
        grams = gram_scores(index, query.text, allowed, query.filters, matched)

    # Practice level: every language version is the same practice; its score is its best version's.
    groups: dict[str, list[int]] = defaultdict(list)
    for doc in matched:
        groups[documents[doc].group_id].append(doc)
    group_dense, group_keyword = best_per_practice(dense, documents), best_per_practice(keyword, documents)
    extra = {"terminology": best_per_practice(terminology, documents), "grams": best_per_practice(grams, documents)}
    dense_rank, keyword_rank = ranks(group_dense), ranks(group_keyword)
    fusion = fuse(index, query, language, allowed, group_dense, group_keyword, extra, dense_rank, keyword_rank)
    fused = fusion.pop("scores")
    if query.prefer_language:
        for group, docs in groups.items():
            if any(documents[d].language == query.prefer_language for d in docs):
                fused[group] *= PREFERRED_LANGUAGE_BOOST
    primary = {"hybrid": fused, "semantic": group_dense, "keyword": group_keyword}[query.mode]
    ordered = sorted(primary, key=lambda g: (-primary[g], g))

    start = (query.page - 1) * query.page_size
    results = []
    retrieved = {"semantic": dense, "keyword": keyword, "terminology": terminology, "grams": grams}
    for group in ordered[start : start + query.page_size]:
        doc = _representative(groups[group], tuple(retrieved.values()), index, query)
        explanation = {
            "dense_rank": dense_rank.get(group),
            "dense_score": round(group_dense[group], 4) if group in group_dense else None,
            "keyword_rank": keyword_rank.get(group),
            "keyword_score": round(group_keyword[group], 4) if group in group_keyword else None,
            "fused_score": round(fused[group], 6),
            "dense_feedback": feedback,
            **fusion_explanation(fusion, group),
            "filters_matched": query.filters.matched(documents[doc]),
        }
        passages = passages_of(index, doc, retrieved, query.text, expansion)
        results.append(result(index, doc, round(primary[group], 6), passages, explanation))
    return SearchResult(
        query_language=language,
        total=len(ordered),
        page=query.page,
        page_size=query.page_size,
        results=results,
        facets=facet_counts(index, ordered, allowed),
        expansion=expansion.explained() if expansion.concepts else None,
    )


def language_share(index: LoadedIndex, language: str | None, allowed: np.ndarray) -> float:
    """The share of the allowed records written in `language` (0 when it is unknown or none are allowed)."""
    searched = int(allowed.sum())
    if not language or searched == 0:
        return 0.0
    in_language = index.table.columns["language"].having([language], index.table.size)
    return float((in_language & allowed).sum()) / searched


def fuse(
    index: LoadedIndex,
    query: Query,
    language: str | None,
    allowed: np.ndarray,
    group_dense: dict[str, float],
    group_keyword: dict[str, float],
    group_extra: dict[str, dict[str, float]],
    dense_rank: dict[str, int],
    keyword_rank: dict[str, int],
) -> dict:
    """The hybrid scores per practice ("scores") and what explains them (see engine.fusion).
    `group_extra`: the practice scores of the "terminology" and "grams" matches (score fusion only)."""
    if query.fusion == "rrf":
        scores = reciprocal_rank_fusion(dense_rank, keyword_rank, query.dense_weight, query.keyword_weight)
        weights = {"dense_weight": query.dense_weight, "keyword_weight": query.keyword_weight}
        return {"scores": scores, "fusion": "rrf", **weights}
    share = language_share(index, language, allowed)
    weight = language_share_weight(share, query.language_share_scale)
    grams_weight = language_share_weight(share, query.grams_scale) if group_extra["grams"] else 0.0
    weights = {"dense": 1.0, "keyword": weight, "terminology": query.terminology_weight, "grams": grams_weight}
    scores, zmaps = score_fusion({"dense": group_dense, "keyword": group_keyword, **group_extra}, weights)
    return {
        "scores": scores,
        "fusion": "zscore",
        "query_language_share": round(share, 4),
        "dense_weight": 1.0,
        "keyword_weight": round(weight, 4),
        "terminology_weight": query.terminology_weight,
        "grams_weight": round(grams_weight, 4),
        **{f"{name}_z": zmaps[name] for name in Z_LISTS},
    }


Z_LISTS = ("dense", "keyword", "terminology", "grams")


def fusion_explanation(fusion: dict, group: str) -> dict:
    """The fusion's part of a hit's explanation: the method, its weights and, for score fusion,
    the hit's z-score in each list (None for a list the practice is not in)."""
    names = [f"{name}_z" for name in Z_LISTS]
    explained = {key: value for key, value in fusion.items() if key not in names}
    for name in names:
        if name in fusion:
            value = fusion[name].get(group)
            explained[name] = None if value is None else round(value, 4)
    return explained


def facet_counts(index: LoadedIndex, groups: list[str], allowed: np.ndarray) -> dict[str, dict[str, int]]:
    """Per facet, how many of the practices `groups` have each value, most first, over their
    versions that pass the filters (`allowed`). A practice counts once per value, and under
    languages once for each language it has such a version in: the count a language filter
    gives, and the browsing page's."""
    versions = [index.group_positions[group] for group in groups]
    positions = np.concatenate([np.empty(0, dtype=np.int64), *versions])
    codes = np.repeat(np.arange(len(groups)), [len(v) for v in versions])
    kept = allowed[positions]
    return index.table.facet_counts(positions[kept], codes[kept])


def _representative(docs: list[int], retrieved: tuple[Scored, ...], index: LoadedIndex, query: Query) -> int:
    """The version to show: the preferred language's if asked and present, else the best scoring
    (by the retrievers in `retrieved` order)."""
    if query.prefer_language:
        preferred = [d for d in docs if index.documents[d].language == query.prefer_language]
        docs = preferred or docs
    return max(docs, key=lambda d: tuple(scored.score.get(d, -np.inf) for scored in retrieved))


def passages_of(
    index: LoadedIndex, doc: int, retrieved: dict[str, Scored], query_text: str, expansion: Expansion = Expansion()
) -> list[dict]:
    """The chunks that matched a document (its first chunk if it matched through another version);
    each names the retrievers that found it, and highlights the query's words and the expansion's
    terms in the chunk's language."""
    rows = list(dict.fromkeys(r for scored in retrieved.values() if (r := scored.row.get(doc)) is not None))
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
                "highlights": index.keyword_store.highlight(
                    chunk.text, " ".join([query_text, *expansion.terms.get(chunk.language, [])]), chunk.language
                ),
                "matched_by": [name for name, scored in retrieved.items() if scored.row.get(doc) == row],
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
