"""The practices the site shows, read with the indexer's own parser.

In: the practices directory and the taxonomy file. Out: a :class:`Catalogue` of every
valid practice write-up (its parsed document and its Markdown body), grouped into
practices: the language versions of one practice share a group, original first.
Files with errors (as `praxis validate` reports them, links between files included)
are left out and logged as warnings, so `mkdocs build --strict` fails on them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from indexer import frontmatter
from indexer.corpus import Document, check_links, read_practices
from indexer.layout import Record
from indexer.model import PracticeMeta
from indexer.taxonomy import Taxonomy, load_taxonomy

log = get_plugin_logger(__name__)


@dataclass(frozen=True)
class WriteUp:
    """One practice write-up in one language."""

    document: Document
    body: str
    """The Markdown after the front matter, as written."""

    @property
    def id(self) -> str:
        return self.document.id

    @property
    def language(self) -> str:
        return self.document.language

    @property
    def title(self) -> str:
        return self.document.title

    @property
    def meta(self) -> PracticeMeta:
        return self.document.meta

    @cached_property
    def record(self) -> Record:
        """The write-up as the index stores it (what the facets read)."""
        return Record.from_document(self.document)

    @property
    def is_original(self) -> bool:
        return self.meta.translation_of is None

    @property
    def src_uri(self) -> str:
        """Where the page is in the site's sources (and so its URL: practices/<id>/)."""
        return page_uri(self.id)


def page_uri(practice_id: str) -> str:
    return f"practices/{practice_id}.md"


@dataclass
class Catalogue:
    taxonomy: Taxonomy
    write_ups: list[WriteUp]
    """Sorted by id."""
    by_id: dict[str, WriteUp] = field(default_factory=dict)

    def __post_init__(self):
        self.by_id = {w.id: w for w in self.write_ups}

    @cached_property
    def practices(self) -> list[list[WriteUp]]:
        """Each practice as its write-ups, original first; practices sorted by the original's title."""
        groups: dict[str, list[WriteUp]] = defaultdict(list)
        for write_up in self.write_ups:
            groups[write_up.document.group_id].append(write_up)
        ordered = [sorted(group, key=lambda w: (not w.is_original, w.language)) for group in groups.values()]
        return sorted(ordered, key=lambda group: group[0].title.casefold())

    def versions(self, write_up: WriteUp) -> list[WriteUp]:
        """The other language versions of a write-up's practice, original first."""
        group = next(g for g in self.practices if write_up in g)
        return [w for w in group if w is not write_up]

    def in_language(self, write_up: WriteUp, language: str) -> WriteUp:
        """The practice's version in `language` where it has one, else its original."""
        group = next(g for g in self.practices if write_up in g)
        return next((w for w in group if w.language == language), group[0])

    @cached_property
    def languages(self) -> list[str]:
        return sorted({w.language for w in self.write_ups})


def load_catalogue(practices_dir: Path, taxonomy_file: Path) -> Catalogue:
    """Read and check every practice under `practices_dir` (none if it does not exist)."""
    taxonomy = load_taxonomy(taxonomy_file)
    if not practices_dir.is_dir():
        log.warning(f"no practices directory at {practices_dir}: the site has no practice pages")
        return Catalogue(taxonomy, [])
    documents, problems = read_practices([practices_dir], taxonomy)
    problems += check_links(documents)
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        log.warning(f"{problem} (left out of the site; `praxis validate` lists every problem)")
    broken = {p.path for p in errors}
    write_ups = [WriteUp(d, _body(d.path)) for d in documents if d.path not in broken]
    return Catalogue(taxonomy, sorted(write_ups, key=lambda w: w.id))


def _body(path: Path) -> str:
    return frontmatter.split(frontmatter.decode(path.read_bytes())).body
