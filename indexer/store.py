"""The index directory on disk: layout, manifest, checksums and the atomic swap.

Layout, for an index path ``.praxis/index``::

    .praxis/index            symlink to the live build (swapped atomically)
    .praxis/index.builds/    one directory per build; "*.tmp" ones are unfinished
        <build>/manifest.json   written last: its presence marks a complete build
        <build>/documents.json  documents with metadata, sections and chunks
        <build>/vectors.npy     chunk vectors, row i = i-th chunk in document order
        <build>/dense.faiss     faiss index over those rows
        <build>/keyword/        whoosh index

In: an index path. Out: :func:`open_index` gives an :class:`IndexFiles` after checking the
manifest, every file's checksum and (optionally) the embedder; every failure is an
:class:`UnusableIndexError` whose message says what is wrong and what to run.
"""

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from indexer.embedders import EmbedderInfo

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KEEP_BUILDS = 3


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


def _sha256(path: Path) -> str:
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


def finish_build(build: Path, index_path: Path, manifest: dict) -> Path:
    """Seal a build (checksums, manifest, fsync), then make it the live index atomically.

    Until the final rename of the symlink, readers see the previous index; after it, the
    new one. A crash anywhere leaves one or the other, never a mix.
    """
    files = {p.relative_to(build).as_posix(): _sha256(p) for p in sorted(build.rglob("*")) if p.is_file()}
    manifest = {**manifest, "format": FORMAT_VERSION, "files": files}
    (build / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    _fsync_tree(build)
    final = build.with_suffix("")
    build.rename(final)
    link = index_path.parent / f".{index_path.name}.{secrets.token_hex(4)}.link"
    link.symlink_to(os.path.relpath(final, index_path.parent))
    if index_path.exists() and not index_path.is_symlink():
        link.unlink()
        raise UnusableIndexError(
            f"{index_path} is a real directory, not an index link; move it away and run `praxis index`"
        )
    os.replace(link, index_path)
    _remove_old_builds(index_path)
    return final


def _remove_old_builds(index_path: Path) -> None:
    """Drop unfinished builds and all but the newest finished ones (never the live one)."""
    live = index_path.resolve()
    finished = []
    for build in sorted(builds_dir(index_path).iterdir()):
        if build == live:
            continue
        if build.suffix == ".tmp" or not (build / MANIFEST).exists():
            shutil.rmtree(build, ignore_errors=True)
        else:
            finished.append(build)
    # Readers that opened an older build keep working while we keep a few.
    for build in finished[: max(len(finished) - (KEEP_BUILDS - 1), 0)]:
        shutil.rmtree(build, ignore_errors=True)


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
            if _sha256(path) != expected:
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
