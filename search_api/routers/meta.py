"""`/api/facets` and `/api/health`."""

import numpy as np
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from indexer.layout import UnusableIndexError
from search_api.deps import INDEX_UNAVAILABLE, HolderDep, IndexDep
from search_api.models import ErrorResponse, Health

router = APIRouter(tags=["meta"])
RELOAD_FAILED = "the newest index build could not be loaded, so the one before answers: the server log says why"


@router.get("/facets", response_model=dict[str, dict[str, int]])
def facets(index: IndexDep):
    """Counts of practice write-ups per language, country, theme, target group, method, evidence and status."""
    write_ups = np.flatnonzero(index.table.kinds == "practice")
    return index.table.facet_counts(write_ups, np.arange(len(write_ups)))


@router.get(
    "/health",
    response_model=Health,
    responses={
        503: {
            "model": Health | ErrorResponse,
            "description": "No index can be loaded (a Health saying why), or no answer in time (see Retry-After)",
        }
    },
)
def health(holder: HolderDep):
    """Index build, document counts and embedder; 503 while no index can be loaded."""
    try:
        index = holder.current()
    except UnusableIndexError:
        body = Health(
            status="degraded",
            index_build=None,
            documents=0,
            practices=0,
            chunks=0,
            embedder=holder.embedder.info.to_dict(),
            error=INDEX_UNAVAILABLE,
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(
        status="degraded" if holder.last_error else "ok",
        index_build=index.build_id,
        documents=len(index.documents),
        practices=sum(d.kind == "practice" for d in index.documents),
        chunks=len(index.chunks),
        embedder=index.files.embedder.to_dict(),
        error=RELOAD_FAILED if holder.last_error else None,
    )
