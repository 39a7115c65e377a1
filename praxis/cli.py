"""The `praxis` command line: parses options, calls one function per command, prints.

Every command reads its defaults from :mod:`praxis.settings` (environment variables
``PRAXIS_*``) and takes options to override them; `praxis COMMAND --help` documents each.
The work is done by :class:`~praxis.workspace.Workspace` and the packages it opens.
"""

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from praxis.settings import get_settings

app = typer.Typer(
    help="Praxis: good practices for social inclusion, searchable across languages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts say "[default: ...]", which rich markup would swallow
)

TaxonomyOption = Annotated[Path | None, typer.Option(help="Taxonomy file [default: PRAXIS_TAXONOMY_FILE]")]
IndexOption = Annotated[Path | None, typer.Option("--index", help="Index path [default: PRAXIS_INDEX_DIR]")]
EmbedderOption = Annotated[str | None, typer.Option(help="Embedder spec [default: PRAXIS_EMBEDDER]")]


def _workspace(embedder: str | None = None, index_path: Path | None = None):
    from praxis.workspace import Workspace

    return Workspace(get_settings(), embedder, index_path)


def _fail(message: str) -> None:
    """A mistake in what was asked: one line on stderr, exit 2 (as for any usage error)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _output_file(path: Path) -> Path:
    """`path` if a file can be written there (`--out`), else a usage error saying why."""
    if path.is_dir():
        _fail(f"--out: {path} is a directory; name the file to write")
    if not path.parent.is_dir():
        _fail(f"--out: {path.parent} is not a directory; create it or write elsewhere")
    return path


def _kinds(kind: list[str] | None) -> list[str]:
    """The record kinds `--kind` asks for (the default ones without it); an unknown one is a usage
    error: it would match no record, and nothing would say so (a typo such as "projects")."""
    from indexer.facets import DEFAULT_KINDS, KINDS

    unknown = sorted(set(kind or []) - set(KINDS))
    if unknown:
        raise typer.BadParameter(f"{', '.join(unknown)}: use {', '.join(KINDS)}", param_hint="--kind")
    return kind or list(DEFAULT_KINDS)


def _taxonomy(path: Path | None):
    try:
        return _workspace().taxonomy(path)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or directories [default: the practices dir]")
    ] = None,
    taxonomy: TaxonomyOption = None,
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors")] = False,
    duplicates: Annotated[bool, typer.Option(help="Warn about near-duplicates in the index, in any language")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print problems as JSON")] = False,
) -> None:
    """Check practice files, and that no translated page is older than its English source; prints
    every problem as `file:line: field: message`."""
    from indexer.validate import validate_paths
    from praxis.translations import stale_translations

    settings = get_settings()
    taxonomy_ = _taxonomy(taxonomy)
    checked = paths or [settings.practices_dir]
    problems = validate_paths(checked, taxonomy_, settings.practices_dir)
    if not paths and settings.docs_dir.is_dir():
        problems += stale_translations(settings.docs_dir)
    if duplicates:
        warnings = _workspace().duplicate_warnings(checked, taxonomy_)
        problems = sorted([*problems, *warnings], key=lambda p: (str(p.path), p.line))
    errors = [p for p in problems if p.severity == "error" or strict]
    if as_json:
        typer.echo(json.dumps([{**p.__dict__, "path": str(p.path)} for p in problems], indent=2))
    else:
        for problem in problems:
            typer.echo(f"{problem.severity}: {problem}", err=True)
        typer.echo(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)", err=True)
    raise typer.Exit(1 if errors else 0)


@app.command()
def schema(taxonomy: TaxonomyOption = None) -> None:
    """Print the JSON Schema of practice front matter (for editors)."""
    from indexer.model import json_schema

    typer.echo(json.dumps(json_schema(_taxonomy(taxonomy)), indent=2, ensure_ascii=False))


PathOption = Annotated[Path | None, typer.Option(file_okay=False)]


@app.command()
def index(
    practices: Annotated[Path | None, typer.Option(help="Practices dir [default: PRAXIS_PRACTICES_DIR]")] = None,
    docs: Annotated[Path | None, typer.Option(help="Methodology pages dir [default: PRAXIS_DOCS_DIR]")] = None,
    index_path: Annotated[Path | None, typer.Option("--index", help="Index path [default: PRAXIS_INDEX_DIR]")] = None,
    embedder: Annotated[str | None, typer.Option(help="Embedder spec [default: PRAXIS_EMBEDDER]")] = None,
    strict: Annotated[
        bool, typer.Option(help="Stop on any file with errors (CI); by default they keep their last good version")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary")] = False,
    engine: Annotated[
        str | None, typer.Option(help="Storage engine: embedded or typesense [default: PRAXIS_ENGINE]")
    ] = None,
) -> None:
    """Build the search index from practices, methodology pages and imported projects, and swap it in atomically."""
    workspace = _workspace(embedder, index_path)
    if engine is not None:
        if engine not in ("embedded", "typesense"):
            _fail(f"--engine: '{engine}' is not one of embedded, typesense")
        workspace.settings = workspace.settings.with_engine(engine)
    if not (practices or workspace.settings.practices_dir).is_dir():
        _fail(f"--practices: {practices or workspace.settings.practices_dir} is not a directory")
    if docs is not None and not docs.is_dir():  # without --docs, no methodology dir means no pages
        _fail(f"--docs: {docs} is not a directory")
    _build_index(workspace, workspace.build_request(practices, docs, strict=strict), as_json)


def _build_index(workspace, request, as_json: bool) -> None:
    """Build the index `request` asks for with a progress bar, then report it (exit 1 on failure)."""
    from tqdm import tqdm

    from indexer.build import InvalidCorpusError, build_index
    from indexer.cache import UnusableCacheError
    from indexer.layout import UnusableIndexError
    from indexer.stores import StoreUnavailableError

    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        # One bar over the whole pass (chunks embedded or found in the cache, and written), with
        # its rate and time left; on a resumed build the cached chunks go by first, and the
        # rate settles on the embedding rate.
        nonlocal bar
        bar = bar or tqdm(total=total, unit="chunk", desc="indexing", smoothing=0.1, disable=None)
        bar.update(done)
        if bar.n >= total:
            bar.set_description("indexed; saving the stores")  # the vector index and keyword commit come last

    try:
        summary = build_index(request, workspace.embedder, progress)
    except InvalidCorpusError as error:
        for problem in error.problems:
            typer.echo(f"error: {problem}", err=True)
        typer.echo(f"{error}. Fix the files above.", err=True)
        raise typer.Exit(1) from None
    except (StoreUnavailableError, UnusableCacheError) as error:
        typer.echo(f"error: {error}; the live index is unchanged", err=True)
        raise typer.Exit(1) from None
    except UnusableIndexError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    finally:
        if bar:
            bar.close()
    for problem in summary.problems:
        typer.echo(f"error: {problem}", err=True)
    for path in summary.kept_previous:
        typer.echo(f"kept the last good version of {path}: fix it and run `praxis index` again", err=True)
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        typer.echo(
            f"indexed {summary.documents} documents ({summary.practices} practices, {summary.pages} pages, "
            f"{summary.projects} projects, {summary.duplicates_merged} duplicates merged), "
            f"{summary.chunks} chunks in {summary.seconds:.1f}s: {summary.embedded} embedded, "
            f"{summary.cache_hits} from cache, {summary.reused_documents} documents unchanged; "
            f"languages {summary.languages}; build {summary.build}"
        )


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="A built-in source (see --list) or a mapping file (.yml)")] = "",
    files: Annotated[list[Path] | None, typer.Argument(help="Files [default: the mapping's, under --data]")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every built-in source with its files")] = False,
    listing: Annotated[bool, typer.Option("--list", help="List the built-in sources and stop")] = False,
    forget: Annotated[
        bool, typer.Option("--forget", help="Drop everything SOURCE gave from the imports store")
    ] = False,
    data: Annotated[
        Path | None, typer.Option(help="Where the mappings' files are [default: PRAXIS_OPENDATA_DIR]")
    ] = None,
    imports_dir: Annotated[Path | None, typer.Option(help="Imports store [default: PRAXIS_IMPORTS_DIR]")] = None,
    index_after: Annotated[bool, typer.Option("--index/--no-index", help="Rebuild the index afterwards")] = True,
    limit: Annotated[
        int | None, typer.Option(min=1, max=10**9, help="Only the first N rows of each file (a trial)")
    ] = None,
    embedder: EmbedderOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON")] = False,
) -> None:
    """Import published lists of operations (CSV, JSON, XLSX, XLS) as project records, then index them.

    Every unusable row is reported as `file:row: column: message` (all of them in
    <imports>/<source>.problems.txt) and left out; every other row is imported.
    """
    from dataclasses import asdict

    from tqdm import tqdm

    from indexer.imports.mapping import MappingError, builtin_sources, find_mapping

    if listing:
        for name in builtin_sources():
            typer.echo(name)
        return
    overrides = {key: value for key, value in (("opendata_dir", data), ("imports_dir", imports_dir)) if value}
    workspace = _workspace(embedder)
    workspace.settings = workspace.settings.model_copy(update=overrides)
    if forget:
        # A mapping file's source is the name inside it; what was imported with it is stored under that name.
        try:
            name = find_mapping(source).name if source and Path(source).is_file() else source or ""
            typer.echo(f"forgot {workspace.forget_source(name)} file(s) of {name}")
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="SOURCE") from None
        return
    sources = list(builtin_sources()) if every else [source]
    if not every and not source:
        raise typer.BadParameter("give a source (praxis import --list) or --all")
    data_dir = workspace.settings.opendata_dir
    if not every and not files:
        _require_files_of_its_own(source, data_dir)
    if (every or not files) and not data_dir.is_dir():  # else every file of every mapping is "not found"
        _fail(f"--data: {data_dir} is not a directory; give the one the mappings' files are in (PRAXIS_OPENDATA_DIR)")
    store_dir = workspace.settings.imports_dir
    try:  # before any file is read: the store and the problems files are written there
        store_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(f"--imports-dir: cannot create the directory {store_dir} ({error.strerror}); choose another")
    reports = []
    with tqdm(unit="row", desc="importing", disable=None) as bar:
        for name in sources:
            try:
                reports.append(workspace.import_source(name, [] if every else files or [], bar.update, limit))
            except MappingError as error:
                typer.echo(f"error: {error}", err=True)
                raise typer.Exit(1) from None
    for report in reports:
        _print_import(report, as_json, asdict)
    if index_after:  # from the imports store just written to (--imports-dir), as `praxis index` would
        _build_index(workspace, workspace.build_request(), as_json=False)
    unread = [file for report in reports for file in report.files if file.unreadable]
    if unread:  # a file not read at all fails the command; rows left out of a file that was read are only reported
        total = sum(len(report.files) for report in reports)
        message = f"{len(unread)} of {total} file(s) not read (named above); every other one is imported"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1)


@app.command("export")
def export_(
    format: Annotated[str, typer.Option("--format", help="jsonl (re-importable), csv or parquet")] = "jsonl",
    out: Annotated[Path | None, typer.Option(help="Output file [default: praxis-export.FORMAT]")] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="practice, project, page (repeat) [default: practice, project]")
    ] = None,
    index_path: IndexOption = None,
) -> None:
    """Export every record of the live index with its stable id, language versions and provenance."""
    from indexer.export import FORMATS
    from indexer.layout import UnusableIndexError

    if format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    kinds = _kinds(kind)
    path = _output_file(out or Path(f"praxis-export.{format}"))
    try:
        count = _workspace(index_path=index_path).export(format, kinds, path)
    except UnusableIndexError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"wrote {count} records to {path}")


@app.command()
def promote(
    project_id: Annotated[str, typer.Argument(help="Id of an imported project (praxis search ... --json)")],
) -> None:
    """Turn an imported project into a practice draft in its own language, for review (praxis review ID)."""
    from indexer.layout import UnusableIndexError
    from praxis.submissions.intake import SubmissionError

    try:
        path = _workspace().promote(project_id)
    except (UnusableIndexError, SubmissionError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"wrote {path}: write its sections, then `praxis review {path.stem}`")


def _require_files_of_its_own(source: str, data_dir: Path) -> None:
    """Without FILEs a source reads the files its mapping names under --data; one that names none
    (praxis reads an export, kohesio a download) imported nothing and said nothing: a usage error."""
    from indexer.imports.mapping import MappingError, find_mapping

    try:
        mapping = find_mapping(source)
    except MappingError:
        return  # the import names the source's problem, as when FILEs are given
    if not mapping.files:
        _fail(
            f"{source}: its mapping names no files to look for under --data ({data_dir}), so nothing would be "
            f"imported; give the files: praxis import {source} FILE... (expected: {mapping.description})"
        )


def _print_import(report, as_json: bool, asdict) -> None:
    if as_json:
        files = [asdict(f) for f in report.files]
        typer.echo(
            json.dumps(
                {"source": report.source, "files": files, "totals": report.totals(), "reasons": report.reasons()}
            )
        )
        return
    for file in report.files:
        read = "unchanged" if file.unchanged else f"{file.records} records from {file.rows} rows"
        state = "not read" if file.unreadable else read
        typer.echo(f"{report.source}: {file.file}: {state}, {file.rejected} rejected, {file.warnings} warnings")
    unread = {file.file: file.unreadable for file in report.files if file.unreadable}
    for message in unread.values():  # every one, however many row problems the files before it had
        typer.echo(f"error: {message}", err=True)
    problems = [problem for problem in report.problems if str(problem.path) not in unread]
    for problem in problems[:10]:
        typer.echo(f"{problem.severity}: {problem}", err=True)
    if len(problems) > 10:
        typer.echo(f"... {len(problems) - 10} more in {report.source}.problems.txt", err=True)


def _open_index(workspace):
    """The live index, or exit 1 with the reason it is unusable."""
    from indexer.layout import UnusableIndexError

    try:
        return workspace.index()
    except UnusableIndexError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The problem, described in any language")],
    index_path: IndexOption = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Number of practices")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, semantic or keyword")] = "hybrid",
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Only practices in these languages")] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="practice, project, page (repeat) [default: practice, project]")
    ] = None,
    embedder: EmbedderOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON")] = False,
) -> None:
    """Find practices for a problem described in any language."""
    import engine
    from indexer.facets import BY_NAME

    if mode not in ("hybrid", "semantic", "keyword"):
        raise typer.BadParameter("use hybrid, semantic or keyword", param_hint="--mode")
    if not engine.searchable(query):
        raise typer.BadParameter("describe the problem in words (a letter or digit at least)", param_hint="QUERY")
    kinds = _kinds(kind)
    malformed = [code for code in lang or [] if not re.fullmatch(BY_NAME["language"].pattern, code)]
    if malformed:  # as the API refuses them: a code like "EN" would silently match nothing
        raise typer.BadParameter(f"{', '.join(malformed)}: use ISO 639-1 codes, e.g. de", param_hint="--lang")
    workspace = _workspace(embedder, index_path)
    loaded = _open_index(workspace)
    filters = engine.Filters({"language": lang or []}, kinds=kinds)
    result = engine.search(loaded, workspace.embedder, workspace.query(query, mode, filters, page_size=k))
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "query_language": result.query_language,
                    "total": result.total,
                    "expansion": result.expansion,
                    "results": result.results,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if result.expansion:
        concepts = ", ".join(result.expansion["concepts"])
        typer.echo(f"expanded: {concepts} (searched in {len(result.expansion['languages'])} languages)")
    for rank, hit in enumerate(result.results, start=1):
        other = ", ".join(v["language"] for v in hit["versions"])
        label = "funded project, not validated: " if hit["kind"] == "project" else ""
        typer.echo(
            f"{rank:2}. [{hit['language']}] {label}{hit['title']}  ({hit['id']}, score {hit['score']:.4f})"
            + (f"  also in: {other}" if other else "")
        )
        passage = hit["passages"][0]
        where = f"{passage['section']}: " if passage["section"] else ""
        typer.echo(f"    {where}{passage['text'][:220].replace(chr(10), ' ')}...")


EVALUATION_SETS = ("queries", "projects", "all")
SPLITS = ("test", "tune", "all")


@app.command("eval")
def evaluate(
    queries: Annotated[
        Path | None,
        typer.Option(
            help="Evaluation set [default: evaluation/queries.yml]; with --set projects, a judged set of your own "
            "in evaluation/projects.yml's format (situation, length and judged may be left out)"
        ),
    ] = None,
    index_path: Annotated[
        Path | None,
        typer.Option(
            "--index",
            help="Index path [default: PRAXIS_INDEX_DIR]; with --set projects, that of the records your --queries "
            "judges (without --queries, the projects set's own index, built from ../shared/opendata)",
        ),
    ] = None,
    split: Annotated[str, typer.Option(help="Queries to report on: test, tune or all")] = "test",
    tune: Annotated[bool, typer.Option(help="Grid-search fusion weights and centring on the tune split first")] = False,
    translation: Annotated[bool, typer.Option(help="Also run the translation-retrieval set")] = False,
    report: Annotated[Path | None, typer.Option(help="Write results.md, results.json and plots here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON")] = False,
    evaluation_set: Annotated[
        str,
        typer.Option(
            "--set",
            help="queries: practitioners' problems against the practices; projects: against real imported "
            "project records (evaluation/projects.yml, index built from ../shared/opendata), or a judged set of "
            "your own (--queries, --index); all: both (--queries and --index then name the practices set's)",
        ),
    ] = "queries",
) -> None:
    """Measure search quality: nDCG@10, recall@10, MRR by mode, query language and language pair."""
    if evaluation_set not in EVALUATION_SETS:
        raise typer.BadParameter(f"--set must be one of {', '.join(EVALUATION_SETS)}")
    if split not in SPLITS:
        raise typer.BadParameter(f"--split must be one of {', '.join(SPLITS)}")
    workspace = _workspace(index_path=index_path)
    if evaluation_set in ("queries", "all"):
        practices_queries = queries or Path("evaluation/queries.yml")
        _evaluate_practices(workspace, practices_queries, split, tune, translation, report, as_json)
    if evaluation_set == "projects" and (queries or index_path):
        _evaluate_own_set(workspace, queries, split, report, as_json)
    elif evaluation_set in ("projects", "all"):
        _evaluate_projects(workspace, split, report, as_json)


def _evaluate_practices(workspace, queries: Path, split: str, tune: bool, translation: bool, report, as_json) -> None:

    from tqdm import tqdm

    from praxis.evaluation.metrics import QuerySetError, load_queries
    from praxis.evaluation.run import run_evaluation

    try:
        every = load_queries(queries)
    except QuerySetError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    results = run_evaluation(
        _open_index(workspace),
        workspace.embedder,
        every,
        split,
        workspace.evaluation_settings(),
        tune=tune,
        translation=translation,
        progress=lambda items, label: tqdm(items, desc=label),
    )
    if report:
        from praxis.evaluation.report import write_report

        _write_results(results, report, "results.json", write_report)
    if as_json:
        typer.echo(json.dumps(results, indent=2))
    else:
        for mode, values in results["test"]["overall"].items():
            typer.echo(f"{mode:9} " + "  ".join(f"{name} {value:.3f}" for name, value in values.items()))


def _write_results(results: dict, report: Path, name: str, write_pages) -> None:
    """The results as JSON in `report`/`name`, then the set's pages and plots, citing the command."""
    import sys

    report.mkdir(parents=True, exist_ok=True)
    (report / name).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_pages(results, report, "praxis " + " ".join(sys.argv[1:]))


def _evaluate_projects(workspace, split: str, report, as_json) -> None:
    """The projects set: builds its evaluation index (see praxis.evaluation.projects), then reports."""
    from praxis.evaluation.projects import load_project_queries

    try:
        index = workspace.projects_evaluation_index()
    except FileNotFoundError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    _report_projects(workspace, index, load_project_queries(), split, report, as_json)


def _evaluate_own_set(workspace, queries: Path | None, split: str, report, as_json) -> None:
    """A judged set of one's own (--queries) on the index of its records (--index), reported as the projects set."""
    from praxis.evaluation import metrics
    from praxis.evaluation.projects import load_judged_queries
    from praxis.evaluation.run import judged_records

    if queries is None:
        _fail("--set projects with --index needs --queries: the judged set of that index's records")
    index = _open_index(workspace)
    try:
        judged = load_judged_queries(queries, metrics.record_languages(index).original)
    except metrics.QuerySetError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if not metrics.of_split(judged, split):
        _fail(f"{queries} has no {split} queries: choose another --split")
    kinds, missing = judged_records(index, judged)
    if not kinds:
        _fail(f"none of the records {queries} judges is in the index {workspace.index_path}: index them first")
    if missing:
        typer.echo(
            f"warning: {len(missing)} judged records are not in the index (they count as not found): "
            + ", ".join(missing[:5])
            + (" ..." if len(missing) > 5 else ""),
            err=True,
        )
    _report_projects(workspace, index, judged, split, report, as_json)


def _report_projects(workspace, index, queries: list, split: str, report, as_json) -> None:
    """Run every system on the judged `queries` over `index`, then write or print the figures."""
    from tqdm import tqdm

    from praxis.evaluation.run import run_projects_evaluation

    results = run_projects_evaluation(
        index,
        workspace.embedder,
        queries,
        split,
        workspace.evaluation_settings(),
        lambda items, label: tqdm(items, desc=label),
    )
    if report:
        from praxis.evaluation.report import write_projects_report

        _write_results(results, report, "projects-results.json", write_projects_report)
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    for system, groups in results["systems"].items():
        for group, scores in groups.items():
            figures = "  ".join(f"{name} {value:.3f}" for name, value in scores["overall"].items())
            typer.echo(f"{system:16} {group:15} {figures}")


@app.command()
def review(
    practice_id: Annotated[str | None, typer.Argument(help="Id of a submission to review")] = None,
    accept: Annotated[bool, typer.Option("--accept", help="Move it into the practices")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Archive it with --reason")] = False,
    criterion: Annotated[list[str] | None, typer.Option(help="KEY=RESULT, e.g. relevance=met (repeat)")] = None,
    reviewer: Annotated[list[str] | None, typer.Option(help="Reviewer name (repeat)")] = None,
    evidence: Annotated[str | None, typer.Option(help="Evidence level: emerging, promising, good, best")] = None,
    status: Annotated[str, typer.Option(help="On accept: validated or under-review")] = "validated",
    reason: Annotated[list[str] | None, typer.Option(help="Why, on reject (repeat)")] = None,
    next_review: Annotated[str | None, typer.Option(help="YYYY-MM-DD [default: 2 years, 1 for emerging]")] = None,
    due: Annotated[bool, typer.Option("--due", help="List practices whose review is due")] = False,
    within: Annotated[int, typer.Option(min=0, max=3650, help="With --due: also those due within this many days")] = 0,
) -> None:
    """Review a submission: its text, likely duplicates, the criteria checklist; then accept or reject it."""
    import datetime as dt

    from praxis.submissions import review as reviewing

    settings = get_settings()
    taxonomy_ = _taxonomy(None)
    if due:
        for found_id, date, path in reviewing.due(
            settings.practices_dir, taxonomy_, dt.date.today() + dt.timedelta(within)
        ):
            typer.echo(f"{date.isoformat()}  {found_id}  ({path})")
        return
    if practice_id is None:
        raise typer.BadParameter("give a submission id, or --due")
    try:
        path = reviewing.submission_path(settings.submissions_dir, practice_id)
        if not (accept or reject):
            _show_submission(path, settings, taxonomy_)
            return
        decision = reviewing.Decision(
            reviewers=reviewer or [],
            criteria=_criteria(criterion or []),
            evidence=evidence,
            status=status,
            reasons=reason or [],
            next_review=_review_date(next_review) if next_review else None,
        )
        if accept and reject:
            raise reviewing.ReviewError("choose --accept or --reject, not both")
        if accept:
            typer.echo(f"accepted as {status}: {reviewing.accept(path, decision, settings.practices_dir, taxonomy_)}")
        else:
            typer.echo(f"rejected and archived: {reviewing.reject(path, decision, taxonomy_)}")
    except (reviewing.ReviewError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _criteria(items: list[str]) -> dict[str, str]:
    """--criterion KEY=RESULT options as a mapping; one without "=" is refused, not dropped."""
    malformed = [item for item in items if "=" not in item]
    if malformed:
        raise typer.BadParameter(f"'{malformed[0]}': use KEY=RESULT, e.g. relevance=met", param_hint="--criterion")
    return dict(item.split("=", 1) for item in items)


def _review_date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}': use a date as YYYY-MM-DD", param_hint="--next-review") from None


def _show_submission(path: Path, settings, taxonomy) -> None:
    """Print a draft, its likely duplicates (when an index exists) and the criteria checklist."""
    from indexer.corpus import read_document
    from praxis.submissions import review as reviewing

    document, problems = read_document(path, "practice", taxonomy)
    for problem in problems:
        typer.echo(f"{problem.severity}: {problem}")
    if document is None:
        raise typer.Exit(1)
    page = settings.docs_dir / "methodology" / "validating-practices.md"
    duplicates = _workspace().duplicates_of(document)
    typer.echo("\n".join(reviewing.describe(document, duplicates, page, taxonomy)))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="[default: PRAXIS_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="[default: PRAXIS_PORT or 8000]")] = None,
) -> None:
    """Serve the API under /api and the built site at / (build the site first with `mkdocs build`)."""
    import uvicorn

    from search_api.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


curriculum_app = typer.Typer(
    help="Training programmes from methodology modules and practices: draft, validate, export.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(curriculum_app, name="curriculum")


def _library():
    return _workspace().library()


@curriculum_app.command("draft")
def curriculum_draft(
    topic: Annotated[str, typer.Option(help="What the training is about, in any language")],
    audience: Annotated[str, typer.Option(help="Who it is for, e.g. 'case managers of local programmes'")],
    hours: Annotated[float, typer.Option(min=1, max=200, help="Total hours")],
    language: Annotated[str, typer.Option(help="Language of the curriculum (ISO 639-1)")],
    curriculum_id: Annotated[str | None, typer.Option("--id", help="File name [default: from the topic]")] = None,
    out: Annotated[Path | None, typer.Option(help="Directory [default: PRAXIS_CURRICULA_DIR]")] = None,
    index_path: IndexOption = None,
    embedder: EmbedderOption = None,
) -> None:
    """Assemble a draft curriculum: methodology modules in teaching order, case-study practices
    from any language, hours allocated. Writes curricula/ID.yml (never overwrites) for you to edit."""
    from indexer.writing import write_new
    from praxis.curricula.draft import DraftRequest, MethodologyMissing, draft, methodology_order
    from praxis.curricula.model import to_yaml

    workspace = _workspace(embedder, index_path)
    settings = workspace.settings
    request = DraftRequest(topic, audience, hours, language, curriculum_id)
    try:
        request.check(_taxonomy(None).languages)
        order = methodology_order(settings.docs_dir)
        curriculum = draft(_open_index(workspace), workspace.embedder, request, order, settings.centre_languages)
    except MethodologyMissing as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    path = (out or settings.curricula_dir) / f"{curriculum.id}.yml"
    try:
        write_new(path, to_yaml(curriculum))
    except FileExistsError:
        typer.echo(f"error: {path} exists; choose another --id or remove it", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"wrote {path}: {len(curriculum.modules)} modules, {curriculum.hours:g} h")
    for module in curriculum.modules:
        typer.echo(f"  {module.hours:>4g} h  {module.page}  case studies: {', '.join(module.practices) or '-'}")
    export = f"praxis curriculum export {curriculum.id}"
    if out:
        export += f" --curricula-dir {out}"
    typer.echo(f"edit it, then: praxis curriculum validate {path} && {export}")


@curriculum_app.command("validate")
def curriculum_validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or directories [default: curricula dir]")] = None,
) -> None:
    """Check curricula: unknown page or practice ids, hours that don't add up, empty modules."""
    from praxis.curricula.library import curriculum_files

    library = _library()
    files = curriculum_files(paths or [get_settings().curricula_dir])
    problems = [problem for path in files for problem in library.check(path)[1]]
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    typer.echo(f"{len(files)} curricula, {len(problems)} error(s)", err=True)
    if problems or not files:
        raise typer.Exit(1)


@curriculum_app.command("export")
def curriculum_export(
    curriculum_id: Annotated[str, typer.Argument(help="Curriculum id (its file name in the curricula dir)")],
    out: Annotated[Path | None, typer.Option(help="Output file [default: ID.html]")] = None,
    curricula_dir: Annotated[
        Path | None, typer.Option(help="Where the curriculum's file is [default: PRAXIS_CURRICULA_DIR]")
    ] = None,
    index_path: IndexOption = None,
    embedder: EmbedderOption = None,
) -> None:
    """Write a self-contained printable HTML programme, in the curriculum's language, that cites
    every practice it uses by its address on the site (PRAXIS_SITE_URL)."""
    from indexer.writing import replace
    from praxis.curricula.draft import with_query_practices
    from praxis.curricula.export import render_html
    from praxis.curricula.library import find_curriculum

    settings = get_settings()
    library = _library()
    try:
        curriculum, problems = library.check(find_curriculum(curricula_dir or settings.curricula_dir, curriculum_id))
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    if curriculum is None:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1)
    if any(module.practice_query for module in curriculum.modules):
        workspace = _workspace(embedder, index_path)
        loaded = _open_index(workspace)
        curriculum = with_query_practices(curriculum, loaded, workspace.embedder, settings.centre_languages)
    path = _output_file(out or Path(f"{curriculum.id}.html"))
    replace(path, render_html(curriculum, library, settings.site_url))
    typer.echo(f"wrote {path}")


def main() -> None:
    from indexer.cache import UnusableCacheError
    from indexer.embedders import EmbedderSpecError

    try:
        app()
    except EmbedderSpecError as error:  # raised wherever a command first needs the embedder
        typer.echo(f"error: --embedder or PRAXIS_EMBEDDER: {error}", err=True)
        raise SystemExit(2) from None
    except UnusableCacheError as error:  # `praxis validate`'s duplicate check and evaluations use the cache too
        typer.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
