"""Cross-lingual "similar practices" for every practice page, from the search index.

In: the index path and the catalogue. Out: for each write-up id, up to
:data:`SIMILAR_PER_PAGE` neighbours, search hits as the API returns them (id, title,
language, passages, versions ...), written in languages other than the write-up's and
never its own translations. The index is loaded once per build. A missing or unusable
index, or one older than the practices, is a warning that says to run `praxis index`,
so `mkdocs build --strict` fails with that advice rather than with a site that is
silently out of date.
"""

from pathlib import Path

from mkdocs.plugins import get_plugin_logger

import engine
from engine.loaded import LoadedIndex
from indexer.layout import UnusableIndexError
from site_hooks.catalogue import Catalogue

log = get_plugin_logger(__name__)
SIMILAR_PER_PAGE = 5


def similar_practices(index_path: Path, catalogue: Catalogue) -> dict[str, list[dict]]:
    """Neighbours by write-up id; {} (after a warning) when the index cannot be used."""
    try:
        index = LoadedIndex.open(index_path, None)
    except UnusableIndexError as error:
        log.warning(f"no similar practices: {error}. Run `praxis index` first, then build the site.")
        return {}
    stale = _out_of_date(index, catalogue)
    if stale:
        log.warning(
            f"the index at {index_path} is out of date ({', '.join(stale[:5])}"
            f"{' ...' if len(stale) > 5 else ''}): run `praxis index`, then build the site"
        )
    indexed = [w for w in catalogue.write_ups if w.id in index.by_id]
    languages = {w.language for w in indexed}
    neighbours = {}
    for write_up in indexed:
        others = sorted(languages - {write_up.language})
        filters = engine.Filters({"language": others})
        hits = engine.similar(index, write_up.id, SIMILAR_PER_PAGE, filters) if others else []
        neighbours[write_up.id] = [hit for hit in hits if hit["id"] in catalogue.by_id]
    return neighbours


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
