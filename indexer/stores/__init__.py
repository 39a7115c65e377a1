"""Storage engines behind two interfaces (see :mod:`indexer.stores.base`), picked by name
through :mod:`indexer.stores.factory`."""

from indexer.stores.base import KeywordChunk, KeywordHit, KeywordStore, StoreUnavailableError, VectorStore
from indexer.stores.factory import (
    create_vector_store,
    keyword_store_class,
    vector_store_class,
)

__all__ = [
    "KeywordChunk",
    "KeywordHit",
    "KeywordStore",
    "StoreUnavailableError",
    "VectorStore",
    "create_vector_store",
    "keyword_store_class",
    "vector_store_class",
]
