"""`praxis index`: practices and methodology pages into a new hybrid index, swapped in atomically.

In: the practices and docs directories, the index path, the taxonomy and an embedder.
Out: a new live build and a :class:`BuildSummary`. Work is proportional to what changed:
files whose bytes are unchanged since the live build are not parsed again, chunks whose
text is unchanged are not embedded again (content-hash cache), and the keyword index is
updated only for changed documents. If any file has errors the build stops before
touching the live index (unless told to skip invalid files).
"""

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from indexer import keyword, store
from indexer.cache import EmbeddingCache
from indexer.chunking import chunk_sections
from indexer.corpus import Document, Problem, load_corpus
from indexer.dense import DenseBuild, build_dense, save_dense
from indexer.embedders import Embedder
from indexer.language import detect
from indexer.records import from_record, to_record
from indexer.taxonomy import load_taxonomy

Progress = Callable[[int, int], None]
"""Called as (chunks just embedded, chunks to embed in all) while embedding."""


class InvalidCorpusError(ValueError):
    """Some files have errors; the live index was left as it was."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} error(s) in the corpus; the live index is unchanged")


@dataclass
class BuildSummary:
    build: str
    documents: int
    practices: int
    pages: int
    chunks: int
    languages: dict[str, int]
    chunk_languages: dict[str, int]
    language_mismatches: int
    reused_documents: int
    cache_hits: int
    embedded: int
    dense: str
    recall_at_10: float | None
    seconds: float
    skipped_files: list[str] = field(default_factory=list)
    warnings: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class BuildRequest:
    practices_dir: Path
    docs_dir: Path | None
    index_path: Path
    cache_dir: Path
    taxonomy_file: Path
    chunk_size: int = 800
    ann_threshold: int = 20_000
    skip_invalid: bool = False


def _config(request: BuildRequest) -> dict:
    """What, besides the embedder, decides a build's content; a change forces a full rebuild."""
    taxonomy_hash = hashlib.sha256(request.taxonomy_file.read_bytes()).hexdigest()[:16]
    return {
        "chunk_size": request.chunk_size,
        "taxonomy": taxonomy_hash,
        "format": store.FORMAT_VERSION,
        "keyword_schema": keyword.SCHEMA_VERSION,
    }


def _previous_build(request: BuildRequest, embedder: Embedder, config: dict) -> tuple[Path | None, dict]:
    """The live build and its records by (path, hash), when it can be reused; else (None, {})."""
    try:
        files = store.open_index(request.index_path, embedder.info)
    except store.UnusableIndexError:
        return None, {}  # missing, corrupt or another embedder: build from scratch
    if files.manifest.get("config") != config:
        return None, {}
    records = json.loads((files.path / "documents.json").read_text(encoding="utf-8"))
    return files.path, {(r["path"], r["content_hash"]): r for r in records}


def _chunk(document: Document, size: int) -> None:
    """Fill a new document's chunks, each with its detected language.

    Front matter is trusted where detection is unsure (short or mixed passages).
    """
    document.chunks = chunk_sections(document.id, document.title, document.sections, size)
    for chunk in document.chunks:
        detected = detect(chunk.text)
        chunk.language = detected[0] if detected and detected[1] >= 0.9 else document.language


def build_index(request: BuildRequest, embedder: Embedder, progress: Progress | None = None) -> BuildSummary:
    """Build a new index from the corpus and make it live; see the module docstring."""
    started = time.perf_counter()
    taxonomy = load_taxonomy(request.taxonomy_file)
    config = _config(request)
    previous_path, previous_records = _previous_build(request, embedder, config)
    reused: set[tuple[str, str]] = set()

    def reuse(path: Path, content_hash: str) -> Document | None:
        record = previous_records.get((str(path), content_hash))
        if record is None:
            return None
        reused.add((str(path), content_hash))
        return from_record(record)

    documents, problems = load_corpus([request.practices_dir], request.docs_dir, taxonomy, reuse=reuse)
    errors = [p for p in problems if p.severity == "error"]
    if errors and not request.skip_invalid:
        raise InvalidCorpusError(errors)
    for document in documents:
        if not document.chunks:
            _chunk(document, request.chunk_size)
    chunks = [chunk for document in documents for chunk in document.chunks]

    cache = EmbeddingCache(request.cache_dir, embedder)
    try:
        vectors, hits = cache.embed([(c.hash, c.embed_text) for c in chunks], progress or (lambda n, total: None))
    finally:
        cache.close()
    if not chunks:
        raise InvalidCorpusError([Problem(request.practices_dir, 1, "corpus", "no documents to index")])

    build = store.new_build_dir(request.index_path)
    records = [to_record(d) for d in documents]
    dense = write_artefacts(build, records, vectors, request.ann_threshold)
    _write_keyword(build / "keyword", records, previous_path, previous_records, reused)

    languages = Counter(d.language for d in documents)
    chunk_languages = Counter(c.language for c in chunks)
    mismatches = sum(1 for d in documents for c in d.chunks if c.language != d.language)
    summary = BuildSummary(
        build=build.with_suffix("").name,
        documents=len(documents),
        practices=sum(d.kind == "practice" for d in documents),
        pages=sum(d.kind == "page" for d in documents),
        chunks=len(chunks),
        languages=dict(languages.most_common()),
        chunk_languages=dict(chunk_languages.most_common()),
        language_mismatches=mismatches,
        reused_documents=len(reused),
        cache_hits=hits,
        embedded=len(chunks) - hits,
        dense=dense.kind,
        recall_at_10=dense.recall_at_10,
        seconds=0.0,
        skipped_files=sorted({str(p.path) for p in errors}),
        warnings=sum(p.severity == "warning" for p in problems),
    )
    manifest = {"embedder": embedder.info.to_dict(), "config": config, "summary": summary.to_dict()}
    store.finish_build(build, request.index_path, manifest)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def write_artefacts(build: Path, records: list[dict], vectors: np.ndarray, ann_threshold: int) -> DenseBuild:
    """Write documents.json, vectors.npy and dense.faiss of a build (the keyword index is apart)."""
    (build / "documents.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    np.save(build / "vectors.npy", vectors)
    dense = build_dense(vectors, ann_threshold)
    save_dense(dense.index, build / "dense.faiss")
    return dense


def _write_keyword(directory: Path, records: list[dict], previous: Path | None, previous_records: dict, reused: set):
    """Update a copy of the previous keyword index for changed documents, or write a new one."""
    fresh = [r for r in records if (r["path"], r["content_hash"]) not in reused]
    if previous is None:
        fresh = records
    rows = (keyword.chunk_fields(chunk, record) for record in fresh for chunk in record["chunks"])
    if previous is None:
        keyword.write_keyword(directory, rows)
        return
    gone = {record["id"] for key, record in previous_records.items() if key not in reused}
    keyword.write_keyword(directory, rows, previous=previous / "keyword", remove=gone)
