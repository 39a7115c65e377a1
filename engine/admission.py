"""Admission control for searches: a bounded number in flight, refused at once beyond it.

Encoding a 300-word description takes the two cores for a few hundred milliseconds; with
no bound, twenty such requests wait behind each other for seconds. Two bounds keep the wait
short and the refusal quick:

- :class:`Admission` counts the requests that may encode a query (searches, curriculum
  drafts). At most `capacity` are in flight; the next one is refused at once with
  :class:`Busy`, which the API answers with 503 and `Retry-After`. The API takes the slot
  on the event loop, before the request waits for a worker thread, so a refusal costs
  nothing but the answer.
- :class:`GatedEmbedder` lets at most `concurrent` query encodings run at once (one per
  core); the admitted requests beyond them wait their turn, a wait that the admission bound
  keeps short.

Passages (indexing, near-duplicates) are not gated: they are not on the search path. Query
vectors already encoded come from the engine's cache and never reach the gate.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from indexer.embedders import Embedder, EmbedderInfo

RETRY_AFTER_SECONDS = 1
"""What a refused client is told to wait: an admitted search is over in about that time."""


class Busy(RuntimeError):
    """No room for this request: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int = RETRY_AFTER_SECONDS):
        super().__init__(f"the search service is busy: try again in {retry_after} s")
        self.retry_after = retry_after


class Admission:
    """At most `capacity` requests in flight; `slot()` raises :class:`Busy` at once beyond them."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._active = 0
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._active >= self.capacity:
                raise Busy()
            self._active += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1


class GatedEmbedder:
    """`embedder` with at most `concurrent` query encodings at once; a query that finds no free
    encoder within `wait_seconds` (a safety net: admission keeps the queue short) is refused."""

    def __init__(self, embedder: Embedder, concurrent: int, wait_seconds: float):
        self.embedder = embedder
        self.wait_seconds = wait_seconds
        self._running = threading.BoundedSemaphore(concurrent)

    @property
    def info(self) -> EmbedderInfo:
        return self.embedder.info

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_passages(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not self._running.acquire(timeout=self.wait_seconds):
            raise Busy()
        try:
            return self.embedder.embed_queries(texts)
        finally:
            self._running.release()
