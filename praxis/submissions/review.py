"""Reviewing submitted practices against the validation criteria.

In: a draft in the submissions directory, the reviewers' findings and the taxonomy. Out:
the draft's front matter updated (criteria results, reviewers, date, evidence level,
next review) and either moved into the practices directory (accepted: validated or
under review) or kept where it is as archived with the reasons (rejected). Also: the
criteria checklist read from the methodology's validation page, and the practices whose
review is due.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from indexer import frontmatter
from indexer.corpus import read_document, read_practices
from indexer.model import ID_PATTERN, PracticeMeta
from indexer.taxonomy import Taxonomy
from indexer.writing import replace, write_new

_CRITERION_HEADING = re.compile(r"^###\s+`([a-z-]+)`")


class ReviewError(ValueError):
    pass


def criteria_checklist(page: Path, taxonomy: Taxonomy) -> dict[str, list[str]]:
    """Reviewer questions per criterion, from the "## Criteria checklist" of the validation page.

    Criteria the page doesn't cover still appear, with no questions.
    """
    questions: dict[str, list[str]] = {key: [] for key in taxonomy.terms("criteria")}
    text = page.read_text(encoding="utf-8") if page.is_file() else ""
    current, inside = None, False
    for line in text.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip().lower().startswith("criteria checklist")
        elif inside and (match := _CRITERION_HEADING.match(line)):
            current = match.group(1) if match.group(1) in questions else None
        elif inside and current and line.lstrip().startswith(("- ", "* ")):
            questions[current].append(line.lstrip()[2:].strip())
    return questions


def submission_path(directory: Path, practice_id: str) -> Path:
    """The draft of an id; the id must be a plain slug (no path tricks) and the draft must exist."""
    if not re.fullmatch(ID_PATTERN, practice_id):
        raise ReviewError(f"'{practice_id}' is not a practice id (lowercase letters, digits and '-')")
    path = directory / f"{practice_id}.md"
    if not path.is_file():
        raise ReviewError(f"no submission '{practice_id}' in {directory}")
    return path


@dataclass
class Decision:
    reviewers: list[str]
    criteria: dict[str, str] = field(default_factory=dict)
    evidence: str | None = None
    status: str = "validated"
    """validated or under-review when accepting; archived when rejecting."""
    reasons: list[str] = field(default_factory=list)
    date: dt.date = field(default_factory=dt.date.today)
    next_review: dt.date | None = None


def default_next_review(date: dt.date, evidence: str | None) -> dt.date:
    """Two years after validation, one year for emerging evidence (docs/methodology/validating-practices.md)."""
    years = 1 if evidence == "emerging" else 2
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February in a year that has none
        return date.replace(year=date.year + years, day=28)


def _check(decision: Decision, taxonomy: Taxonomy) -> None:
    if not decision.reviewers:
        raise ReviewError("name at least one reviewer (--reviewer)")
    if decision.next_review and decision.next_review <= decision.date:
        # A next review on or before the decision's day would list the practice as due at once: a typo.
        raise ReviewError(f"the next review ({decision.next_review}) must come after the decision ({decision.date})")
    breaches = taxonomy.validation_breaches(decision.criteria) if decision.status == "validated" else []
    if breaches:
        raise ReviewError(
            f"a validated practice must meet every exclusion criterion, have its core criteria assessed and not "
            f"fail equity: {'; '.join(breaches)} (accept it as under-review, or reject it)"
        )


def _apply(path: Path, decision: Decision, taxonomy: Taxonomy) -> str:
    """The draft's text with the decision written into its front matter (validated by the model)."""
    source = frontmatter.split(path.read_text(encoding="utf-8"))
    meta = dict(source.front_matter)
    validation = dict(meta.get("validation") or {})
    validation.update(
        status=decision.status,
        reviewers=decision.reviewers,
        date=decision.date.isoformat(),
        criteria={**validation.get("criteria", {}), **decision.criteria},
    )
    if decision.status != "archived":
        evidence = decision.evidence or (meta.get("evidence") or {}).get("level")
        validation["next_review"] = (decision.next_review or default_next_review(decision.date, evidence)).isoformat()
        if evidence:
            meta["evidence"] = {**(meta.get("evidence") or {}), "level": evidence}
    if decision.reasons:
        validation["notes"] = [*validation.get("notes", []), *decision.reasons]
    meta["validation"] = validation
    try:
        PracticeMeta.model_validate(meta, context={"taxonomy": taxonomy})
    except ValidationError as error:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
        raise ReviewError("; ".join(problems)) from None
    return f"---\n{yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)}---\n{source.body}"


def accept(path: Path, decision: Decision, practices_dir: Path, taxonomy: Taxonomy) -> Path:
    """Move a reviewed draft into the practices directory; never overwrites a practice."""
    _check(decision, taxonomy)
    text = _apply(path, decision, taxonomy)
    target = practices_dir / path.name
    try:
        write_new(target, text)
    except FileExistsError:
        raise ReviewError(f"{target} already exists; rename the submission's id first") from None
    document, problems = read_document(target, "practice", taxonomy)
    if document is None:
        target.unlink()
        raise ReviewError("; ".join(map(str, problems)))
    path.unlink()
    return target


def reject(path: Path, decision: Decision, taxonomy: Taxonomy) -> Path:
    """Keep a draft where it is, archived, with the reasons."""
    if not decision.reasons:
        raise ReviewError("say why (--reason)")
    if not decision.reviewers:
        raise ReviewError("name at least one reviewer (--reviewer)")
    decision.status = "archived"
    replace(path, _apply(path, decision, taxonomy))
    return path


def due(practices_dir: Path, taxonomy: Taxonomy, on: dt.date) -> list[tuple[str, dt.date, Path]]:
    """Practices whose next review is on or before `on`, soonest first."""
    documents, _ = read_practices([practices_dir], taxonomy)
    found = [
        (d.id, d.meta.validation.next_review, d.path)
        for d in documents
        if d.meta.validation and d.meta.validation.next_review and d.meta.validation.next_review <= on
    ]
    return sorted(found, key=lambda item: item[1])


def describe(document, duplicates: list[dict], checklist_page: Path, taxonomy: Taxonomy) -> list[str]:
    """What a reviewer reads before deciding: the draft, its likely duplicates, the criteria checklist."""
    meta = document.meta
    lines = [
        f"# {document.title}  [{document.language}]  ({document.path})",
        f"{meta.summary or ''}\ncountries {meta.countries}  themes {meta.themes}  methods {meta.methods}",
    ]
    lines += [f"\n## {section.heading}\n{section.text[:600]}" for section in document.sections]
    lines.append("\nLikely duplicates:")
    lines += [f"- {duplicate['message']}" for duplicate in duplicates or [{"message": "none found"}]]
    lines.append("\nCriteria checklist (record with --criterion KEY=met|partly-met|not-met|not-assessed):")
    recorded_criteria = meta.validation.criteria if meta.validation else {}
    for key, questions in criteria_checklist(checklist_page, taxonomy).items():
        recorded = recorded_criteria.get(key, "not recorded")
        lines.append(f"- {key} [{taxonomy.criteria_groups[key]}] {taxonomy.label('criteria', key)}: {recorded}")
        lines += [f"    ? {question}" for question in questions]
    return lines
