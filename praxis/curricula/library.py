"""What curricula cite, and checking curriculum files against it.

In: the settings (practices, docs and curricula directories, taxonomy). Out: a
:class:`Library` of the methodology pages (with their translations) and practice write-ups a
curriculum may cite, and each curriculum file checked against it. The CLI, the API and the
site share this.
"""

from dataclasses import dataclass
from pathlib import Path

from indexer.corpus import Document, Problem, load_corpus
from indexer.taxonomy import load_taxonomy
from praxis.curricula.model import Curriculum, Module, load_curriculum


@dataclass(frozen=True)
class Library:
    pages: dict[str, Document]
    """Methodology pages by id (methodology/case-management), in English."""
    practices: dict[str, Document]
    """Practice write-ups by id, every language version."""
    languages: frozenset[str]
    """The taxonomy's languages: a curriculum is written in one of them."""
    translations: dict[tuple[str, str], Document]
    """Translated methodology pages by (id of the English page, language)."""

    @classmethod
    def open(cls, practices_dir: Path, docs_dir: Path, taxonomy_file: Path) -> "Library":
        taxonomy = load_taxonomy(taxonomy_file)
        documents, _ = load_corpus([practices_dir], docs_dir, taxonomy)
        methodology = [d for d in documents if d.kind == "page" and d.group_id.startswith("methodology/")]
        return cls(
            pages={d.id: d for d in methodology if d.id == d.group_id},
            practices={d.id: d for d in documents if d.kind == "practice"},
            languages=frozenset(taxonomy.languages),
            translations={(d.group_id, d.language): d for d in methodology if d.id != d.group_id},
        )

    def page(self, page_id: str, language: str) -> Document:
        """A methodology page in `language` where it is translated, else in English."""
        return self.translations.get((page_id, language)) or self.pages[page_id]

    def module_title(self, module: Module, language: str) -> str:
        """The module's own title, else its methodology page's in `language`."""
        return module.title or self.page(module.page, language).title

    def check(self, path: Path) -> tuple[Curriculum | None, list[Problem]]:
        return load_curriculum(path, set(self.pages), set(self.practices), set(self.languages))


def curriculum_files(paths: list[Path]) -> list[Path]:
    """The .yml files among `paths` and in the directories among them, sorted."""
    files = []
    for path in paths:
        files += sorted(path.glob("*.yml")) if path.is_dir() else [path]
    return files


def find_curriculum(curricula_dir: Path, curriculum_id: str) -> Path:
    """The file of a curriculum id; ValueError for ids that are not plain names (no path tricks)."""
    path = curricula_dir / f"{curriculum_id}.yml"
    if "/" in curriculum_id or "\\" in curriculum_id or curriculum_id.startswith(".") or not path.is_file():
        known = ", ".join(p.stem for p in curriculum_files([curricula_dir])) or "none"
        raise ValueError(f"no curriculum '{curriculum_id}' in {curricula_dir} (known: {known})")
    return path
