"""Request and response models of the search API (they make its OpenAPI schema)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, create_model, field_validator

from engine.search import searchable
from indexer.facets import DEFAULT_KINDS, FACETS, KINDS, Filters

QUERY_CHARS_CAP = 20_000
PAGE_SIZE_CAP = 200
"""Hard caps of the schema; the settings (`max_query_chars`, `max_page_size`) set the limits
in force, at most these, checked per request (see search_api.routers.search)."""
FILTER_VALUE_CHARS = 100
"""The longest value a filter may name (taxonomy keys and codes are far shorter)."""
Kind = Literal[KINDS]
"""A record's kind, as the indexer names them (an enum in the schema)."""


class _FilterBase(BaseModel):
    period_from: int | None = Field(None, ge=1900, le=2100, description="Practices running in or after this year")
    period_to: int | None = Field(None, ge=1900, le=2100, description="Practices started in or before this year")
    kind: list[Kind] = Field(
        list(DEFAULT_KINDS),
        description="Curated practices, imported projects (funded operations, not validated), methodology pages",
    )

    def filters(self) -> Filters:
        """The engine's filters for these parameters."""
        values = {facet.name: getattr(self, facet.parameter) for facet in FACETS}
        return Filters(values, self.period_from, self.period_to, list(self.kind))


SearchFilters = create_model(
    "SearchFilters",
    __base__=_FilterBase,
    __doc__="Within a field any value matches; across fields all must.",
    **{
        facet.parameter: (
            list[Annotated[str, StringConstraints(max_length=FILTER_VALUE_CHARS, pattern=facet.pattern)]],
            Field([], max_length=facet.max_values, description=facet.description),
        )
        for facet in FACETS
    },
)


class SearchRequest(SearchFilters):
    q: str = Field(
        min_length=1,
        max_length=QUERY_CHARS_CAP,
        description="The problem, described in any language (at most PRAXIS_MAX_QUERY_CHARS characters, 4,000 "
        "by default)",
    )
    mode: Literal["hybrid", "semantic", "keyword"] = "hybrid"
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(10, ge=1, le=PAGE_SIZE_CAP, description="At most PRAXIS_MAX_PAGE_SIZE (50 by default)")
    prefer_language: str | None = Field(
        None, pattern=r"^[a-z]{2}$", description="Show versions in this language first (off by default)"
    )

    @field_validator("q")
    @classmethod
    def has_a_word(cls, q: str) -> str:
        if not searchable(q):
            raise ValueError("q must contain at least one letter or digit: describe the problem in words")
        return q


class Version(BaseModel):
    id: str
    language: str
    title: str


class Passage(BaseModel):
    chunk_id: str
    text: str
    section: str
    section_key: str | None
    line_start: int
    line_end: int
    language: str | None
    highlights: list[list[int]] = Field(description="[start, end) character spans of matched query terms")
    matched_by: list[Literal["semantic", "keyword", "terminology", "grams"]] = Field(
        description="The retrievers that found this passage: dense, the query's keywords, the terms of "
        "the query's expansion in the passage's language (see SearchResponse.expansion), or the character "
        "n-grams of the query's words (a query in a language without a stemmer)"
    )


class Explanation(BaseModel):
    dense_rank: int | None
    dense_score: float | None = Field(description="Cosine similarity of the best chunk")
    keyword_rank: int | None
    keyword_score: float | None = Field(description="BM25F score of the best chunk")
    fused_score: float = Field(
        description="The hybrid score: dense_z + keyword_weight * keyword_z + terminology_weight * "
        "terminology_z + grams_weight * grams_z (fusion zscore) or the weighted reciprocal rank fusion of the "
        "two ranks (fusion rrf)"
    )
    fusion: Literal["zscore", "rrf"] | None = Field(None, description="How search joined the two rankings")
    dense_weight: float | None = None
    keyword_weight: float | None = Field(
        None, description="zscore: the share of the searched records in the query's language times a scale"
    )
    query_language_share: float | None = Field(
        None, description="zscore: share of the searched records written in the query's language"
    )
    dense_z: float | None = Field(None, description="zscore: the dense score as z-score over the candidates")
    keyword_z: float | None = Field(None, description="zscore: the keyword score as z-score over the candidates")
    terminology_weight: float | None = Field(
        None, description="zscore: the weight of the matches of the query's expansion into other languages"
    )
    terminology_z: float | None = Field(
        None, description="zscore: the expansion's keyword score as z-score over its candidates"
    )
    grams_weight: float | None = Field(
        None,
        description="zscore: the weight of the character n-gram matches of the query's words (a query in a "
        "language without a stemmer; else 0): the query language's share times a scale",
    )
    grams_z: float | None = Field(
        None, description="zscore: the character n-gram score (BM25) as z-score over its candidates"
    )
    dense_feedback: bool = Field(
        False,
        description="hybrid: dense scores from a second pass, the query moved toward its five best matches "
        "(pseudo-relevance feedback)",
    )
    filters_matched: list[str]


class Amount(BaseModel):
    total: float | None = Field(description="Total eligible expenditure")
    eu: float | None = Field(description="Union contribution")
    currency: str | None


class Provenance(BaseModel):
    source: str = Field(description="The import source (its mapping)")
    file: str
    row: int
    source_id: str | None
    url: str | None
    imported: str = Field(description="Date of the import")


class ProjectFacts(BaseModel):
    """What the published list says of a funded operation. Not a validated practice: no evidence claims."""

    beneficiary: str | None
    programme: str | None
    funds: list[str]
    start_date: str | None
    end_date: str | None
    amount: Amount
    regions: list[str]
    provenance: list[Provenance] = Field(description="Every list this operation was found in")


class SearchHit(BaseModel):
    id: str
    group_id: str = Field(description="Id shared by all language versions of the practice")
    kind: Kind
    title: str
    language: str
    score: float
    summary: str | None
    countries: list[str]
    themes: list[str]
    evidence: str | None
    status: str | None
    passage: str = Field(description="The best matching passage")
    passages: list[Passage]
    versions: list[Version] = Field(description="The practice's other language versions")
    project: ProjectFacts | None = Field(None, description="For an imported project: its facts and provenance")
    explanation: Explanation


class Expansion(BaseModel):
    concepts: dict[str, str] = Field(
        description="Concept key (engine/terminology.yml, or vocabulary:term of the taxonomy) -> the query's "
        "words that named it, as matched (folded to ASCII, cut to their first six letters)"
    )
    languages: list[str] = Field(description="The languages whose terms for these concepts were searched")


class SearchResponse(BaseModel):
    index_build: str = Field(description="The index build that answered (changes when `praxis index` swaps)")
    query: str
    mode: str
    query_language: str | None
    total: int = Field(
        description="Practices and projects that match: a keyword hit, or a passage whose similarity stands out of "
        "the background (docs/technical/architecture.md), counted to the retrievers' depth"
    )
    page: int
    page_size: int
    results: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(description="Counts over every matching record, not just this page")
    expansion: Expansion | None = Field(
        None, description="hybrid: the field's concepts the query named, searched by their terms in every language"
    )


class SectionOut(BaseModel):
    heading: str
    key: str | None
    line_start: int
    line_end: int
    text: str


class PracticeSummary(BaseModel):
    id: str
    group_id: str
    title: str
    language: str
    summary: str | None
    countries: list[str]
    themes: list[str]
    evidence: str | None
    status: str | None


class PracticeDetail(PracticeSummary):
    meta: dict
    sections: list[SectionOut]
    versions: list[Version]
    path: str = Field(description="The write-up's file, relative to the practices root's parent: practices/<id>.md")


class PracticeList(BaseModel):
    total: int
    page: int
    page_size: int
    results: list[PracticeSummary]


class ProjectDetail(BaseModel):
    id: str
    title: str
    language: str
    summary: str | None
    countries: list[str]
    themes: list[str]
    project: ProjectFacts


class SimilarResponse(BaseModel):
    id: str
    translations: list[Version] = Field(description="The practice's own language versions (not neighbours)")
    similar: list[SearchHit]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    index_build: str | None
    documents: int
    practices: int
    chunks: int
    embedder: dict
    error: str | None = Field(None, description="Why the status is degraded (the server log has the details)")


class FieldProblem(BaseModel):
    """One invalid input, as the request's validation reports it."""

    loc: list[str | int] = Field(description='Where: "query", "path" or "body", then the field')
    msg: str
    type: str
    input: Any = Field(None, description="The value given (what JSON cannot carry comes back as text)")
    ctx: dict | None = None


class ErrorResponse(BaseModel):
    """The body of every error the API answers."""

    detail: str | list[FieldProblem] | list[str] = Field(
        description="What went wrong and what to do: a sentence; each invalid input (a 422 of the request's "
        "validation); or a submission's problems, each 'field: message' (a 409, or a 422 of a submission)"
    )


ERRORS = {
    401: "No or wrong submission token (see WWW-Authenticate)",
    404: "No record with this id",
    409: "The submission's id is already used",
    413: "The request body is over the size limit",
    422: "Invalid request: the detail names each problem",
    503: "Unavailable: no index can be loaded, part of the set-up or the search cluster is missing, or the "
    "service is busy or gave no answer in time (see Retry-After)",
}


def errors(*statuses: int) -> dict:
    """A route's `responses` for the error statuses it can answer, each with the shared ErrorResponse."""
    return {status: {"model": ErrorResponse, "description": ERRORS[status]} for status in statuses}
