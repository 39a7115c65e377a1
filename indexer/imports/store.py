"""What each imported file gave, kept until it is imported again: the input of `praxis index`.

Layout: ``<imports dir>/<source>/<file key>.jsonl``, one per imported file (the key is a
hash of the file's absolute path): a header line (source, file, its SHA-256, the import
date, counts), then one :class:`~indexer.layout.Record` a line, read back one at a time
(:meth:`ImportsStore.lines`), never all at once. Each file is written to a
temporary file and renamed, so a crash leaves the previous import of that file or the new
one, never half of it; importing the same bytes again is a no-op.
"""

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.layout import Record


@dataclass(frozen=True)
class StoredFile:
    source: str
    file: str
    sha256: str
    """Of the file's bytes and the mapping it was read with: a change to either means reading it again."""
    imported: str
    rows: int
    records: int
    path: Path


class ImportsStore:
    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, source: str, file: Path) -> Path:
        key = hashlib.sha256(str(file.resolve()).encode("utf-8")).hexdigest()[:16]
        return self.directory / source / f"{key}.jsonl"

    def stored(self, source: str, file: Path) -> StoredFile | None:
        path = self._path(source, file)
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as handle:
            return StoredFile(**json.loads(handle.readline()), path=path)

    def write(self, source: str, file: Path, sha256: str, imported: str, rows: int, records: list[Record]) -> None:
        path = self._path(source, file)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"source": source, "file": str(file), "sha256": sha256, "imported": imported}
        header |= {"rows": rows, "records": len(records)}
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(header, ensure_ascii=False) + "\n")
            for record in records:
                handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def forget(self, source: str) -> int:
        """Drop everything a source gave; returns how many files it had."""
        stored = [f for f in self.files() if f.source == source]
        for found in stored:
            found.path.unlink()
        return len(stored)

    def files(self) -> list[StoredFile]:
        found = []
        for path in sorted(self.directory.glob("*/*.jsonl")) if self.directory.is_dir() else []:
            with path.open(encoding="utf-8") as handle:
                found.append(StoredFile(**json.loads(handle.readline()), path=path))
        return sorted(found, key=lambda stored: (stored.source, stored.file))

    def records(self) -> Iterator[Record]:
        """Every stored record, by source and file name (duplicates across files not merged yet)."""
        for _, _, line in self.lines():
            yield Record.from_json(json.loads(line))

    def lines(self, files: list[StoredFile] | None = None) -> Iterator[tuple[int, int, bytes]]:
        """(number of its file in `files`, byte offset, line) of every stored record, one at a time.

        `files` defaults to :meth:`files`; :meth:`read_at` reads a record again by its offset.
        """
        for number, stored in enumerate(self.files() if files is None else files):
            with stored.path.open("rb") as handle:
                offset = len(handle.readline())
                for line in handle:
                    yield number, offset, line
                    offset += len(line)

    @staticmethod
    def read_at(stored: StoredFile, offset: int) -> Record:
        """The record at `offset` of a stored file (an offset :meth:`lines` gave)."""
        with stored.path.open("rb") as handle:
            handle.seek(offset)
            return Record.from_json(json.loads(handle.readline()))
