"""The search engine: an index build opened through its stores, searched and compared.

``loaded`` opens builds (and swaps in new ones), ``filters`` and ``fusion`` are the pieces
of ``search`` (hybrid search), ``similar`` finds neighbours of a practice and
``duplicates`` near-duplicates of a new write-up, in any language.
"""

from engine.loaded import IndexHolder, LoadedIndex
from engine.search import Query, SearchResult, search, searchable
from engine.similar import similar
from indexer.facets import Filters

__all__ = ["Filters", "IndexHolder", "LoadedIndex", "Query", "SearchResult", "search", "searchable", "similar"]
