"""`/api/search`: describe a problem in any language, get practices in every language."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from search_api import engine
from search_api.dependencies import embedder, live_index
from search_api.models import SearchRequest, SearchResponse

router = APIRouter(tags=["search"])


def run_search(request: SearchRequest, index, model, settings) -> SearchResponse:
    filters = engine.Filters(
        languages=request.lang,
        countries=request.countries,
        themes=request.themes,
        target_groups=request.target_groups,
        methods=request.methods,
        evidence=request.evidence,
        status=request.status,
        period_from=request.period_from,
        period_to=request.period_to,
        kinds=request.kind,
    )
    query = engine.Query(
        request.q,
        request.mode,
        filters,
        request.page,
        request.page_size,
        request.prefer_language,
        dense_weight=settings.dense_weight,
        keyword_weight=settings.keyword_weight,
        centre=settings.centre_languages,
    )
    result = engine.search(index, model, query)
    return SearchResponse(index_build=index.build_id, query=request.q, mode=request.mode, **result.__dict__)


@router.get("/search", response_model=SearchResponse)
def search_get(
    http: Request, request: Annotated[SearchRequest, Query()], index=Depends(live_index), model=Depends(embedder)
):
    """Search with query parameters (repeat a filter to give several values: `?themes=housing&themes=health`)."""
    return run_search(request, index, model, http.app.state.settings)


@router.post("/search", response_model=SearchResponse)
def search_post(http: Request, request: SearchRequest, index=Depends(live_index), model=Depends(embedder)):
    """Search with a JSON body: suited to long problem descriptions."""
    return run_search(request, index, model, http.app.state.settings)
