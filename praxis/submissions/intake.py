"""Practices submitted by people who don't use git: validated, sanitised, stored as drafts.

In: a structured :class:`Submission` (the practice fields and section texts), the
submitter's name and the taxonomy. Out: a draft Markdown file with status `submitted` in
the submissions directory (written atomically, never overwriting), and a line in the
audit log, which also finds the draft of a submission sent again while it waits for review.
Invalid input raises :class:`SubmissionError` with field-level messages.
"""

import datetime as dt
import hashlib
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from unidecode import unidecode

from indexer import frontmatter
from indexer.corpus import read_document
from indexer.imports.normalise import EU_COUNTRY_CODES
from indexer.model import ID_MAX_LENGTH, ID_PATTERN, Period, PracticeMeta
from indexer.taxonomy import Taxonomy
from indexer.writing import SECTION_ORDER, render_practice, sanitise_markdown, slug, write_new

AUDIT_LOG = "audit.jsonl"
Short = Annotated[str, Field(max_length=300)]
Medium = Annotated[str, Field(max_length=2000)]
Term = Annotated[str, Field(max_length=60)]
_audit_lock = threading.Lock()


class SubmittedSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Short | None = None
    url: Annotated[str, Field(max_length=500)] | None = None


SectionText = Annotated[str, Field(max_length=20_000)]


class SubmittedSections(BaseModel):
    """Section texts in Markdown; the problem and the approach are required."""

    model_config = ConfigDict(extra="forbid")
    problem: Annotated[str, Field(min_length=20, max_length=20_000)]
    approach: Annotated[str, Field(min_length=20, max_length=20_000)]
    results: SectionText = ""
    transferability: SectionText = ""
    resources: SectionText = ""


class Submission(BaseModel):
    """A practice as submitted: the format's fields (validation is the reviewers' job) and its sections."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(
        None, pattern=ID_PATTERN, max_length=ID_MAX_LENGTH, description="Proposed id; derived from the title if absent"
    )
    title: str = Field(min_length=3, max_length=300)
    language: str = Field(pattern=r"^[a-z]{2}$", max_length=2)
    summary: Annotated[str, Field(max_length=1500)] | None = None
    countries: list[Annotated[str, Field(max_length=2)]] = Field([], max_length=30)
    region: Short | None = None
    organisation: Short | None = None
    programme: Short | None = None
    fund: Annotated[str, Field(max_length=40)] | None = None
    period: Period | None = None
    themes: list[Term] = Field([], max_length=20)
    target_groups: list[Term] = Field([], max_length=20)
    methods: list[Term] = Field([], max_length=20)
    evidence_level: Term | None = None
    cost: Medium | None = None
    outcomes: list[Medium] = Field([], max_length=30)
    sources: list[SubmittedSource] = Field([], max_length=30)
    contact: Short | None = None
    translation_of: str | None = Field(None, pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)
    sections: SubmittedSections

    @field_validator("countries", mode="before")
    @classmethod
    def _iso_country_codes(cls, codes):
        if not isinstance(codes, list):
            return codes
        return [EU_COUNTRY_CODES.get(str(code).strip().upper(), str(code).strip().upper()) for code in codes]


class SubmissionError(ValueError):
    """The submission is invalid or clashes with an existing id; `problems` say where."""

    def __init__(self, problems: list[str], conflict: bool = False):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.conflict = conflict


def slugify(title: str) -> str:
    """An id from a title spelt in Latin letters (a Greek or Bulgarian title gives a readable
    id, not just the random part), plus a random tail against clashes."""
    return f"{slug(unidecode(title))}-{secrets.token_hex(3)}"


def front_matter(submission: Submission, practice_id: str, today: dt.date) -> dict:
    """The draft's front matter: the submitted fields (text sanitised), status `submitted`."""
    data = submission.model_dump(exclude={"id", "sections", "evidence_level"}, exclude_none=True, mode="json")
    clean = {key: _sanitise(value) for key, value in data.items() if value not in ([], {}, "")}
    if submission.evidence_level:
        clean["evidence"] = {"level": submission.evidence_level}
    clean["validation"] = {"status": "submitted", "date": today.isoformat()}
    return {"id": practice_id, **clean}


def _sanitise(value):
    if isinstance(value, str):
        return sanitise_markdown(value)
    if isinstance(value, list):
        return [_sanitise(item) for item in value]
    if isinstance(value, dict):
        return {key: _sanitise(item) for key, item in value.items()}
    return value


def prepare(submission: Submission, taxonomy: Taxonomy, taken: set[str], today: dt.date) -> tuple[str, str]:
    """Validate a submission and render its draft: (id, Markdown). Raises SubmissionError."""
    blank = [key for key in ("problem", "approach") if not getattr(submission.sections, key).strip()]
    if blank:
        raise SubmissionError([f"sections.{key}: must not be blank" for key in blank])
    practice_id = submission.id or slugify(submission.title)
    if practice_id in taken:
        raise SubmissionError([f"id: '{practice_id}' is already used; choose another id"], conflict=True)
    if submission.translation_of and submission.translation_of not in taken:
        raise SubmissionError([f"translation_of: no practice has id '{submission.translation_of}'"])
    meta = front_matter(submission, practice_id, today)
    try:
        PracticeMeta.model_validate(meta, context={"taxonomy": taxonomy})
    except ValidationError as error:
        raise SubmissionError(
            [f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
        ) from None
    sections = {key: sanitise_markdown(getattr(submission.sections, key)) for key in SECTION_ORDER}
    return practice_id, render_practice(meta, sections, submission.language, taxonomy)


def store(directory: Path, practice_id: str, markdown: str, taxonomy: Taxonomy) -> Path:
    """Write the draft as <directory>/<id>.md, atomically, refusing to overwrite (SubmissionError)."""
    path = directory / f"{practice_id}.md"
    try:
        write_new(path, markdown)
    except FileExistsError:
        raise SubmissionError([f"id: '{practice_id}' is already submitted; choose another id"], conflict=True) from None
    document, problems = read_document(path, "practice", taxonomy)
    if document is None:  # cannot happen for a prepared draft; never keep an unreadable file
        path.unlink()
        raise SubmissionError([str(p) for p in problems])
    return path


def fingerprint(submission: Submission) -> str:
    """What makes two submissions the same: every field as validated, the proposed id (or its absence) too."""
    return hashlib.sha256(submission.model_dump_json().encode()).hexdigest()


def waiting_draft(directory: Path, content: str) -> Path | None:
    """The draft still waiting for review (status submitted) of a submission whose fingerprint was
    `content`, as the audit log records it; None if there is none."""
    log = directory / AUDIT_LOG
    # Split at "\n" only: a title may hold U+2028 or U+0085 (written as they are), where splitlines() would cut.
    lines = log.read_text(encoding="utf-8").split("\n") if log.is_file() else []
    drafts = (directory / entry["file"] for entry in map(_entry, lines) if entry.get("content") == content)
    return next((draft for draft in drafts if _waiting(draft)), None)


def _entry(line: str) -> dict:
    """An audit line's entry; {} for a blank line or one damaged by hand (no submission to match)."""
    try:
        return json.loads(line)
    except ValueError:
        return {}


def _waiting(draft: Path) -> bool:
    if not draft.is_file():  # accepted: moved into the practices
        return False
    validation = frontmatter.split(draft.read_text(encoding="utf-8")).front_matter.get("validation") or {}
    return validation.get("status") == "submitted"


def audit(directory: Path, entry: dict) -> None:
    """Append one JSON line to the audit log (appends of one write are atomic; fsync makes it durable)."""
    directory.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **entry}, ensure_ascii=False)
    with _audit_lock, open(directory / AUDIT_LOG, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
