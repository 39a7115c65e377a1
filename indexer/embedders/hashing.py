"""Character n-gram hashing: a deterministic, instant embedder for unit tests.

It knows nothing of meaning or of languages (only shared spelling), which is exactly
what tests of plumbing need: same text, same vector, on every machine.
"""

import hashlib

import numpy as np

from indexer.embedders.base import Embedder


class HashingEmbedder(Embedder):
    name = "hashing"
    version = "1"

    def __init__(self, dimension: int = 256):
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        return self._dimension

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dimension, dtype=np.float32)
        padded = f"  {text.casefold()}  "
        for start in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[start : start + 3].encode(), digest_size=4).digest()
            bucket = int.from_bytes(digest, "little")
            vector[bucket % self._dimension] += 1.0 if bucket & 1 << 31 else -1.0
        return vector

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(text) for text in texts]) if texts else np.zeros((0, self._dimension))

    _embed_queries = _embed_passages
