"""What the site takes from the search index: cross-lingual "similar practices" for every
practice page, and the case studies a curriculum's `practice_query` finds.

In: the index path, the catalogue, the curricula and the settings. Out: for each write-up id, up
to :data:`SIMILAR_PER_PAGE` neighbours, search hits as the API returns them (id, title,
language, passages, versions ...), written in languages other than the write-up's and never
its own translations; and the curricula with their practice queries resolved as
`praxis curriculum export` resolves them (with the embedder the index was built with), so the
site and the printed programme list the same case studies. The index is loaded once per build.
A missing or unusable index, or one older than the practices, is a warning that says to run
`praxis index`, so `mkdocs build --strict` fails with that advice rather than with a site that
is silently out of date.
"""

from pathlib import Path

from mkdocs.plugins import get_plugin_logger

import engine
from engine.loaded import LoadedIndex
from indexer.embedders import load_embedder
from indexer.layout import UnusableIndexError
from praxis.curricula.draft import with_query_practices
from praxis.curricula.model import Curriculum
from praxis.settings import Settings
from site_hooks.catalogue import Catalogue

log = get_plugin_logger(__name__)
SIMILAR_PER_PAGE = 5


def open_index(index_path: Path, catalogue: Catalogue) -> LoadedIndex | None:
    """The index (warning when it is out of date), or None after a warning when it cannot be used."""
    try:
        index = LoadedIndex.open(index_path, None)
    except UnusableIndexError as error:
        log.warning(f"no similar practices: {error}. Run `praxis index` first, then build the site.")
        return None
    stale = _out_of_date(index, catalogue)
    if stale:
        log.warning(
            f"the index at {index_path} is out of date ({', '.join(stale[:5])}"
            f"{' ...' if len(stale) > 5 else ''}): run `praxis index`, then build the site"
        )
    return index


def similar_practices(index: LoadedIndex | None, catalogue: Catalogue) -> dict[str, list[dict]]:
    """Neighbours by write-up id; {} without an index."""
    if index is None:
        return {}
    indexed = [w for w in catalogue.write_ups if w.id in index.by_id]
    languages = {w.language for w in indexed}
    neighbours = {}
    for write_up in indexed:
        others = sorted(languages - {write_up.language})
        filters = engine.Filters({"language": others})
        hits = engine.similar(index, write_up.id, SIMILAR_PER_PAGE, filters) if others else []
        neighbours[write_up.id] = [hit for hit in hits if hit["id"] in catalogue.by_id]
    return neighbours


def resolved_curricula(curricula: list[Curriculum], index: LoadedIndex | None, settings: Settings) -> list[Curriculum]:
    """The curricula with their practice queries' case studies added (as they are, without an index)."""
    if index is None or not any(module.practice_query for c in curricula for module in c.modules):
        return curricula
    try:
        embedder = load_embedder(settings.embedder)
        searchable = LoadedIndex.open(index.files.path, embedder)
    except (UnusableIndexError, ValueError) as error:
        log.warning(f"the curricula's practice queries are not resolved: {error}")
        return curricula
    return [with_query_practices(c, searchable, embedder, settings.centre_languages) for c in curricula]


def _out_of_date(index: LoadedIndex, catalogue: Catalogue) -> list[str]:
    """What differs between the indexed practices and the practice files, one phrase each."""
    indexed = {d.id: d.content_hash for d in index.documents if d.kind == "practice"}
    phrases = [f"{w.id} is not indexed" for w in catalogue.write_ups if w.id not in indexed]
    phrases += [
        f"{w.id} changed since"
        for w in catalogue.write_ups
        if w.id in indexed and indexed[w.id] != w.document.content_hash
    ]
    phrases += [f"{gone} is indexed but has no file" for gone in sorted(set(indexed) - set(catalogue.by_id))]
    return phrases
