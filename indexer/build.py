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

One streaming pass, so that the Python objects held at once are bounded by the batch size,
not by the corpus: a first, cheap pass notes where each imported record is (in a scratch
SQLite file inside the unfinished build) and counts the chunks; then the practices and
pages, and the projects `BATCH_RECORDS` at a time, are embedded (only chunks missing from
the cache), appended to the records file and to a vector file (.npy, sized beforehand), and
added to the keyword store. The vectors themselves are linear in the corpus by nature (1.5 GB per
million 384-d float32 vectors, and the vector store and its index hold them). A killed
build resumes from the embedding cache: what it embedded is not embedded again.
"""

import hashlib
import itertools
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
from indexer.imports.store import ImportsStore, StoredFile
from indexer.language import detect
from indexer.layout import Record
from indexer.stores import KeywordChunk, KeywordStore, VectorStore, create_vector_store, keyword_store_class
from indexer.taxonomy import load_taxonomy

Progress = Callable[[int, int], None]
"""Called as (chunks just done, chunks in the build) through the pass: each chunk is done
when it is embedded or found in the embedding cache, and its record, vector and keyword
entries are written."""

BATCH_RECORDS = 2_000
"""Imported records read, embedded and written at a time: what bounds the build's Python objects."""
PLAN_FILE = "plan.sqlite"
VECTORS_SCRATCH = "vectors.scratch.npy"


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


def _previous_build(request: BuildRequest, embedder: Embedder, config: dict) -> layout.IndexFiles | None:
    """The live build, when it can be reused; else None."""
    try:
        files = layout.open_index(request.index_path, embedder.info)
    except layout.UnusableIndexError:
        return None  # missing, corrupt or another embedder: build from scratch
    if files.manifest.get("config") != config:
        return None
    return files


def _chunk(document: Document, size: int) -> None:
    """Fill a new document's chunks, each with its detected language.

    Front matter is trusted where detection is unsure (short or mixed passages).
    """
    document.chunks = chunk_sections(document.id, document.title, document.sections, size)
    for chunk in document.chunks:
        detected = detect(chunk.text)
        chunk.language = detected[0] if detected and detected[1] >= 0.9 else document.language


class ImportsChangedError(RuntimeError):
    """The imports store changed while a build read it (a `praxis import` ran); the live index is unchanged."""


class _Plan:
    """A build's scratch tables, in a SQLite file inside the unfinished build (removed before it is sealed).

    ``previous``: the live build's records by id (path, content hash, and whether this build
    has a record of that id), so reuse and keyword-store updates need no records in memory.
    ``imports``: where each imported record is (file number, byte offset), in reading order,
    so that the records of one operation in several files are merged when the first of them
    comes, in the same single pass.
    """

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE previous (id TEXT PRIMARY KEY, path TEXT NOT NULL, hash TEXT NOT NULL, seen INTEGER DEFAULT 0);
            CREATE TABLE imports (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, file INTEGER NOT NULL, offset INTEGER);
            """
        )
        self.reused = 0

    def _in(self, sql: str, values: list, extra: tuple = ()) -> list[tuple]:
        """Rows of `sql` (with one "{marks}" for an IN list) over `values`, 500 at a time."""
        found = []
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            found += self.db.execute(sql.format(marks=",".join("?" * len(part))), [*extra, *part]).fetchall()
        return found

    def add_previous(self, previous: layout.IndexFiles) -> dict[tuple[str, str], Record]:
        """Note every record of the live build; returns its practices and pages by (path, content hash)."""
        documents = {}
        rows = []
        for record in previous.iter_records():
            if record.kind != "project":
                documents[(record.path, record.content_hash)] = record
            rows.append((record.id, record.path, record.content_hash))
            if len(rows) == 5_000:
                self.db.executemany("INSERT OR REPLACE INTO previous (id, path, hash) VALUES (?, ?, ?)", rows)
                rows.clear()
        self.db.executemany("INSERT OR REPLACE INTO previous (id, path, hash) VALUES (?, ?, ?)", rows)
        return documents

    def compare(self, records: list[Record]) -> tuple[set[str], set[str]]:
        """(ids of `records` unchanged since the live build, ids the live build has in another version)."""
        ids = [record.id for record in records]
        known = {
            id_: (path, hash_)
            for id_, path, hash_ in self._in("SELECT id, path, hash FROM previous WHERE id IN ({marks})", ids)
        }
        self._in("UPDATE previous SET seen = 1 WHERE id IN ({marks})", list(known))
        unchanged = {r.id for r in records if known.get(r.id) == (r.path, r.content_hash)}
        self.reused += len(unchanged)
        return unchanged, set(known) - unchanged

    def gone(self) -> Iterator[str]:
        """Ids of the live build that this build has no record of."""
        for (id_,) in self.db.execute("SELECT id FROM previous WHERE seen = 0"):
            yield id_

    def locate(self, store: ImportsStore, files: list[StoredFile]) -> int:
        """The first, cheap pass over the imports: where each record is. Returns how many distinct records."""
        rows = []
        for seq, (file, offset, record) in enumerate(store.located_records(files)):
            rows.append((seq, record.id, file, offset))
            if len(rows) == 5_000:
                self.db.executemany("INSERT INTO imports VALUES (?, ?, ?, ?)", rows)
                rows.clear()
        self.db.executemany("INSERT INTO imports VALUES (?, ?, ?, ?)", rows)
        self.db.executescript(
            """
            CREATE INDEX imports_id ON imports (id);
            CREATE TABLE duplicated AS SELECT id, min(seq) AS first FROM imports GROUP BY id HAVING count(*) > 1;
            CREATE UNIQUE INDEX duplicated_id ON duplicated (id);
            """
        )
        return self.db.execute("SELECT count(DISTINCT id) FROM imports").fetchone()[0]

    def ids(self, first: int, last: int) -> dict[int, str]:
        return dict(self.db.execute("SELECT seq, id FROM imports WHERE seq BETWEEN ? AND ?", (first, last)))

    def duplicated(self, ids: list[str]) -> dict[str, int]:
        """Of `ids`, those in more than one place, with the position of their first copy."""
        return dict(self._in("SELECT id, first FROM duplicated WHERE id IN ({marks})", ids))

    def copies(self, id_: str) -> list[tuple[int, int]]:
        """(file, offset) of each copy of a record but the first, in reading order."""
        return self.db.execute("SELECT file, offset FROM imports WHERE id = ? ORDER BY seq", (id_,)).fetchall()[1:]

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Counts:
    projects: int = 0
    merged: int = 0
    embedded: int = 0
    chunk_languages: Counter = field(default_factory=Counter)


def _project_batches(
    store: ImportsStore, files: list[StoredFile], plan: _Plan, request: BuildRequest, counts: _Counts
) -> Iterator[list[Record]]:
    """The imported projects in reading order, `BATCH_RECORDS` at a time, each with its one chunk.

    A record in several files (another variant, period or list of the same operation) comes
    once, at its first copy, merged with the others (read again by their offsets).
    """
    for block in _batches(enumerate(store.located_records(files)), BATCH_RECORDS):
        expected = plan.ids(block[0][0], block[-1][0])
        records = []
        for seq, (_, _, record) in block:
            if expected.get(seq) != record.id:
                raise ImportsChangedError("the imports changed while `praxis index` read them: run it again")
            records.append((seq, record))
        firsts = plan.duplicated([record.id for _, record in records])
        batch = []
        for seq, record in records:
            first = firsts.get(record.id)
            if first is not None:
                if first != seq:
                    continue  # merged into its first copy
                copies = [ImportsStore.read_at(files[file], offset) for file, offset in plan.copies(record.id)]
                if any(copy.id != record.id for copy in copies):
                    raise ImportsChangedError("the imports changed while `praxis index` read them: run it again")
                [record], merged = merge([record, *copies])
                counts.merged += merged
            record.chunks = [project_chunk(record, request.project_chunk_chars)]
            batch.append(record)
        counts.projects += len(batch)
        yield batch


def build_index(request: BuildRequest, embedder: Embedder, progress: Progress | None = None) -> BuildSummary:
    """Build a new index from the corpus and make it live; see the module docstring."""
    started = time.perf_counter()
    layout.check_index_path(request.index_path)
    taxonomy = load_taxonomy(request.taxonomy_file)
    config = _config(request)
    previous = _previous_build(request, embedder, config)
    build = layout.new_build_dir(request.index_path)
    try:
        summary, manifest = _build(request, embedder, taxonomy, config, previous, build, progress)
    except BaseException:
        # Nothing of a failed build stays behind, on disk or on a search server; the live index is untouched.
        layout.remove_build(build)
        raise
    layout.finish_build(build, request.index_path, manifest)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _build(
    request: BuildRequest,
    embedder: Embedder,
    taxonomy,
    config: dict,
    previous: layout.IndexFiles | None,
    build: Path,
    progress: Progress | None,
) -> tuple[BuildSummary, dict]:
    """Write every file of the unfinished `build`; returns its summary and manifest."""
    report = progress or (lambda done, total: None)
    plan = _Plan(build / PLAN_FILE)
    try:
        previous_documents = plan.add_previous(previous) if previous else {}

        def reuse(path: Path, content_hash: str) -> Document | None:
            record = previous_documents.get((str(path), content_hash))
            return record.to_document() if record else None

        documents, problems = load_corpus([request.practices_dir], request.docs_dir, taxonomy, reuse=reuse)
        errors = [p for p in problems if p.severity == "error"]
        if errors and request.strict:
            raise InvalidCorpusError(errors)
        kept = _last_good_versions({p.path for p in errors}, previous_documents)
        documents += kept
        for document in documents:
            if not document.chunks:
                _chunk(document, request.chunk_size)
        records = [Record.from_document(d) for d in documents]

        store = ImportsStore(request.imports_dir) if request.imports_dir else None
        files = store.files() if store else []
        total = sum(len(r.chunks) for r in records) + (plan.locate(store, files) if store else 0)
        # The first pass read every stored line: the damaged ones it left out are reported like a broken file.
        damaged = store.problems if store else []
        if damaged and request.strict:
            raise InvalidCorpusError(damaged)
        if not total:
            raise InvalidCorpusError([*errors, Problem(request.practices_dir, 1, "corpus", "no documents to index")])
        report(0, total)

        counts = _Counts()
        dimension = embedder.info.dimension
        vector_file = _vector_file(build / VECTORS_SCRATCH, total, dimension)
        keyword = _open_keyword(build / layout.KEYWORD, request.keyword_store, previous)
        cache = EmbeddingCache(request.cache_dir, embedder)
        row = 0
        try:
            with vector_file, layout.RecordWriter(build) as writer:
                projects = _project_batches(store, files, plan, request, counts) if store else iter(())
                for batch in itertools.chain([records], projects):
                    chunks = [chunk for record in batch for chunk in record.chunks]
                    before = cache.embedded
                    matrix, _ = cache.embed([(c.hash, c.embed_text) for c in chunks], lambda n, _: report(n, total))
                    report(len(chunks) - (cache.embedded - before), total)
                    vector_file.write(np.ascontiguousarray(matrix, dtype=np.float32).tobytes())
                    row += len(chunks)
                    writer.write(batch)
                    unchanged, other_version = plan.compare(batch)
                    keyword.remove(other_version)
                    keyword.add(keyword_chunks([r for r in batch if r.id not in unchanged]))
                    counts.chunk_languages.update(c.language for c in chunks)
        finally:
            counts.embedded = cache.embedded
            cache.close()
        if row != total:
            raise ImportsChangedError(f"{row} chunks written, {total} planned: run `praxis index` again")
        keyword.remove(plan.gone())
        keyword.save()
        dense = create_vector_store(request.vector_store, dimension, total, request.ann_threshold)
        vectors = np.load(build / VECTORS_SCRATCH, mmap_mode="r")
        dense.add(np.arange(total, dtype=np.int64), vectors, _RowFacts(build, total))
        del vectors  # the store holds its own copy
        (build / VECTORS_SCRATCH).unlink()
        dense.save(build / layout.DENSE)
        reused = plan.reused
    finally:
        plan.close()

    languages = Counter(d.language for d in documents)
    mismatches = sum(1 for d in documents for c in d.chunks if c.language != d.language)
    summary = BuildSummary(
        build=build.with_suffix("").name,
        documents=len(documents),
        practices=sum(d.kind == "practice" for d in documents),
        pages=sum(d.kind == "page" for d in documents),
        chunks=total,
        languages=dict(languages.most_common()),
        chunk_languages=dict(counts.chunk_languages.most_common()),
        language_mismatches=mismatches,
        reused_documents=reused,
        cache_hits=total - counts.embedded,
        embedded=counts.embedded,
        dense=dense.kind,
        recall_at_10=dense.recall_at_10(),
        seconds=0.0,
        projects=counts.projects,
        duplicates_merged=counts.merged,
        skipped_files=sorted({str(p.path) for p in errors}),
        kept_previous=sorted(d.path.as_posix() for d in kept),
        problems=[str(p) for p in [*errors, *damaged]],
        warnings=sum(p.severity == "warning" for p in problems),
    )
    manifest = {
        "embedder": embedder.info.to_dict(),
        "config": config,
        "stores": {"vector": dense.name, "keyword": request.keyword_store},
        "summary": summary.to_dict(),
    }
    return summary, manifest


class _RowFacts:
    """Per row, its record's filterable fields (for stores that filter themselves), read back from
    the build's records file as they are asked for, not held as a list."""

    def __init__(self, build: Path, rows: int):
        self.build, self.rows = build, rows

    def __len__(self) -> int:
        return self.rows

    def __iter__(self) -> Iterator[dict]:
        for record in layout.iter_records(self.build):
            facts = record_fields(record)
            for _ in record.chunks:
                yield facts


def _vector_file(path: Path, rows: int, dimension: int):
    """A .npy file of (rows, dimension) float32 whose rows are then written in order, a batch at a time.

    Written through a file, not a memory map, so the vectors of the batches done do not stay
    in this process's memory while the pass goes on.
    """
    handle = path.open("wb")
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False}
    np.lib.format.write_array_header_1_0(handle, {**header, "shape": (rows, dimension)})
    return handle


def _last_good_versions(broken: set[Path], previous_documents: dict[tuple[str, str], Record]) -> list[Document]:
    """The live build's version of each broken file that had one: a mistake in a file does not take it offline."""
    return [record.to_document() for record in previous_documents.values() if Path(record.path) in broken]


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


def keyword_chunks(records: Iterable[Record]):
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


def _open_keyword(directory: Path, store_name: str, previous: layout.IndexFiles | None) -> KeywordStore:
    """A copy of the live build's keyword store to update (incremental build), or a new, empty one."""
    if previous is None:
        return keyword_store_class(store_name).create(directory)
    store = previous.keyword_store()
    store.save(directory)
    return store
