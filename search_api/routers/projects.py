"""`/api/projects`: imported records of funded operations (not validated practices)."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from indexer.layout import Record
from search_api.deps import IndexDep
from search_api.models import ProjectDetail, errors

router = APIRouter(prefix="/projects", tags=["projects"])
ProjectId = Annotated[str, Path(pattern=r"^project-[a-z]{2}-[0-9a-f]{16}$", description="A project id")]


def _project(index, project_id: str) -> Record:
    record = index.by_id.get(project_id)
    if record is None or record.kind != "project":
        raise HTTPException(status_code=404, detail=f"no project with id '{project_id}'")
    return record


@router.get("/{project_id}", response_model=ProjectDetail, responses=errors(404, 422))
def get_project(project_id: ProjectId, index: IndexDep):
    """One imported operation: what its published lists say, and where each came from."""
    return ProjectDetail.model_validate(_project(index, project_id), from_attributes=True)
