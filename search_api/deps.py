"""Typed FastAPI dependencies: what a route may ask for, read from the app's state in one place.

`create_app` puts the settings and the index holder on ``app.state``; routes declare
``SettingsDep``, ``IndexDep``, ``EmbedderDep`` or ``TaxonomyDep`` and never touch the
state themselves. Routes that encode a query list ``SEARCH_SLOT`` among their dependencies.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from engine.loaded import IndexHolder, LoadedIndex
from indexer.embedders import Embedder
from indexer.layout import UnusableIndexError
from indexer.taxonomy import Taxonomy, cached_taxonomy
from praxis.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_holder(request: Request) -> IndexHolder:
    return request.app.state.holder


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
INDEX_UNAVAILABLE = (
    "the search index is unavailable: the operator must build or repair it with `praxis index` (the server "
    "log says why); try again later"
)
"""What the public is told; the reason names the index's directory, so only the server log has it
(the holder logs it at each failed load)."""


def live_index(holder: HolderDep) -> LoadedIndex:
    """The index to answer this request from (503 if there is none)."""
    try:
        return holder.current()
    except UnusableIndexError:
        raise HTTPException(status_code=503, detail=INDEX_UNAVAILABLE) from None


def optional_index(holder: HolderDep) -> LoadedIndex | None:
    """The live index, or None when there is none (for routes that work without one)."""
    try:
        return holder.current()
    except UnusableIndexError:
        return None


def get_embedder(holder: HolderDep) -> Embedder:
    return holder.embedder


async def search_slot(request: Request) -> AsyncIterator[None]:
    """A place among the searches in flight, or 503 at once (engine/admission.py). Async, so it
    is taken on the event loop before the request waits for a worker thread."""
    with request.app.state.admission.slot():
        yield


SEARCH_SLOT = Depends(search_slot)


def get_taxonomy(settings: SettingsDep) -> Taxonomy:
    return cached_taxonomy(settings.taxonomy_file)


IndexDep = Annotated[LoadedIndex, Depends(live_index)]
OptionalIndexDep = Annotated[LoadedIndex | None, Depends(optional_index)]
EmbedderDep = Annotated[Embedder, Depends(get_embedder)]
TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
