"""`/api/curricula`: draft a training programme from a topic."""

import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from praxis.curricula import draft as curricula
from praxis.curricula.model import Curriculum, to_yaml
from search_api.deps import SEARCH_SLOT, EmbedderDep, IndexDep, SettingsDep, TaxonomyDep
from search_api.models import errors

router = APIRouter(prefix="/curricula", tags=["curricula"])
log = logging.getLogger(__name__)
OVERVIEW_MISSING = (
    "curricula unavailable: the methodology overview cannot be read on this server; the operator should check "
    "PRAXIS_DOCS_DIR (the server log says why)"
)


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=3, max_length=500),
        Field(description="What the training is about, any language"),
    ]
    audience: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    hours: float = Field(ge=1, le=200, description="Total hours")
    language: str = Field(pattern=r"^[a-z]{2}$", description="Language of the curriculum (ISO 639-1)")


class DraftOut(BaseModel):
    curriculum: Curriculum
    yaml: str = Field(description="The draft as a file for curricula/, to edit and validate")


@lru_cache(maxsize=4)
def _order(docs_dir: Path) -> list[str]:
    return curricula.methodology_order(docs_dir)


def _teaching_order(docs_dir: Path) -> list[str]:
    """The methodology's teaching order; 503 when its overview cannot be read."""
    try:
        return _order(docs_dir)
    except curricula.MethodologyMissing as error:
        log.error("curricula unavailable: %s", error)  # names the docs directory: for the operator only
        raise HTTPException(status_code=503, detail=OVERVIEW_MISSING) from None


@router.post(
    "/draft",
    response_model=DraftOut,
    responses=errors(413, 422),
    dependencies=[SEARCH_SLOT],
)
def draft(request: DraftIn, index: IndexDep, model: EmbedderDep, settings: SettingsDep, taxonomy: TaxonomyDep):
    """The draft `praxis curriculum draft` would write: modules in teaching order, case-study
    practices from any language (validated and stronger evidence first), hours allocated."""
    wanted = curricula.DraftRequest(request.topic, request.audience, request.hours, request.language)
    try:
        wanted.check(taxonomy.languages)
        order = _teaching_order(settings.docs_dir)
        result = curricula.draft(index, model, wanted, order, settings.centre_languages)
    except curricula.MethodologyMissing as error:  # the index has no methodology pages (a message with no path)
        raise HTTPException(status_code=503, detail=f"curricula unavailable: {error}") from None
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    return DraftOut(curriculum=result, yaml=to_yaml(result))
