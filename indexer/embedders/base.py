"""The interface every embedder implements.

An embedder turns passages (at index time) and queries (at search time) into
L2-normalised float32 vectors of a fixed dimension, so that inner product is cosine
similarity. Models trained with prefixes (e5's "query: " / "passage: ") add them here,
so callers never do.
"""

import hashlib
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

FINGERPRINT_PROBE = ["Praxis fingerprint probe: case management with Roma families in Romania."]


@dataclass(frozen=True)
class EmbedderInfo:
    """What an index records about the embedder that built it."""

    name: str
    version: str
    dimension: int
    fingerprint: str

    def to_dict(self) -> dict:
        return asdict(self)


class Embedder(ABC):
    name: str
    version: str

    @property
    @abstractmethod
    def dimension(self) -> int: ...

    @abstractmethod
    def _embed_passages(self, texts: list[str]) -> np.ndarray: ...

    @abstractmethod
    def _embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dimension) float32, L2-normalised rows."""
        return _normalised(self._embed_passages(texts), self.dimension)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dimension) float32, L2-normalised rows."""
        return _normalised(self._embed_queries(texts), self.dimension)

    @cached_property
    def info(self) -> EmbedderInfo:
        """Name, version, dimension and a fingerprint of the weights' actual output.

        The fingerprint hashes the embedding of a fixed probe text, so two installs of
        "the same" model that embed differently are told apart.
        """
        probe = np.round(self.embed_passages(FINGERPRINT_PROBE), 3)
        digest = hashlib.sha256(f"{self.name}|{self.dimension}|".encode() + probe.tobytes()).hexdigest()[:16]
        return EmbedderInfo(self.name, self.version, self.dimension, digest)


def _normalised(vectors: np.ndarray, dimension: int) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, dimension)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12))
