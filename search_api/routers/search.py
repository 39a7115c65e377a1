"""`/api/search`: describe a problem in any language, get practices in every language."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

import engine
from indexer.facets import FACETS
from indexer.taxonomy import Taxonomy
from praxis.settings import Settings
from search_api.deps import SEARCH_SLOT, EmbedderDep, IndexDep, SettingsDep, TaxonomyDep
from search_api.models import SearchRequest, SearchResponse, errors

router = APIRouter(tags=["search"])


def run_search(
    request: SearchRequest, index: engine.LoadedIndex, model, settings: Settings, taxonomy: Taxonomy, where: str
) -> SearchResponse:
    """The search `request` asked in `where` ("query" parameters or the JSON "body")."""
    _check(request, settings, taxonomy, where)
    query = engine.Query(
        request.q,
        request.mode,
        request.filters(),
        request.page,
        request.page_size,
        request.prefer_language,
        **settings.search_options(),
    )
    result = engine.search(index, model, query)
    return SearchResponse(index_build=index.build_id, query=request.q, mode=request.mode, **result.__dict__)


def _check(request: SearchRequest, settings: Settings, taxonomy: Taxonomy, where: str) -> None:
    """The operator's limits (the schema states the hard caps they may not exceed) and the
    filters' taxonomy terms (a misspelt one would silently match nothing), reported as
    validation errors like any other."""
    problems = []
    if len(request.q) > settings.max_query_chars:
        message = f"at most {settings.max_query_chars} characters: shorten the description"
        problems.append({"type": "string_too_long", "loc": (where, "q"), "msg": message, "input": request.q[:80]})
    if request.page_size > settings.max_page_size:
        message = f"at most {settings.max_page_size} results a page"
        problems.append(
            {"type": "less_than_equal", "loc": (where, "page_size"), "msg": message, "input": request.page_size}
        )
    for facet in FACETS:
        wanted = getattr(request, facet.parameter)
        if facet.vocabulary and (message := taxonomy.unknown_terms(facet.vocabulary, wanted)):
            problems.append({"type": "value_error", "loc": (where, facet.parameter), "msg": message, "input": wanted})
    if problems:
        raise RequestValidationError(problems)


@router.get("/search", response_model=SearchResponse, responses=errors(422), dependencies=[SEARCH_SLOT])
def search_get(
    request: Annotated[SearchRequest, Query()],
    index: IndexDep,
    model: EmbedderDep,
    settings: SettingsDep,
    taxonomy: TaxonomyDep,
):
    """Search with query parameters (repeat a filter to give several values: `?themes=housing&themes=health`)."""
    return run_search(request, index, model, settings, taxonomy, "query")


@router.post("/search", response_model=SearchResponse, responses=errors(413, 422), dependencies=[SEARCH_SLOT])
def search_post(
    request: SearchRequest, index: IndexDep, model: EmbedderDep, settings: SettingsDep, taxonomy: TaxonomyDep
):
    """Search with a JSON body: suited to long problem descriptions."""
    return run_search(request, index, model, settings, taxonomy, "body")
