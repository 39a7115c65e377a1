"""Praxis on one set of settings: what the CLI's commands work with, opened when first needed.

In: a :class:`~praxis.settings.Settings`. Out: the embedder, the live index, build
requests and search queries carrying the settings, the curricula library, and
near-duplicate checks against the index. Each CLI command parses its options and calls
one method or function with this; nothing here prints.
"""

import datetime as dt
import hashlib
from functools import cached_property
from pathlib import Path

import engine
from engine.duplicates import duplicates_of
from engine.search import versions
from indexer.build import BuildRequest
from indexer.cache import EmbeddingCache
from indexer.corpus import Document, Problem, read_practices
from indexer.embedders import Embedder, load_embedder
from indexer.export import csv_lines, jsonl_lines, write_parquet
from indexer.imports.mapping import find_mapping
from indexer.imports.run import ImportReport, Progress, import_files
from indexer.imports.store import ImportsStore
from indexer.layout import UnusableIndexError
from indexer.taxonomy import Taxonomy, load_taxonomy
from indexer.writing import replace
from praxis.curricula.library import Library
from praxis.evaluation.metrics import Settings as EvaluationSettings
from praxis.settings import Settings
from praxis.submissions.intake import SubmissionError, store
from praxis.submissions.promote import promote


class Workspace:
    def __init__(self, settings: Settings, embedder_spec: str | None = None, index_path: Path | None = None):
        self.settings = settings
        self.embedder_spec = embedder_spec or settings.embedder
        self.index_path = index_path or settings.index_dir

    @cached_property
    def embedder(self) -> Embedder:
        settings = self.settings
        return load_embedder(self.embedder_spec, settings.embedding_device, settings.embedding_batch_size)

    def taxonomy(self, path: Path | None = None) -> Taxonomy:
        """The taxonomy (ValueError with the reason when the file is unusable)."""
        return load_taxonomy(path or self.settings.taxonomy_file)

    def index(self) -> engine.LoadedIndex:
        """The live index (UnusableIndexError says why there is none)."""
        return engine.LoadedIndex.open(self.index_path, self.embedder)

    def build_request(self, practices: Path | None = None, docs: Path | None = None, **options) -> BuildRequest:
        settings = self.settings
        return BuildRequest(
            practices_dir=practices or settings.practices_dir,
            docs_dir=docs or settings.docs_dir,
            index_path=self.index_path,
            cache_dir=settings.cache_dir,
            taxonomy_file=settings.taxonomy_file,
            chunk_size=settings.chunk_size,
            ann_threshold=settings.ann_threshold,
            vector_store=settings.vector_store,
            keyword_store=settings.keyword_store,
            imports_dir=settings.imports_dir,
            project_chunk_chars=settings.project_chunk_chars,
            **options,
        )

    def query(self, text: str, mode: str = "hybrid", filters: engine.Filters | None = None, **options) -> engine.Query:
        """A search query with the fusion and centring settings in force."""
        return engine.Query(text, mode, filters or engine.Filters(), **self.settings.search_options() | options)

    def evaluation_settings(self) -> EvaluationSettings:
        return EvaluationSettings(**self.settings.search_options())

    def projects_evaluation_index(self) -> engine.LoadedIndex:
        """The evaluation index of the projects set (built, or brought up to date, under the cache
        directory's parent from the imports store or the opendata directory)."""
        from praxis.evaluation.projects import build_evaluation_index, read_corpus_ids

        settings = self.settings
        path = build_evaluation_index(
            settings.cache_dir.parent / "eval-projects",
            self.embedder,
            settings.cache_dir,
            read_corpus_ids(),
            opendata_dir=settings.opendata_dir,
            imports_dir=settings.imports_dir,
        )
        return engine.LoadedIndex.open(path, self.embedder)

    def library(self) -> Library:
        return Library.open(self.settings.practices_dir, self.settings.docs_dir, self.settings.taxonomy_file)

    def import_source(
        self, source: str, files: list[Path], progress: Progress, limit: int | None = None
    ) -> ImportReport:
        """Import files with a source's mapping (by default the files it names, under the opendata
        directory) into the imports store; the problems go to <imports>/<source>.problems.txt too,
        after the earlier ones about files this run did not read again."""
        mapping = find_mapping(source)
        files = files or [self.settings.opendata_dir / name for name in mapping.files]
        store = ImportsStore(self.settings.imports_dir)
        report = import_files(mapping, files, store, dt.date.today().isoformat(), progress, limit)
        listing = self.settings.imports_dir / f"{mapping.name}.problems.txt"
        # A report we wrote: bytes damaged since are kept as replacement characters, not a traceback.
        previous = listing.read_text(encoding="utf-8", errors="replace") if listing.is_file() else ""
        self.settings.imports_dir.mkdir(parents=True, exist_ok=True)
        replace(listing, report.problems_listing(previous))
        return report

    def forget_source(self, source: str) -> int:
        """Drop what `source` gave from the imports store, its problems file too; how many files it had."""
        forgotten = ImportsStore(self.settings.imports_dir).forget(source)  # checks the name first
        (self.settings.imports_dir / f"{source}.problems.txt").unlink(missing_ok=True)
        return forgotten

    def records(self) -> engine.LoadedIndex:
        """The live index without the embedder (UnusableIndexError says why there is none): for reading records."""
        return engine.LoadedIndex.open(self.index_path, None)

    def export(self, format: str, kinds: list[str], out: Path) -> int:
        """Write every record of these kinds to `out` (atomically); returns how many."""
        index = self.records()
        chosen = [(r, [v["id"] for v in versions(index, r.id)]) for r in index.documents if r.kind in kinds]
        if format == "parquet":
            write_parquet(chosen, out)
        else:
            replace(out, "".join(jsonl_lines(chosen) if format == "jsonl" else csv_lines(chosen)))
        return len(chosen)

    def promote(self, project_id: str) -> Path:
        """A practice draft from an imported project, in the submissions directory for review."""
        index, taxonomy = self.records(), self.taxonomy()
        record = index.by_id.get(project_id)
        if record is None:
            raise SubmissionError([f"no record with id '{project_id}' in the index"])
        practices, _ = read_practices([self.settings.practices_dir, self.settings.submissions_dir], taxonomy)
        practice_id, markdown = promote(record, taxonomy, {d.id for d in practices}, dt.date.today())
        return store(self.settings.submissions_dir, practice_id, markdown, taxonomy)

    def duplicates_of(self, document: Document) -> list[dict]:
        """Near-duplicates of a parsed write-up in the live index ([] when there is none)."""
        try:
            index = self.index()
        except UnusableIndexError:
            return []
        return duplicates_of(index, self.embedder.embed_passages, document, self.settings.duplicate_threshold)

    def duplicate_warnings(self, paths: list[Path], taxonomy: Taxonomy) -> list[Problem]:
        """Warnings for valid files that closely resemble another indexed practice (none without an index).

        Chunk vectors come from the embedding cache: only text never embedded is embedded now.
        """
        try:
            index = self.index()
        except UnusableIndexError:
            return []
        cache = EmbeddingCache(self.settings.cache_dir, self.embedder)

        def embed(texts: list[str]):
            return cache.embed([(hashlib.sha256(t.encode("utf-8")).hexdigest(), t) for t in texts])[0]

        documents, _ = read_practices(paths, taxonomy)
        threshold = self.settings.duplicate_threshold
        try:
            return [
                Problem(d.path, d.key_lines.get(("id",), 1), "duplicates", found["message"], "warning")
                for d in documents
                for found in duplicates_of(index, embed, d, threshold)
            ]
        finally:
            cache.close()
