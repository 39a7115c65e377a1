"""Engines by name: the one place that knows which class implements which store.

A build records the names of its stores in its manifest, and a reader gets the same
classes back from them. Adding an engine is one module in this package and one entry here.
"""

from indexer.stores.base import KeywordStore, VectorStore

VECTOR_STORES = ("faiss", "faiss-flat", "faiss-hnsw", "typesense")
"""``faiss`` picks exact search up to the ANN threshold and HNSW beyond it; ``typesense`` is a
cluster (:mod:`indexer.stores.typesense`)."""
KEYWORD_STORES = ("whoosh", "tantivy", "typesense")
SERVER_STORES = ("typesense",)
"""Engines whose data lives on a server, outside the build directory (tests need that server)."""


def vector_store_class(name: str, rows: int = 0, ann_threshold: int = 20_000) -> type[VectorStore]:
    """The vector store class for a setting (``faiss``: by corpus size) or a saved build's kind."""
    from indexer.stores.faiss import FaissFlat, FaissHNSW

    if name == "faiss":
        return FaissFlat if rows <= ann_threshold else FaissHNSW
    if name == "typesense":
        from indexer.stores.typesense import TypesenseVectorStore

        return TypesenseVectorStore
    classes = {"faiss-flat": FaissFlat, "faiss-hnsw": FaissHNSW}
    if name not in classes:
        raise ValueError(f"unknown vector store '{name}': use one of {', '.join(VECTOR_STORES)}")
    return classes[name]


def create_vector_store(name: str, dimension: int, rows: int = 0, ann_threshold: int = 20_000) -> VectorStore:
    return vector_store_class(name, rows, ann_threshold)(dimension)


def keyword_store_class(name: str) -> type[KeywordStore]:
    """The keyword store class of a setting or of a saved build."""
    if name == "whoosh":
        from indexer.stores.whoosh import WhooshStore

        return WhooshStore
    if name == "tantivy":
        from indexer.stores.tantivy import TantivyStore

        return TantivyStore
    if name == "typesense":
        from indexer.stores.typesense import TypesenseKeywordStore

        return TypesenseKeywordStore
    raise ValueError(f"unknown keyword store '{name}': use one of {', '.join(KEYWORD_STORES)}")
