"""Read practice write-ups and methodology pages into documents, collecting problems.

In: directories (or files) of Markdown and the taxonomy. Out: a list of :class:`Document`
(parsed, with front matter validated) and a list of :class:`Problem` (file, line, field,
message, severity). Files with errors are reported and left out of the documents; the
caller decides whether that stops the work.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from indexer import frontmatter
from indexer.language import detect
from indexer.model import PracticeMeta
from indexer.sections import Section, parse_sections
from indexer.taxonomy import Taxonomy

Kind = Literal["practice", "page"]
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass
class Document:
    """One practice write-up or methodology page, parsed."""

    path: Path
    kind: Kind
    id: str
    title: str
    language: str
    sections: list[Section]
    meta: PracticeMeta | None = None
    detected_language: tuple[str, float] | None = None
    content_hash: str = ""
    extra: dict = field(default_factory=dict)
    """Front matter of a methodology page (title, description, ...)."""
    key_lines: dict[tuple, int] = field(default_factory=dict)
    """Line of each front-matter key, for problems found after parsing."""
    chunks: list = field(default_factory=list)
    """Passages, filled by the indexer (or carried over from the previous build)."""

    @property
    def group_id(self) -> str:
        """The id shared by all language versions (the original's id); a translated page names
        its original in its front matter too (`translation_of: methodology/<page>`)."""
        if self.meta:
            return self.meta.group_id
        return str(self.extra.get("translation_of") or self.id)

    @property
    def text(self) -> str:
        return "\n\n".join(section.text for section in self.sections)


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """Every .md file under the given files and directories, sorted, each once."""
    found: set[Path] = set()
    for path in paths:
        path = Path(path)
        found.update(path.rglob("*.md") if path.is_dir() else [path])
    return sorted(found)


Reuse = Callable[[Path, str], "Document | None"]
"""Given a file and the hash of its bytes, an already parsed document for it, or None."""


def read_document(
    path: Path, kind: Kind, taxonomy: Taxonomy, root: Path | None = None, reuse: Reuse | None = None
) -> tuple[Document | None, list[Problem]]:
    """Parse one file. Returns (document or None when it has errors, problems found).

    With `reuse`, a file whose bytes are unchanged since the last build is not parsed again.
    """
    try:
        raw = path.read_bytes()
        if len(raw) > MAX_FILE_BYTES:
            return None, [Problem(path, 1, "file", f"larger than {MAX_FILE_BYTES:,} bytes; split it")]
        content_hash = hashlib.sha256(raw).hexdigest()
        if reuse and (document := reuse(path, content_hash)):
            return document, []
        source = frontmatter.split(frontmatter.decode(raw), require=kind == "practice")
    except OSError as error:
        return None, [Problem(path, 1, "file", f"cannot read: {error.strerror}")]
    except frontmatter.FrontMatterError as error:
        return None, [Problem(path, error.line, "front matter", error.message)]
    title, sections = parse_sections(source.body, source.body_start_line, taxonomy)
    if kind == "page":
        page_id = _page_id(path, root)
        text = "\n\n".join(s.text for s in sections)
        detected = detect(text)
        language = source.front_matter.get("language") or (detected[0] if detected else "en")
        page_title = source.front_matter.get("title") or title or page_id
        return Document(
            path, kind, page_id, str(page_title), language, sections, None, detected, content_hash, source.front_matter
        ), []
    try:
        meta = PracticeMeta.model_validate(source.front_matter, context={"taxonomy": taxonomy})
    except ValidationError as error:
        return None, [problem_from_pydantic(path, source, item) for item in error.errors()]
    document = Document(
        path, kind, meta.id, meta.title, meta.language, sections, meta, None, content_hash, key_lines=source.key_lines
    )
    document.detected_language = detect(document.text)
    return document, _soft_problems(document, source, taxonomy)


def _page_id(path: Path, root: Path | None) -> str:
    relative = path.relative_to(root) if root and path.is_relative_to(root) else Path(path.name)
    return relative.with_suffix("").as_posix()


def problem_from_pydantic(
    path: Path, source: frontmatter.SourceFile, item: dict, guide: str = "docs/contributing/practice-format.md"
) -> Problem:
    """A pydantic error as a Problem at the line of the offending key (a missing field: the
    first line of the YAML); `guide` is the page that lists the allowed fields."""
    location = tuple(part for part in item["loc"] if part != "[key]")
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "missing":
        message = "required field is missing"
        line = min(source.key_lines.values(), default=1)
    else:
        line = source.line_of(location)
    if item["type"] == "extra_forbidden":
        message = f"unknown field; see {guide} for the allowed fields"
    return Problem(path, line, ".".join(map(str, location)) or "front matter", message)


def _soft_problems(document: Document, source: frontmatter.SourceFile, taxonomy: Taxonomy) -> list[Problem]:
    """Warnings: language mismatch, missing recommended sections, a status the criteria do not allow, overdue review."""
    problems = []
    meta = document.meta
    detected = document.detected_language
    if detected and detected[0] != meta.language and detected[1] >= 0.8:
        problems.append(
            Problem(
                document.path,
                source.line_of(("language",)),
                "language",
                f"declared '{meta.language}' but the text reads as '{detected[0]}' "
                f"(p={detected[1]:.2f}); fix the code or the text",
                "warning",
            )
        )
    present = {section.key for section in document.sections}
    for key in taxonomy.recommended_sections:
        if key not in present:
            heading = taxonomy.section_label(key, meta.language)
            problems.append(
                Problem(
                    document.path,
                    source.body_start_line,
                    "sections",
                    f"recommended section '{key}' is missing (e.g. '## {heading}')",
                    "warning",
                )
            )
    validation = meta.validation
    breaches = validation and validation.status == "validated" and taxonomy.validation_breaches(validation.criteria)
    if breaches:
        problems.append(
            Problem(
                document.path,
                source.line_of(("validation", "status")),
                "validation.status",
                f"'validated' but {'; '.join(breaches)}: record the reviewers' results, or set the status to "
                "under-review (docs/methodology/validating-practices.md)",
                "warning",
            )
        )
    due = validation.next_review if validation else None
    if due and due < dt.date.today():
        problems.append(
            Problem(
                document.path,
                source.line_of(("validation", "next_review")),
                "validation.next_review",
                f"review overdue since {due.isoformat()}; run `praxis review --due`",
                "warning",
            )
        )
    return problems


def check_links(documents: list[Document], context: Iterable[Document] = ()) -> list[Problem]:
    """Cross-file problems of `documents`: duplicate ids and broken `translation_of` links.

    `context` holds other known documents (say, the rest of `practices/` when one file is
    validated): links may point into it and ids may collide with it.
    """
    problems = []
    mine = {document.path for document in documents}
    by_id: dict[str, Document] = {d.id: d for d in context if d.path not in mine}
    for document in documents:
        if document.id in by_id:
            problems.append(
                Problem(
                    document.path,
                    document.key_lines.get(("id",), 1),
                    "id",
                    f"duplicate id '{document.id}', also used by {by_id[document.id].path}",
                )
            )
        else:
            by_id[document.id] = document
    for document in documents:
        target_id = document.meta.translation_of if document.meta else None
        if not target_id:
            continue
        target = by_id.get(target_id)
        if target_id == document.id:
            message = "a practice cannot be a translation of itself"
        elif target is None:
            message = f"no practice has id '{target_id}'; point at the original's id"
        elif target.meta and target.meta.translation_of:
            message = f"'{target_id}' is itself a translation; point at its original '{target.meta.translation_of}'"
        elif target.language == document.language:
            message = f"'{target_id}' is in the same language ('{document.language}'); a translation needs another"
        else:
            continue
        problems.append(Problem(document.path, document.key_lines[("translation_of",)], "translation_of", message))
    return problems


def read_practices(
    paths: Iterable[Path], taxonomy: Taxonomy, reuse: Reuse | None = None
) -> tuple[list[Document], list[Problem]]:
    """Parse every practice file under `paths`: (valid documents, problems), no link checks."""
    documents, problems = [], []
    for path in markdown_files(paths):
        document, found = read_document(path, "practice", taxonomy, reuse=reuse)
        problems.extend(found)
        if document:
            documents.append(document)
    return documents, problems


def load_corpus(
    practice_paths: Iterable[Path],
    docs_dir: Path | None,
    taxonomy: Taxonomy,
    context: Iterable[Document] = (),
    reuse: Reuse | None = None,
) -> tuple[list[Document], list[Problem]]:
    """Read all practices (and methodology pages), returning valid documents and every problem."""
    documents, problems = read_practices(practice_paths, taxonomy, reuse)
    link_problems = check_links(documents, context)
    problems.extend(link_problems)
    broken = {p.path for p in link_problems}
    documents = [d for d in documents if d.path not in broken]
    if docs_dir and Path(docs_dir).is_dir():
        for path in markdown_files([docs_dir]):
            document, found = read_document(path, "page", taxonomy, root=Path(docs_dir), reuse=reuse)
            problems.extend(found)
            if document:
                documents.append(document)
    return documents, problems
