"""Content-hash cache of chunk embeddings: embed once, never twice.

In: the cache directory and the embedder. Out: vectors for chunk texts, embedding only
those whose hash is not cached yet. One SQLite file per embedder fingerprint, so vectors
from different models never mix; SQLite's transactions keep it intact through a crash.

Each batch of :data:`BATCH` new vectors is committed as soon as it is embedded, so a build
that is killed loses at most one batch: the next one finds the rest in the cache. A text
is embedded once per content hash, also when it occurs twice in one call.

A cache file that SQLite cannot read (garbage, truncated) is an :class:`UnusableCacheError`
naming it; it is never deleted here: moving it aside costs only embedding again.
"""

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np

from indexer.embedders import Embedder

BATCH = 32


class UnusableCacheError(RuntimeError):
    """The cache file cannot be opened, read or written; the message names it and says what to do."""


@contextlib.contextmanager
def _usable(path: Path):
    """Raise an UnusableCacheError for what SQLite or the file system refuse while using the cache at `path`."""
    try:
        yield
    except sqlite3.OperationalError as error:  # locked, read-only, cannot be opened: the file may be fine
        message = f"{path}: cannot use the embedding cache ({error}): check it is writable and not locked by a process"
        raise UnusableCacheError(message) from None
    except sqlite3.DatabaseError as error:
        raise UnusableCacheError(
            f"{path} is not a readable embedding cache ({error}): move it aside and run again "
            "(every chunk is then embedded again; nothing else is lost)"
        ) from None
    except OSError as error:
        message = f"{path.parent}: cannot be the embedding cache's directory ({error.strerror}): choose another"
        raise UnusableCacheError(message) from None


class EmbeddingCache:
    def __init__(self, directory: Path, embedder: Embedder):
        self.embedder = embedder
        self.dimension = embedder.info.dimension
        self.path = directory / f"{embedder.info.fingerprint}.sqlite"
        with _usable(self.path):
            directory.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self.hits = 0
        """Items found in the cache, over every call of :meth:`embed`."""
        self.embedded = 0
        """Texts embedded (one per new hash), over every call of :meth:`embed`."""

    def lookup(self, hashes: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors among `hashes`."""
        found = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            marks = ",".join("?" * len(batch))
            with _usable(self.path):
                for key, blob in self._db.execute(f"SELECT hash, vector FROM vectors WHERE hash IN ({marks})", batch):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def embed(
        self, items: list[tuple[str, str]], progress: Callable[[int, int], None] = lambda done, total: None
    ) -> tuple[np.ndarray, int]:
        """Vectors for (hash, text) items in order, and how many came from the cache.

        `progress(n, total)` is called as each batch of n new embeddings (of total) is done.
        """
        vectors = self.lookup([key for key, _ in items])
        hits = sum(1 for key, _ in items if key in vectors)
        missing = list({key: text for key, text in items if key not in vectors}.items())
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            embedded = self.embedder.embed_passages([text for _, text in batch])
            rows = [(key, vector.tobytes()) for (key, _), vector in zip(batch, embedded, strict=True)]
            with _usable(self.path), self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            vectors.update((key, vector) for (key, _), vector in zip(batch, embedded, strict=True))
            self.embedded += len(batch)
            progress(len(batch), len(missing))
        self.hits += hits
        matrix = np.stack([vectors[key] for key, _ in items]) if items else np.zeros((0, self.dimension), np.float32)
        return matrix.astype(np.float32), hits

    def close(self) -> None:
        self._db.close()
