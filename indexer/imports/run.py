"""`praxis import SOURCE FILE...`: read files with a source's mapping into the imports store.

In: a mapping, the files, the imports store, the import date, and a progress callback.
Out: an :class:`ImportReport`: per file, rows read, records kept, rows rejected and
warnings, and every problem as `file:row: column: message`. Every usable row is kept; a
file that cannot be read at all is reported and the others go on; a file whose bytes are
unchanged since its last import is not read again.
"""

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.corpus import Problem
from indexer.imports.mapping import SourceMapping
from indexer.imports.projects import RowContext, build_project, exported_project, merge
from indexer.imports.readers import ReadError, UnreadableRow, read_rows
from indexer.imports.store import ImportsStore
from indexer.layout import Record, file_sha256

Progress = Callable[[int], None]
"""Called with the number of rows just read."""


@dataclass
class FileReport:
    file: str
    rows: int = 0
    records: int = 0
    rejected: int = 0
    skipped: int = 0
    """Rows the mapping leaves out on purpose (skip_when: totals, rejected applications, ...)."""
    warnings: int = 0
    duplicates_within: int = 0
    unchanged: bool = False
    unreadable: str | None = None


@dataclass
class ImportReport:
    source: str
    files: list[FileReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def reasons(self) -> dict[str, int]:
        """How many problems of each kind ("no title", "not a date", ...), values left out."""
        kinds = Counter(f"{p.severity}: {p.field}: {_reason(p.message)}" for p in self.problems)
        return dict(kinds.most_common())

    def problems_listing(self, previous: str = "") -> str:
        """The source's problems file after this run: this run's problems, one a line, after the
        lines of `previous` (the file as it was) about files this run did not read again (unchanged
        ones, and the source's other files): re-importing one file loses no other file's report."""
        reread = [report.file for report in self.files if not report.unchanged]
        kept = [line for line in previous.splitlines() if line and not _about(line, reread)]
        return "\n".join([*kept, *(f"{problem.severity}: {problem}" for problem in self.problems)]) + "\n"

    def totals(self) -> dict[str, int]:
        keys = ("rows", "records", "rejected", "skipped", "warnings", "duplicates_within")
        return {key: sum(getattr(report, key) for report in self.files) for key in keys}


def _reason(message: str) -> str:
    return re.sub(r"'[^']*'|\([^)]*\)|\d{4}-\d\d-\d\d", "…", message).split(":")[0].strip()


IMPORT_VERSION = 2
"""Bump when what a row becomes changes: every file is then read again (2: a table whose header lacks
a mapped column is one error for the file, not one for each row)."""


def _version(path: Path, mapping: SourceMapping, limit: int | None) -> str:
    """What decides a file's records: its bytes, its mapping, this code's version, and a trial's row limit."""
    described = f"{file_sha256(path)}:{mapping.model_dump_json()}:{IMPORT_VERSION}:{limit}"
    return hashlib.sha256(described.encode("utf-8")).hexdigest()


def _skipped(row: dict, mapping: SourceMapping) -> bool:
    for column, values in mapping.skip_when.items():
        cell = str(row.get(column) or "").strip()
        for value in values:
            if cell == value or (value.startswith("re:") and re.search(value[3:], cell)):
                return True
    return False


def import_files(
    mapping: SourceMapping,
    files: list[Path],
    store: ImportsStore,
    imported: str,
    progress: Progress = lambda n: None,
    limit: int | None = None,
) -> ImportReport:
    """Import `files`; with `limit`, only each file's first rows (a trial: a later full import reads it all)."""
    report = ImportReport(mapping.name)
    for path in files:
        report.files.append(_import_file(mapping, path, store, imported, report.problems, progress, limit))
    return report


def _about(line: str, files: list[str]) -> bool:
    """Whether a problems-file line ("error: FILE:ROW: field: message") is about one of `files`."""
    reported = line.split(": ", 1)[-1]
    return any(reported.startswith(f"{file}:") for file in files)


def _record(build, row: dict | UnreadableRow, context: RowContext) -> tuple[Record | None, list[Problem]]:
    if isinstance(row, UnreadableRow):
        return None, [Problem(context.path, context.number, row.field, row.message)]
    return build(row, context)


def _import_file(
    mapping: SourceMapping,
    path: Path,
    store: ImportsStore,
    imported: str,
    problems: list,
    progress: Progress,
    limit: int | None,
) -> FileReport:
    file_report = FileReport(str(path))
    try:
        sha256 = _version(path, mapping, limit)
    except OSError as error:
        file_report.unreadable = f"{path}: cannot read: {error.strerror}"
        problems.append(Problem(path, 1, "file", f"cannot read: {error.strerror}"))
        return file_report
    stored = store.stored(mapping.name, path)
    if stored is not None and stored.sha256 == sha256:
        file_report.unchanged, file_report.rows, file_report.records = True, stored.rows, stored.records
        return file_report
    records = []
    build = exported_project if mapping.format == "praxis" else build_project
    try:
        for number, row in itertools.islice(read_rows(path, mapping), limit):
            file_report.rows += 1
            if not isinstance(row, UnreadableRow) and _skipped(row, mapping):
                file_report.skipped += 1
                continue
            record, found = _record(build, row, RowContext(path, number, mapping, imported))
            problems += found
            file_report.warnings += sum(p.severity == "warning" for p in found)
            if record is None:
                file_report.rejected += 1
            else:
                records.append(record)
            if file_report.rows % 500 == 0:
                progress(500)
        progress(file_report.rows % 500)
    except ReadError as error:
        file_report.unreadable = str(error)
        problems.append(Problem(path, 1, "file", str(error).removeprefix(f"{path}: ")))
        return file_report
    records, file_report.duplicates_within = merge(records)
    file_report.records = len(records)
    store.write(mapping.name, path, sha256, imported, file_report.rows, records)
    return file_report
