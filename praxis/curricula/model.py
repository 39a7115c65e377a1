"""Curricula: training programmes assembled from methodology modules and practices.

In: a YAML file under `curricula/` (see docs/contributing/curricula.md), the ids of the
methodology pages and of the practices it may cite. Out: a validated :class:`Curriculum`,
or :class:`~indexer.corpus.Problem` s as `file:line: field: message` (unknown page or
practice ids, module hours that don't add up to the total, empty modules). Also the
schedule (each module's start and end hour) that the site and the printable export show,
and the YAML a draft is written as.
"""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from indexer import frontmatter
from indexer.corpus import Problem, problem_from_pydantic
from indexer.model import ID_PATTERN

GUIDE = "docs/contributing/curricula.md"
HOURS_TOLERANCE = 0.01
Text = Annotated[str, Field(min_length=1, max_length=2000)]
PracticeId = Annotated[str, Field(pattern=ID_PATTERN)]


class Module(BaseModel):
    """One session of the programme: a methodology page taught with case-study practices."""

    model_config = ConfigDict(extra="forbid")
    page: str = Field(description="Methodology page id, e.g. methodology/case-management")
    title: Text | None = Field(None, description="Shown instead of the page's title")
    hours: float = Field(gt=0, le=200)
    activities: list[Text] = Field([], max_length=30)
    practices: list[PracticeId] = Field([], max_length=10, description="Case-study practice ids")
    practice_query: Annotated[str, Field(max_length=1000)] | None = Field(
        None, description="A problem description whose best matches (any language) are added as case studies"
    )


class Curriculum(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    audience: Text
    language: str = Field(pattern=r"^[a-z]{2}$")
    hours: float = Field(gt=0, le=1000, description="Total hours; the modules' hours add up to it")
    outcomes: list[Text] = Field(min_length=1, max_length=30, description="What participants can do afterwards")
    modules: list[Module] = Field(min_length=1, max_length=40)


@dataclass(frozen=True)
class Slot:
    """A module's place in the schedule: hours from the start of the programme."""

    number: int
    module: Module
    start: float
    end: float


def schedule(curriculum: Curriculum) -> list[Slot]:
    slots, start = [], 0.0
    for number, module in enumerate(curriculum.modules, 1):
        slots.append(Slot(number, module, start, start + module.hours))
        start += module.hours
    return slots


def format_hours(hours: float) -> str:
    """1.5 -> "1.5", 4.0 -> "4"."""
    return f"{hours:g}"


def load_curriculum(
    path: Path, pages: set[str], practices: set[str], languages: set[str]
) -> tuple[Curriculum | None, list[Problem]]:
    """Read and check one curriculum file against the known page and practice ids."""
    try:
        text = frontmatter.decode(path.read_bytes())
        if not text.strip():
            raise frontmatter.FrontMatterError(1, "the file is empty")
        data, key_lines = frontmatter.parse_yaml(text)
    except OSError as error:
        return None, [Problem(path, 1, "file", f"cannot read: {error.strerror}")]
    except frontmatter.FrontMatterError as error:
        return None, [Problem(path, error.line, "file", error.message)]
    source = frontmatter.SourceFile(data if isinstance(data, dict) else {}, "", 1, key_lines)
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "file", f"a curriculum is a mapping of 'key: value' lines; see {GUIDE}")]
    try:
        curriculum = Curriculum.model_validate(data)
    except ValidationError as error:
        return None, [problem_from_pydantic(path, source, item, GUIDE) for item in error.errors()]
    problems = _reference_problems(curriculum, pages, practices, languages, source, path)
    if curriculum.id != path.stem:
        problems.append(Problem(path, source.line_of(("id",)), "id", f"must match the file name '{path.stem}'"))
    return (None if problems else curriculum), problems


def _reference_problems(
    curriculum: Curriculum,
    pages: set[str],
    practices: set[str],
    languages: set[str],
    source: frontmatter.SourceFile,
    path: Path,
) -> list[Problem]:
    problems = []

    def problem(location: tuple, message: str) -> None:
        problems.append(Problem(path, source.line_of(location), ".".join(map(str, location)), message))

    if curriculum.language not in languages:
        problem(("language",), f"'{curriculum.language}' is not a taxonomy language ({', '.join(sorted(languages))})")
    for number, module in enumerate(curriculum.modules):
        if module.page not in pages:
            problem(("modules", number, "page"), f"no methodology page '{module.page}' in docs/ (e.g. {min(pages)})")
        for position, practice in enumerate(module.practices):
            if practice not in practices:
                problem(("modules", number, "practices", position), f"no practice with id '{practice}'")
        if not module.activities and not module.practices and not module.practice_query:
            problem(("modules", number), "empty module: give it activities, case-study practices or a practice_query")
    total = sum(module.hours for module in curriculum.modules)
    if not math.isclose(total, curriculum.hours, abs_tol=HOURS_TOLERANCE):
        problem(
            ("hours",),
            f"the modules add up to {format_hours(total)} h, not {format_hours(curriculum.hours)} h: "
            "change the total or the modules' hours",
        )
    return problems


def to_yaml(curriculum: Curriculum) -> str:
    """The curriculum as the YAML of a file in curricula/ (unset optional fields left out)."""
    data = _whole_hours(curriculum.model_dump(exclude_none=True))
    for module in data["modules"]:
        for empty in [key for key in ("activities", "practices") if not module[key]]:
            del module[empty]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _whole_hours(data: dict) -> dict:
    """Hours written as 4 rather than 4.0."""
    for holder in (data, *data["modules"]):
        if float(holder["hours"]).is_integer():
            holder["hours"] = int(holder["hours"])
    return data
