"""`/api/facets` and `/api/health`."""

from collections import Counter

from fastapi import APIRouter, Depends, Request

from search_api.dependencies import live_index
from search_api.engine import FACET_FIELDS, facet_values
from search_api.loaded import LoadedIndex
from search_api.models import Health

router = APIRouter(tags=["meta"])


@router.get("/facets", response_model=dict[str, dict[str, int]])
def facets(index: LoadedIndex = Depends(live_index)):
    """Counts of practice write-ups per language, country, theme, target group, method, evidence and status."""
    counts = {name: Counter() for name in FACET_FIELDS}
    for document in index.documents:
        if document["kind"] == "practice":
            for name, values in facet_values(document).items():
                counts[name].update(set(values))
    return {name: dict(counter.most_common()) for name, counter in counts.items()}


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(request: Request):
    """Index build, document counts and embedder; 503 while no index can be loaded."""
    from fastapi.responses import JSONResponse

    from indexer.store import UnusableIndexError

    holder = request.app.state.holder
    try:
        index = holder.current()
    except UnusableIndexError as error:
        body = Health(
            status="degraded",
            index_build=None,
            documents=0,
            practices=0,
            chunks=0,
            embedder=holder.embedder.info.to_dict(),
            error=str(error),
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(
        status="degraded" if holder.last_error else "ok",
        index_build=index.build_id,
        documents=len(index.documents),
        practices=sum(d["kind"] == "practice" for d in index.documents),
        chunks=len(index.chunks),
        embedder=index.files.embedder.to_dict(),
        error=holder.last_error,
    )
