"""Admission control for query encoding: a bounded number at once, a short queue, a quick no.

Encoding a 300-word description takes the two cores for a few hundred milliseconds; with
no bound, twenty such requests wait behind each other for seconds. :class:`GatedEmbedder`
wraps an embedder: at most `concurrent` query encodings run at once, at most `waiting`
more wait (each at most `wait_seconds`), and any other is refused at once with
:class:`Busy`, which the API answers with 503 and `Retry-After`. Passages (indexing,
near-duplicates) are not gated: they are not on the search path. Query vectors already
encoded come from the engine's cache and never reach the gate.
"""

import math
import threading

import numpy as np

from indexer.embedders import Embedder, EmbedderInfo


class Busy(RuntimeError):
    """No encoding slot within the wait: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"the search service is busy: try again in {retry_after} s")
        self.retry_after = retry_after


class GatedEmbedder:
    def __init__(self, embedder: Embedder, concurrent: int, waiting: int, wait_seconds: float):
        self.embedder = embedder
        self.wait_seconds = wait_seconds
        self._running = threading.BoundedSemaphore(concurrent)
        self._admitted = threading.BoundedSemaphore(concurrent + waiting)

    @property
    def info(self) -> EmbedderInfo:
        return self.embedder.info

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_passages(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        retry_after = max(1, math.ceil(self.wait_seconds))
        if not self._admitted.acquire(blocking=False):
            raise Busy(retry_after)
        try:
            if not self._running.acquire(timeout=self.wait_seconds):
                raise Busy(retry_after)
            try:
                return self.embedder.embed_queries(texts)
            finally:
                self._running.release()
        finally:
            self._admitted.release()
