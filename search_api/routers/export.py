"""`/api/export`: every record of the live index, streamed as JSON lines or CSV."""

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from engine.search import versions
from indexer.export import csv_lines, jsonl_lines
from indexer.facets import DEFAULT_KINDS, KINDS
from search_api.deps import IndexDep, SettingsDep
from search_api.models import Kind, errors
from search_api.public import public_path

router = APIRouter(tags=["export"])
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {"content": {media: {} for media in MEDIA_TYPES.values()}, "description": "The records"},
        **errors(422),
    },
)
def export(
    index: IndexDep,
    settings: SettingsDep,
    format: Annotated[Literal["jsonl", "csv"], Query(description="JSON lines (re-importable) or CSV")] = "jsonl",
    kind: Annotated[list[Kind], Query(max_length=len(KINDS))] = list(DEFAULT_KINDS),  # noqa: B006
):
    """Every record with its stable id, language versions and provenance; `praxis import praxis FILE` reads the
    JSON lines back (projects). Paths are relative to the practices or docs root (an import's: its file name)."""
    published = (dataclasses.replace(r, path=public_path(r.path, settings)) for r in index.documents if r.kind in kind)
    records = ((r, [v["id"] for v in versions(index, r.id)]) for r in published)
    lines = jsonl_lines(records) if format == "jsonl" else csv_lines(records)
    headers = {"Content-Disposition": f'attachment; filename="praxis-export.{format}"'}
    return StreamingResponse(lines, media_type=MEDIA_TYPES[format], headers=headers)
