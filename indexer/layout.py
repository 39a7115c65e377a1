"""The index contract: what a build directory holds, and the record of each document.

Layout, for an index path ``.praxis/index``::

    .praxis/index            symlink to the live build (swapped atomically)
    .praxis/index.builds/    one directory per build; "*.tmp" ones are unfinished
        <build>/manifest.json   written last: its presence marks a complete build
        <build>/documents.jsonl one :class:`Record` a line (metadata, sections, chunks), in row order
        <build>/dense/          the vector store (row i = i-th chunk in document order)
        <build>/keyword/        the keyword store (the same chunks, by chunk id)

The manifest names the embedder, the build's configuration and the store classes, so a
reader opens the stores the build was written with. This module is the only one that
knows these names: the indexer writes a build through it and the engine and the site
read one through it.

In: an index path. Out: :func:`open_index` gives an :class:`IndexFiles` after checking the
manifest, every file's checksum and (optionally) the embedder; every failure is an
:class:`UnusableIndexError` whose message says what is wrong and what to run.
"""

import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from indexer.chunking import Chunk
from indexer.corpus import Document
from indexer.embedders import EmbedderInfo
from indexer.model import PracticeMeta
from indexer.sections import Paragraph, Section
from indexer.stores import KeywordStore, VectorStore, keyword_store_class, vector_store_class
from indexer.stores.factory import SERVER_STORES

FORMAT_VERSION = 4
"""4: keyword stores hold the character n-grams of chunks in languages without a stemmer; 3 wrote
records as JSON Lines (as the build goes), 2 as one JSON array. An older build is not read:
`open_index` says to run `praxis index`, which then builds from scratch (embeddings come from
the cache)."""
MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
DENSE = "dense"
KEYWORD = "keyword"
KEEP_BUILDS = 3
log = logging.getLogger(__name__)


class UnusableIndexError(RuntimeError):
    """An index that is missing, unfinished, corrupt or built with another embedder."""


class EmbedderMismatchError(UnusableIndexError):
    pass


def builds_dir(index_path: Path) -> Path:
    return index_path.parent / f"{index_path.name}.builds"


def new_build_dir(index_path: Path) -> Path:
    """A fresh, unfinished build directory ("<timestamp>-<random>.tmp")."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = builds_dir(index_path) / f"{stamp}-{secrets.token_hex(3)}.tmp"
    path.mkdir(parents=True)
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_tree(directory: Path) -> None:
    for path in [*directory.rglob("*"), directory]:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def check_index_path(index_path: Path) -> None:
    """Raise UnusableIndexError unless `index_path` can be the index's link: absent or a link
    already, in a directory (a build would otherwise run to its end and fail to go live)."""
    if index_path.is_symlink() or not index_path.exists():
        blocking = next((parent for parent in index_path.parents if parent.exists() and not parent.is_dir()), None)
        if blocking is not None:
            raise UnusableIndexError(f"{index_path}: {blocking} is a file, not a directory; choose another --index")
        return
    kind = "a real directory" if index_path.is_dir() else "a file"
    raise UnusableIndexError(f"{index_path} is {kind}, not an index link; move it away or choose another --index")


def finish_build(build: Path, index_path: Path, manifest: dict) -> Path:
    """Seal a build (checksums, manifest, fsync), then make it the live index atomically.

    Until the final rename of the symlink, readers see the previous index; after it, the
    new one. A crash anywhere leaves one or the other, never a mix. Stores on a server
    publish the build just before the symlink moves (see `VectorStore.publish`): if that
    fails, the previous build stays live.
    """
    files = {p.relative_to(build).as_posix(): file_sha256(p) for p in sorted(build.rglob("*")) if p.is_file()}
    manifest = {**manifest, "format": FORMAT_VERSION, "files": files}
    (build / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    _fsync_tree(build)
    final = build.with_suffix("")
    build.rename(final)
    link = index_path.parent / f".{index_path.name}.{secrets.token_hex(4)}.link"
    link.symlink_to(os.path.relpath(final, index_path.parent))
    try:
        check_index_path(index_path)  # again: something may have taken the place while the build ran
    except UnusableIndexError:
        link.unlink()
        remove_build(final)
        raise
    try:
        _store_classes(manifest["stores"])[0].publish(final / DENSE)
        _store_classes(manifest["stores"])[1].publish(final / KEYWORD)
    except Exception:
        link.unlink()
        remove_build(final)
        raise
    os.replace(link, index_path)
    _remove_old_builds(index_path)
    return final


def _store_classes(stores: dict) -> tuple[type[VectorStore], type[KeywordStore]]:
    return vector_store_class(stores["vector"]), keyword_store_class(stores["keyword"])


def remove_build(build: Path) -> bool:
    """Delete a build directory and whatever its stores keep elsewhere (collections on a server).

    The stores are those its manifest names, or for an unfinished build every server engine
    (each recognises its own files). False, and the directory kept for the next try, when a
    server would not drop them.
    """
    try:
        stores = json.loads((build / MANIFEST).read_text(encoding="utf-8"))["stores"]
        pairs = [_store_classes(stores)]
    except (OSError, ValueError, KeyError):
        pairs = [_store_classes({"vector": name, "keyword": name}) for name in SERVER_STORES]
    try:
        for vector, keyword in pairs:
            vector.release(build / DENSE)
            keyword.release(build / KEYWORD)
    except Exception as error:  # an old build's leftovers must not fail the new build
        log.warning("could not release the stores of %s (kept for the next build): %s", build, error)
        return False
    shutil.rmtree(build, ignore_errors=True)
    return True


def _remove_old_builds(index_path: Path) -> None:
    """Drop unfinished builds and all but the newest finished ones (never the live one)."""
    live = index_path.resolve()
    finished = []
    for build in sorted(builds_dir(index_path).iterdir()):
        if build == live:
            continue
        if build.suffix == ".tmp" or not (build / MANIFEST).exists():
            remove_build(build)
        else:
            finished.append(build)
    # Readers that opened an older build keep working while we keep a few.
    for build in finished[: max(len(finished) - (KEEP_BUILDS - 1), 0)]:
        remove_build(build)


@dataclass(frozen=True)
class IndexFiles:
    """A verified, complete build directory and its manifest."""

    path: Path
    manifest: dict

    @property
    def build_id(self) -> str:
        return self.path.name

    @property
    def embedder(self) -> EmbedderInfo:
        return EmbedderInfo(**self.manifest["embedder"])

    def records(self) -> list["Record"]:
        return read_records(self.path)

    def iter_records(self) -> Iterator["Record"]:
        return iter_records(self.path)

    def vector_store(self) -> VectorStore:
        return vector_store_class(self.manifest["stores"]["vector"]).load(self.path / DENSE)

    def keyword_store(self) -> KeywordStore:
        return keyword_store_class(self.manifest["stores"]["keyword"]).load(self.path / KEYWORD)


def live_build(index_path: Path) -> Path:
    """The build directory the index path points at (raises UnusableIndexError if none)."""
    if not index_path.exists():
        raise UnusableIndexError(f"no index at {index_path}: run `praxis index` to build one")
    return index_path.resolve()


def open_index(index_path: Path, embedder: EmbedderInfo | None = None, verify: bool = True) -> IndexFiles:
    """Check and open the live build of an index.

    Raises UnusableIndexError if it is missing, unfinished or corrupt (a checksum differs), and
    EmbedderMismatchError if `embedder` is given and differs from the one that built it.
    """
    build = live_build(index_path)
    manifest_path = build / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnusableIndexError(
            f"index at {build} is incomplete (no manifest): run `praxis index` to rebuild"
        ) from None
    except (OSError, ValueError) as error:
        raise UnusableIndexError(f"index manifest {manifest_path} is corrupt ({error}): run `praxis index`") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise UnusableIndexError(
            f"index at {build} has format {manifest.get('format')}, expected {FORMAT_VERSION}: "
            "run `praxis index` to rebuild"
        )
    if verify:
        for name, expected in manifest["files"].items():
            path = build / name
            if not path.is_file():
                raise UnusableIndexError(
                    f"index at {build} is corrupt: {name} is missing; run `praxis index` to rebuild"
                )
            if file_sha256(path) != expected:
                raise UnusableIndexError(
                    f"index at {build} is corrupt: {name} does not match its checksum; run `praxis index` to rebuild"
                )
    files = IndexFiles(build, manifest)
    if embedder is not None and embedder != files.embedder:
        built = files.embedder
        raise EmbedderMismatchError(
            f"index at {index_path} was built with {built.name} {built.version} ({built.dimension}-d, fingerprint "
            f"{built.fingerprint}) but the configured embedder is {embedder.name} {embedder.version} "
            f"({embedder.dimension}-d, fingerprint {embedder.fingerprint}); rebuild with `praxis index` or set "
            f"PRAXIS_EMBEDDER to the index's embedder"
        )
    return files


@dataclass(slots=True)
class SectionRecord:
    heading: str
    path: list[str]
    key: str | None
    line_start: int
    line_end: int
    text: str


@dataclass(slots=True)
class Record:
    """One indexed document as a build stores it: what the engine, the API and the site read
    about it, and what the next build needs to reuse it without parsing its file again."""

    id: str
    group_id: str
    """Shared by all language versions of a practice (the original's id)."""
    kind: str
    """"practice", "page" or "project" (an imported operation: no validation or evidence claims)."""
    path: str
    title: str
    language: str
    detected_language: list | None
    content_hash: str
    meta: dict | None
    """A practice's front matter as validated (JSON form); None for pages."""
    extra: dict[str, str]
    """A page's front matter (title, description, ...)."""
    sections: list[SectionRecord]
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def facts(self) -> dict:
        return self.meta or {}

    @property
    def summary(self) -> str | None:
        return self.facts.get("summary") or self.extra.get("description")

    @property
    def countries(self) -> list[str]:
        return self.facts.get("countries", [])

    @property
    def themes(self) -> list[str]:
        return self.facts.get("themes", [])

    @property
    def target_groups(self) -> list[str]:
        return self.facts.get("target_groups", [])

    @property
    def methods(self) -> list[str]:
        return self.facts.get("methods", [])

    @property
    def evidence(self) -> str | None:
        return (self.facts.get("evidence") or {}).get("level")

    @property
    def status(self) -> str | None:
        return (self.facts.get("validation") or {}).get("status")

    @property
    def project(self) -> dict | None:
        """An imported project's facts (beneficiary, programme, funds, dates, amounts, provenance); None otherwise."""
        if self.kind != "project":
            return None
        keys = ("beneficiary", "programme", "funds", "start_date", "end_date", "amount", "regions", "provenance")
        return {key: self.facts.get(key) for key in keys}

    @property
    def period(self) -> tuple[int | None, int | str | None]:
        """(start year, end year or "ongoing"), each None when not given."""
        period = self.facts.get("period") or {}
        return period.get("start"), period.get("end")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Record":
        sections = [SectionRecord(**section) for section in data["sections"]]
        chunks = [Chunk(**chunk) for chunk in data["chunks"]]
        return cls(**{**data, "sections": sections, "chunks": chunks})

    @classmethod
    def from_document(cls, document: Document) -> "Record":
        return cls(
            id=document.id,
            group_id=document.group_id,
            kind=document.kind,
            path=str(document.path),
            title=document.title,
            language=document.language,
            detected_language=list(document.detected_language) if document.detected_language else None,
            content_hash=document.content_hash,
            meta=document.meta.model_dump(mode="json", exclude_none=True) if document.meta else None,
            extra={key: str(value) for key, value in document.extra.items()},
            sections=[
                SectionRecord(s.heading, list(s.path), s.key, s.line_start, s.line_end, s.text)
                for s in document.sections
            ],
            chunks=list(document.chunks),
        )

    def to_document(self) -> Document:
        """The document this record was made from, chunks included (front matter already validated)."""
        sections = [
            Section(
                s.heading,
                tuple(s.path),
                s.key,
                s.line_start,
                s.line_end,
                [Paragraph(s.text, s.line_start)] if s.text else [],
            )
            for s in self.sections
        ]
        return Document(
            path=Path(self.path),
            kind=self.kind,
            id=self.id,
            title=self.title,
            language=self.language,
            sections=sections,
            meta=PracticeMeta.model_validate(self.meta) if self.meta else None,
            detected_language=tuple(self.detected_language) if self.detected_language else None,
            content_hash=self.content_hash,
            extra=dict(self.extra),
            chunks=[Chunk(**asdict(chunk)) for chunk in self.chunks],
        )


class RecordWriter:
    """Appends records to a build's records file, a line each, as a build produces them."""

    def __init__(self, build: Path):
        self._handle = (build / DOCUMENTS).open("w", encoding="utf-8")
        self.count = 0

    def write(self, records: Iterable[Record]) -> None:
        for record in records:
            self._handle.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
            self.count += 1

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_records(build: Path, records: Iterable[Record]) -> None:
    with RecordWriter(build) as writer:
        writer.write(records)


def iter_records(build: Path) -> Iterator[Record]:
    """A build's records in row order, one at a time (memory does not grow with the build)."""
    with (build / DOCUMENTS).open(encoding="utf-8") as handle:
        for line in handle:
            yield Record.from_json(json.loads(line))


def read_records(build: Path) -> list[Record]:
    return list(iter_records(build))
