"""Shared FastAPI dependencies: the live index and the embedder, from the app's state."""

from fastapi import HTTPException, Request

from indexer.store import UnusableIndexError
from search_api.loaded import LoadedIndex


def live_index(request: Request) -> LoadedIndex:
    """The index to answer this request from (503 with the reason if there is none)."""
    try:
        return request.app.state.holder.current()
    except UnusableIndexError as error:
        raise HTTPException(status_code=503, detail=str(error)) from None


def embedder(request: Request):
    return request.app.state.holder.embedder
