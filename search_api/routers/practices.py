"""`/api/practices`: list, read, and find cross-lingual neighbours of practices."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

import engine
from engine.search import versions
from indexer.layout import Record
from indexer.model import ID_MAX_LENGTH, ID_PATTERN
from search_api.deps import IndexDep, SettingsDep
from search_api.models import (
    PracticeDetail,
    PracticeList,
    PracticeSummary,
    SectionOut,
    SimilarResponse,
    Version,
    errors,
)
from search_api.public import public_path

router = APIRouter(prefix="/practices", tags=["practices"])
PracticeId = Annotated[str, Path(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH, description="A practice id")]


def _summary(record: Record) -> PracticeSummary:
    return PracticeSummary.model_validate(record, from_attributes=True)


def _practice(index: engine.LoadedIndex, practice_id: str) -> Record:
    record = index.by_id.get(practice_id)
    if record is None or record.kind != "practice":
        raise HTTPException(status_code=404, detail=f"no practice with id '{practice_id}'")
    return record


def _versions(index: engine.LoadedIndex, record: Record) -> list[Version]:
    return [Version(**version) for version in versions(index, record.id)]


@router.get("", response_model=PracticeList, responses=errors(422))
def list_practices(
    index: IndexDep,
    lang: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006 - FastAPI copies defaults
    themes: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Every practice write-up (each language version is listed), sorted by id."""
    filters = engine.Filters({"language": lang, "themes": themes})
    records = sorted((d for d in index.documents if filters.matched(d) is not None), key=lambda d: d.id)
    start = (page - 1) * page_size
    results = [_summary(d) for d in records[start : start + page_size]]
    return PracticeList(total=len(records), page=page, page_size=page_size, results=results)


@router.get("/{practice_id}", response_model=PracticeDetail, responses=errors(404, 422))
def get_practice(practice_id: PracticeId, index: IndexDep, settings: SettingsDep):
    """One write-up: metadata, sections, and its other language versions."""
    record = _practice(index, practice_id)
    return PracticeDetail(
        **_summary(record).model_dump(),
        meta=record.facts,
        sections=[SectionOut.model_validate(section, from_attributes=True) for section in record.sections],
        versions=_versions(index, record),
        path=public_path(record.path, settings),
    )


@router.get("/{practice_id}/similar", response_model=SimilarResponse, responses=errors(404, 422))
def similar_practices(
    practice_id: PracticeId,
    index: IndexDep,
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    lang: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
):
    """Practices nearest in meaning, in any language; its own translations are listed apart."""
    record = _practice(index, practice_id)
    hits = engine.similar(index, practice_id, k, engine.Filters({"language": lang}))
    return SimilarResponse(id=practice_id, translations=_versions(index, record), similar=hits)
