"""`/api/submissions`: practitioners who don't use git submit a practice for review."""

import datetime as dt
import threading
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from engine.duplicates import duplicates_of
from indexer.corpus import read_document, read_practices
from praxis.submissions import intake as submissions
from search_api.deps import EmbedderDep, OptionalIndexDep, SettingsDep, TaxonomyDep
from search_api.models import errors
from search_api.security import SubmitterDep, TokenFirstRoute

router = APIRouter(prefix="/submissions", tags=["submissions"], route_class=TokenFirstRoute)
_one_at_a_time = threading.Lock()
RECEIVED = "Thank you: your practice is waiting for review."
ALREADY_RECEIVED = "This practice was already received and is waiting for review as {id}: nothing new was stored."
RESEMBLES = (
    " It resembles existing practices (see duplicates): say in a note whether it is a translation, an update, "
    "or a different practice."
)


class Duplicate(BaseModel):
    id: str
    group_id: str
    title: str
    language: str
    similarity: float
    message: str


class TokenCheck(BaseModel):
    submitter: str = Field(description="Whom the token was issued to")


class SubmissionReceipt(BaseModel):
    id: str
    status: str = "submitted"
    file: str = Field(description="Where the draft waits for review")
    duplicates: list[Duplicate] = Field(description="Existing practices this one closely resembles, in any language")
    message: str


def _taken_ids(settings, taxonomy) -> set[str]:
    documents, _ = read_practices([settings.practices_dir, settings.submissions_dir], taxonomy)
    files = {p.stem for d in (settings.practices_dir, settings.submissions_dir) if d.is_dir() for p in d.glob("*.md")}
    return {d.id for d in documents} | files


def _duplicates(index, model, path, taxonomy, threshold: float) -> list[dict]:
    """Near-duplicates of the stored draft among indexed practices (none when no index is loaded)."""
    if index is None:
        return []
    document, _ = read_document(path, "practice", taxonomy)
    return duplicates_of(index, model.embed_passages, document, threshold)


@router.get("/token", response_model=TokenCheck, responses=errors(401))
def check_token(who: SubmitterDep):
    """Whether a token is accepted, so that the form can say so before anyone fills it in."""
    return TokenCheck(submitter=who)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmissionReceipt,
    responses=errors(401, 409, 413, 422),
)
def submit(
    submission: submissions.Submission,
    who: SubmitterDep,
    model: EmbedderDep,
    settings: SettingsDep,
    taxonomy: TaxonomyDep,
    index: OptionalIndexDep,
):
    """Validate, sanitise and store a practice as a draft with status `submitted`, for review.

    The same practice sent again while its draft waits for review stores nothing: the answer is
    that draft's receipt, so a retry after a lost answer is safe and reviewers get one draft."""
    content = submissions.fingerprint(submission)
    # One at a time: a resubmission must find the draft (and audit line) of the one before it.
    with _one_at_a_time:
        earlier = submissions.waiting_draft(settings.submissions_dir, content)
        if earlier:
            duplicates = _duplicates(index, model, earlier, taxonomy, settings.duplicate_threshold)
            return _receipt(earlier, duplicates, settings, ALREADY_RECEIVED.format(id=earlier.stem))
        path = _store(submission, settings, taxonomy)
        duplicates = _duplicates(index, model, path, taxonomy, settings.duplicate_threshold)
        submissions.audit(
            settings.submissions_dir,
            {
                "submitter": who,
                "id": path.stem,
                "file": path.name,
                "title": submission.title,
                "language": submission.language,
                "duplicates": [d["id"] for d in duplicates],
                "content": content,
            },
        )
    return _receipt(path, duplicates, settings, RECEIVED)


def _store(submission: submissions.Submission, settings, taxonomy) -> Path:
    """The stored draft of a submission; 409 (id taken) or 422 with the problems."""
    try:
        practice_id, markdown = submissions.prepare(
            submission, taxonomy, _taken_ids(settings, taxonomy), dt.date.today()
        )
        return submissions.store(settings.submissions_dir, practice_id, markdown, taxonomy)
    except submissions.SubmissionError as error:
        code = status.HTTP_409_CONFLICT if error.conflict else status.HTTP_422_UNPROCESSABLE_CONTENT
        raise HTTPException(status_code=code, detail=error.problems) from None


def _receipt(draft: Path, duplicates: list[dict], settings, message: str) -> SubmissionReceipt:
    if duplicates:
        message += RESEMBLES
    file = f"{settings.submissions_dir.name}/{draft.name}"
    return SubmissionReceipt(id=draft.stem, file=file, duplicates=duplicates, message=message)
