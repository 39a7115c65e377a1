"""`/api/practices`: list, read, and find cross-lingual neighbours of practices."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from indexer.model import ID_PATTERN
from search_api import engine
from search_api.dependencies import live_index
from search_api.loaded import LoadedIndex
from search_api.models import PracticeDetail, PracticeList, PracticeSummary, SimilarResponse, Version

router = APIRouter(prefix="/practices", tags=["practices"])
PracticeId = Annotated[str, Path(pattern=ID_PATTERN, max_length=80, description="A practice id")]


def _summary(document: dict) -> PracticeSummary:
    meta = document.get("meta") or {}
    return PracticeSummary(
        id=document["id"],
        group_id=document["group_id"],
        title=document["title"],
        language=document["language"],
        summary=meta.get("summary"),
        countries=meta.get("countries", []),
        themes=meta.get("themes", []),
        evidence=(meta.get("evidence") or {}).get("level"),
        status=(meta.get("validation") or {}).get("status"),
    )


def _practice(index: LoadedIndex, practice_id: str) -> dict:
    document = index.by_id.get(practice_id)
    if document is None or document["kind"] != "practice":
        raise HTTPException(status_code=404, detail=f"no practice with id '{practice_id}'")
    return document


def _versions(index: LoadedIndex, document: dict) -> list[Version]:
    return [
        Version(id=v, language=index.by_id[v]["language"], title=index.by_id[v]["title"])
        for v in index.versions[document["group_id"]]
        if v != document["id"]
    ]


@router.get("", response_model=PracticeList)
def list_practices(
    index: LoadedIndex = Depends(live_index),
    lang: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006 - FastAPI copies defaults
    themes: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Every practice write-up (each language version is listed), sorted by id."""
    filters = engine.Filters(languages=lang, themes=themes)
    documents = sorted((d for d in index.documents if filters.matched(d) is not None), key=lambda d: d["id"])
    start = (page - 1) * page_size
    results = [_summary(d) for d in documents[start : start + page_size]]
    return PracticeList(total=len(documents), page=page, page_size=page_size, results=results)


@router.get("/{practice_id}", response_model=PracticeDetail, responses={404: {"description": "Unknown id"}})
def get_practice(practice_id: PracticeId, index: LoadedIndex = Depends(live_index)):
    """One write-up: metadata, sections, and its other language versions."""
    document = _practice(index, practice_id)
    return PracticeDetail(
        **_summary(document).model_dump(),
        meta=document.get("meta") or {},
        sections=document["sections"],
        versions=_versions(index, document),
        path=document["path"],
    )


@router.get("/{practice_id}/similar", response_model=SimilarResponse, responses={404: {"description": "Unknown id"}})
def similar_practices(
    practice_id: PracticeId,
    index: LoadedIndex = Depends(live_index),
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    lang: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
):
    """Practices nearest in meaning, in any language; its own translations are listed apart."""
    document = _practice(index, practice_id)
    hits = engine.similar(index, practice_id, k, engine.Filters(languages=lang))
    return SimilarResponse(id=practice_id, translations=_versions(index, document), similar=hits)
