"""`praxis index`: practices and methodology pages into a new hybrid index, swapped in atomically.

In: the practices and docs directories, the index path, the taxonomy and an embedder.
Out: a new live build and a :class:`BuildSummary`. Work is proportional to what changed:
files whose bytes are unchanged since the live build are not parsed again, chunks whose
text is unchanged are not embedded again (content-hash cache), and the keyword index is
updated only for changed documents. If any file has errors the build stops before
touching the live index (unless told to skip invalid files).
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
from indexer.chunking import chunk_sections
from indexer.corpus import Document, Problem, load_corpus
from indexer.embedders import Embedder
from indexer.language import detect
from indexer.layout import Record
from indexer.stores import KeywordChunk, KeywordStore, VectorStore, create_vector_store, keyword_store_class
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
    vector_store: str = "faiss"
    keyword_store: str = "whoosh"


def _config(request: BuildRequest) -> dict:
    """What, besides the embedder, decides a build's content; a change forces a full rebuild."""
    taxonomy_hash = hashlib.sha256(request.taxonomy_file.read_bytes()).hexdigest()[:16]
    return {
        "chunk_size": request.chunk_size,
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

    build = layout.new_build_dir(request.index_path)
    records = [Record.from_document(d) for d in documents]
    layout.write_records(build, records)
    dense = write_vectors(build / layout.DENSE, vectors, request.vector_store, request.ann_threshold)
    _write_keyword(build / layout.KEYWORD, request.keyword_store, records, previous, previous_records, reused)

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
        skipped_files=sorted({str(p.path) for p in errors}),
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


def write_vectors(directory: Path, vectors: np.ndarray, store_name: str, ann_threshold: int) -> VectorStore:
    """A build's vector store: row i holds the i-th chunk's vector."""
    store = create_vector_store(store_name, vectors.shape[1], len(vectors), ann_threshold)
    store.add(np.arange(len(vectors), dtype=np.int64), vectors)
    store.save(directory)
    return store


def keyword_chunks(records: list[Record]):
    """What the keyword store indexes of each chunk of `records`."""
    for record in records:
        for chunk in record.chunks:
            text = f"{chunk.context}\n{chunk.text}"
            yield KeywordChunk(chunk.id, record.id, chunk.language or record.language, record.title, text)


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
