"""`praxis index`: practices, methodology pages and imported projects into a new hybrid index, swapped in atomically.

In: the practices and docs directories, the imports store, the index path, the taxonomy
and an embedder. Out: a new live build and a :class:`BuildSummary`. Work is proportional
to what changed: files whose bytes are unchanged since the live build are not parsed
again, chunks whose text is unchanged are not embedded again (content-hash cache), and
the keyword store is updated only for changed documents. A practice file with errors does
not block the others: it is reported, and its last good version (from the live build)
stays in the index; with `strict` the build stops instead, before touching the live index.

A project (an imported operation) is one chunk: its title and the start of its summary,
cut to `project_chunk_chars`, because embedding dominates the cost at these sizes
(docs/benchmarks/imports.md); the whole summary stays in its record.
"""

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from indexer import layout
from indexer.cache import EmbeddingCache
from indexer.chunking import Chunk, chunk_sections
from indexer.corpus import Document, Problem, load_corpus
from indexer.embedders import Embedder
from indexer.facets import record_fields
from indexer.imports.projects import merge
from indexer.imports.store import ImportsStore
from indexer.language import detect
from indexer.layout import Record
from indexer.stores import KeywordChunk, KeywordStore, VectorStore, create_vector_store, keyword_store_class
from indexer.taxonomy import load_taxonomy

Progress = Callable[[int, int], None]
"""Called as (chunks just embedded, chunks to embed in all) while embedding."""


class InvalidCorpusError(ValueError):
    """Files have errors and the build is strict, or nothing is left to index; the live index is unchanged."""

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
    projects: int = 0
    duplicates_merged: int = 0
    """Project records that were the same operation as another (in another file, period or list) and were merged."""
    skipped_files: list[str] = field(default_factory=list)
    """Files with errors: left out, or (see kept_previous) kept in their last good version."""
    kept_previous: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """The errors, as `file:line: field: message`."""
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
    strict: bool = False
    vector_store: str = "faiss"
    keyword_store: str = "tantivy"
    imports_dir: Path | None = None
    project_chunk_chars: int = 160


def _config(request: BuildRequest) -> dict:
    """What, besides the embedder, decides a build's content; a change forces a full rebuild."""
    taxonomy_hash = hashlib.sha256(request.taxonomy_file.read_bytes()).hexdigest()[:16]
    return {
        "chunk_size": request.chunk_size,
        "project_chunk_chars": request.project_chunk_chars,
        "taxonomy": taxonomy_hash,
        "format": layout.FORMAT_VERSION,
        "keyword_store": request.keyword_store,
    }


def _previous_build(
    request: BuildRequest, embedder: Embedder, config: dict
) -> tuple[layout.IndexFiles | None, dict[tuple[str, str], Record]]:
    """The live build and its records by (path, hash), when it can be reused; else (None, {})."""
    try:
        files = layout.open_index(request.index_path, embedder.info)
    except layout.UnusableIndexError:
        return None, {}  # missing, corrupt or another embedder: build from scratch
    if files.manifest.get("config") != config:
        return None, {}
    return files, {(r.path, r.content_hash): r for r in files.records()}


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
    previous, previous_records = _previous_build(request, embedder, config)
    reused: set[tuple[str, str]] = set()

    def reuse(path: Path, content_hash: str) -> Document | None:
        record = previous_records.get((str(path), content_hash))
        if record is None:
            return None
        reused.add((str(path), content_hash))
        return record.to_document()

    documents, problems = load_corpus([request.practices_dir], request.docs_dir, taxonomy, reuse=reuse)
    errors = [p for p in problems if p.severity == "error"]
    if errors and request.strict:
        raise InvalidCorpusError(errors)
    kept = _last_good_versions({p.path for p in errors}, previous_records, reused)
    documents += kept
    for document in documents:
        if not document.chunks:
            _chunk(document, request.chunk_size)
    records = [Record.from_document(d) for d in documents]
    projects, merged = _projects(request, previous_records, reused)
    records += projects
    chunks = [chunk for record in records for chunk in record.chunks]

    cache = EmbeddingCache(request.cache_dir, embedder)
    try:
        vectors, hits = cache.embed([(c.hash, c.embed_text) for c in chunks], progress or (lambda n, total: None))
    finally:
        cache.close()
    if not chunks:
        raise InvalidCorpusError([*errors, Problem(request.practices_dir, 1, "corpus", "no documents to index")])

    build = layout.new_build_dir(request.index_path)
    try:
        layout.write_records(build, records)
        facts = [record_fields(record) for record in records for _ in record.chunks]
        dense = write_vectors(build / layout.DENSE, vectors, request.vector_store, request.ann_threshold, facts)
        _write_keyword(build / layout.KEYWORD, request.keyword_store, records, previous, previous_records, reused)
    except BaseException:
        # Nothing of a failed build stays behind, on disk or on a search server; the live index is untouched.
        layout.remove_build(build)
        raise

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
        recall_at_10=dense.recall_at_10(),
        seconds=0.0,
        projects=len(projects),
        duplicates_merged=merged,
        skipped_files=sorted({str(p.path) for p in errors}),
        kept_previous=sorted(d.path.as_posix() for d in kept),
        problems=[str(p) for p in errors],
        warnings=sum(p.severity == "warning" for p in problems),
    )
    manifest = {
        "embedder": embedder.info.to_dict(),
        "config": config,
        "stores": {"vector": dense.name, "keyword": request.keyword_store},
        "summary": summary.to_dict(),
    }
    layout.finish_build(build, request.index_path, manifest)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _last_good_versions(
    broken: set[Path], previous_records: dict[tuple[str, str], Record], reused: set[tuple[str, str]]
) -> list[Document]:
    """The live build's version of each broken file that had one: a mistake in a file does not take it offline."""
    kept = []
    for key, record in previous_records.items():
        if Path(record.path) in broken and record.kind != "project":
            reused.add(key)
            kept.append(record.to_document())
    return kept


def _projects(
    request: BuildRequest, previous_records: dict[tuple[str, str], Record], reused: set[tuple[str, str]]
) -> tuple[list[Record], int]:
    """The imported projects (duplicates across files merged), each with its one chunk."""
    if request.imports_dir is None:
        return [], 0
    projects, merged = merge(list(ImportsStore(request.imports_dir).records()))
    for project in projects:
        key = (project.path, project.content_hash)
        if key in previous_records:
            reused.add(key)
        project.chunks = [project_chunk(project, request.project_chunk_chars)]
    return projects, merged


def project_chunk(project: Record, limit: int) -> Chunk:
    """A project's one chunk: title and summary, cut at a word boundary after `limit` characters."""
    text = f"{project.title}. {project.summary}" if project.summary else project.title
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return Chunk(f"{project.id}#0", project.id, "", None, text, 1, 1, "", project.language)


def write_vectors(
    directory: Path, vectors: np.ndarray, store_name: str, ann_threshold: int, facts: list[dict] | None = None
) -> VectorStore:
    """A build's vector store: row i holds the i-th chunk's vector (and `facts[i]`, its record's filterable fields)."""
    store = create_vector_store(store_name, vectors.shape[1], len(vectors), ann_threshold)
    store.add(np.arange(len(vectors), dtype=np.int64), vectors, facts)
    store.save(directory)
    return store


def keyword_chunks(records: list[Record]):
    """What the keyword store indexes of each chunk of `records`."""
    for record in records:
        facts = record_fields(record)
        for chunk in record.chunks:
            text = f"{chunk.context}\n{chunk.text}"
            yield KeywordChunk(chunk.id, record.id, chunk.language or record.language, record.title, text, facts)


def write_keyword(directory: Path, store_name: str, records: list[Record]) -> KeywordStore:
    """A new keyword store of every chunk of `records`."""
    store = keyword_store_class(store_name).create(directory)
    store.add(keyword_chunks(records))
    store.save()
    return store


def _write_keyword(
    directory: Path,
    store_name: str,
    records: list[Record],
    previous: layout.IndexFiles | None,
    previous_records: dict[tuple[str, str], Record],
    reused: set[tuple[str, str]],
) -> None:
    """Update a copy of the previous keyword store for changed documents, or write a new one."""
    if previous is None:
        write_keyword(directory, store_name, records)
        return
    store = previous.keyword_store()
    store.save(directory)
    store.remove(record.id for key, record in previous_records.items() if key not in reused)
    store.add(keyword_chunks([r for r in records if (r.path, r.content_hash) not in reused]))
    store.save()
