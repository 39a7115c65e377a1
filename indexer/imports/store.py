"""What each imported file gave, kept until it is imported again: the input of `praxis index`.

Layout: ``<imports dir>/<source>/<file key>.jsonl``, one per imported file (the key is a
hash of the file's absolute path): a header line (source, file, its SHA-256, the import
date, counts), then one :class:`~indexer.layout.Record` a line, read back one at a time
(:meth:`ImportsStore.located_records`), never all at once. Each file is written to a
temporary file and renamed, so a crash leaves the previous import of that file or the new
one, never half of it; importing the same bytes again is a no-op.

A stored file whose header cannot be read, and a line that is not a record, are left out
and reported in :attr:`ImportsStore.problems` (file, line, what to do), never rewritten:
the other files and lines go on.
"""

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.corpus import Problem
from indexer.imports.mapping import SOURCE_NAME
from indexer.layout import Record

_NOT_A_RECORD = (ValueError, TypeError, KeyError)
"""What reading a damaged line raises: json's errors are ValueErrors; a field missing or unknown, the others."""


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
        self._problems: dict[tuple[Path, int], Problem] = {}

    @property
    def problems(self) -> list[Problem]:
        """The headers and lines left out so far (each once, however often they were read)."""
        return list(self._problems.values())

    def _report(self, path: Path, line: int, field: str, message: str) -> None:
        self._problems.setdefault((path, line), Problem(path, line, field, message))

    def _header(self, path: Path) -> StoredFile | None:
        """A stored file's header, or None (reported) when it cannot be read."""
        try:
            with path.open(encoding="utf-8") as handle:
                return StoredFile(**json.loads(handle.readline()), path=path)
        except OSError as error:
            reason = f"cannot read: {error.strerror}"
        except _NOT_A_RECORD as error:
            reason = f"not an imports-store header ({type(error).__name__}: {error})"
        todo = f"move it aside and import its file again with the {path.parent.name} mapping"
        self._report(path, 1, "header", f"{reason}: its records are left out; {todo}")
        return None

    def _record(self, stored: StoredFile, number: int, line: bytes) -> Record | None:
        """Line `number` of a stored file as a record; None for a blank line, or one that is not a record (reported)."""
        if not line.strip():
            return None
        try:
            return Record.from_json(json.loads(line))
        except _NOT_A_RECORD as error:
            todo = f"move this file aside and import {stored.file} again with the {stored.source} mapping"
            message = f"not a stored record ({type(error).__name__}: {error}): left out; to get it back, {todo}"
            self._report(stored.path, number, "record", message)
            return None

    def _path(self, source: str, file: Path) -> Path:
        key = hashlib.sha256(str(file.resolve()).encode("utf-8")).hexdigest()[:16]
        return self.directory / source / f"{key}.jsonl"

    def stored(self, source: str, file: Path) -> StoredFile | None:
        """What `file` gave, or None if it has not been imported (or its header is unreadable: import it again)."""
        path = self._path(source, file)
        return self._header(path) if path.is_file() else None

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
        """Drop everything a source gave, files whose header cannot be read too; returns how many
        files it had. ValueError for a name no source can have (it names a directory here)."""
        if not re.fullmatch(SOURCE_NAME, source):
            raise ValueError(f"'{source}' is not a source name (lower-case letters, digits and '-')")
        stored = sorted((self.directory / source).glob("*.jsonl"))
        for path in stored:
            path.unlink()
        return len(stored)

    def files(self) -> list[StoredFile]:
        paths = sorted(self.directory.glob("*/*.jsonl")) if self.directory.is_dir() else []
        found = [stored for stored in map(self._header, paths) if stored is not None]
        return sorted(found, key=lambda stored: (stored.source, stored.file))

    def records(self) -> Iterator[Record]:
        """Every stored record, by source and file name (duplicates across files not merged yet)."""
        for _, _, record in self.located_records():
            yield record

    def located_records(self, files: list[StoredFile] | None = None) -> Iterator[tuple[int, int, Record]]:
        """(number of its file in `files`, byte offset, record) of every stored record, one at a time.

        `files` defaults to :meth:`files`; :meth:`read_at` reads a record again by its offset.
        A damaged line is left out (and reported), not the build.
        """
        for number, stored in enumerate(self.files() if files is None else files):
            with stored.path.open("rb") as handle:
                offset = len(handle.readline())
                for line_number, line in enumerate(handle, start=2):
                    record = self._record(stored, line_number, line)
                    if record is not None:
                        yield number, offset, record
                    offset += len(line)

    @staticmethod
    def read_at(stored: StoredFile, offset: int) -> Record:
        """The record at `offset` of a stored file (an offset :meth:`lines` gave)."""
        with stored.path.open("rb") as handle:
            handle.seek(offset)
            return Record.from_json(json.loads(handle.readline()))
