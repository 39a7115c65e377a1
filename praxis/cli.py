"""The `praxis` command line: a thin layer over the indexer and the search API.

Every command reads its defaults from :mod:`praxis.settings` (environment variables
``PRAXIS_*``) and takes options to override them; `praxis COMMAND --help` documents each.
"""

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer

from praxis.settings import get_settings

app = typer.Typer(
    help="Praxis: good practices for social inclusion, searchable across languages.",
    no_args_is_help=True,
    add_completion=False,
)

TaxonomyOption = Annotated[Path | None, typer.Option(help="Taxonomy file [default: PRAXIS_TAXONOMY_FILE]")]


def _taxonomy(path: Path | None):
    from indexer.taxonomy import load_taxonomy

    try:
        return load_taxonomy(path or get_settings().taxonomy_file)
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
    """Check practice files; prints every problem as `file:line: field: message`."""
    from indexer.validate import validate_paths

    settings = get_settings()
    taxonomy_ = _taxonomy(taxonomy)
    checked = paths or [settings.practices_dir]
    problems = validate_paths(checked, taxonomy_, settings.practices_dir)
    if duplicates:
        problems = sorted(
            [*problems, *_duplicate_warnings(checked, taxonomy_, settings)], key=lambda p: (str(p.path), p.line)
        )
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
    skip_invalid: Annotated[bool, typer.Option(help="Index the valid files even if others have errors")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary")] = False,
) -> None:
    """Build the search index from practices and methodology pages, and swap it in atomically."""
    from tqdm import tqdm

    from indexer.build import BuildRequest, InvalidCorpusError, build_index
    from indexer.embedders import load_embedder

    settings = get_settings()
    request = BuildRequest(
        practices_dir=practices or settings.practices_dir,
        docs_dir=docs or settings.docs_dir,
        index_path=index_path or settings.index_dir,
        cache_dir=settings.cache_dir,
        taxonomy_file=settings.taxonomy_file,
        chunk_size=settings.chunk_size,
        ann_threshold=settings.ann_threshold,
        skip_invalid=skip_invalid,
    )
    bar: tqdm | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or tqdm(total=total, unit="chunk", desc="embedding", disable=None)
        bar.update(done)

    try:
        summary = build_index(request, load_embedder(embedder or settings.embedder), progress)
    except InvalidCorpusError as error:
        for problem in error.problems:
            typer.echo(f"error: {problem}", err=True)
        typer.echo(f"{error}. Fix the files above or pass --skip-invalid.", err=True)
        raise typer.Exit(1) from None
    finally:
        if bar:
            bar.close()
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        typer.echo(
            f"indexed {summary.documents} documents ({summary.practices} practices, {summary.pages} pages), "
            f"{summary.chunks} chunks in {summary.seconds:.1f}s: {summary.embedded} embedded, "
            f"{summary.cache_hits} from cache, {summary.reused_documents} documents unchanged; "
            f"languages {summary.languages}; build {summary.build}"
        )


def _open_index(index_path: Path | None, embedder: str | None):
    """The live index and its embedder, or exit 1 with the reason the index is unusable."""
    from indexer.embedders import load_embedder
    from indexer.store import UnusableIndexError
    from search_api.loaded import LoadedIndex

    settings = get_settings()
    model = load_embedder(embedder or settings.embedder)
    try:
        return LoadedIndex.open(index_path or settings.index_dir, model), model
    except UnusableIndexError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


IndexOption = Annotated[Path | None, typer.Option("--index", help="Index path [default: PRAXIS_INDEX_DIR]")]
EmbedderOption = Annotated[str | None, typer.Option(help="Embedder spec [default: PRAXIS_EMBEDDER]")]


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="The problem, described in any language")],
    index_path: IndexOption = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Number of practices")] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, semantic or keyword")] = "hybrid",
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Only practices in these languages")] = None,
    embedder: EmbedderOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON")] = False,
) -> None:
    """Find practices for a problem described in any language."""
    from search_api.engine import Filters, Query
    from search_api.engine import search as run

    if mode not in ("hybrid", "semantic", "keyword"):
        raise typer.BadParameter("use hybrid, semantic or keyword", param_hint="--mode")
    settings = get_settings()
    loaded, model = _open_index(index_path, embedder)
    query_options = dict(
        dense_weight=settings.dense_weight, keyword_weight=settings.keyword_weight, centre=settings.centre_languages
    )
    result = run(loaded, model, Query(query, mode, Filters(languages=lang or []), page_size=k, **query_options))
    if as_json:
        typer.echo(
            json.dumps(
                {"query_language": result.query_language, "total": result.total, "results": result.results},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for rank, hit in enumerate(result.results, start=1):
        other = ", ".join(v["language"] for v in hit["versions"])
        typer.echo(
            f"{rank:2}. [{hit['language']}] {hit['title']}  ({hit['id']}, score {hit['score']:.4f})"
            + (f"  also in: {other}" if other else "")
        )
        passage = hit["passages"][0]
        typer.echo(f"    {passage['section']}: {passage['text'][:220].replace(chr(10), ' ')}...")


@app.command("eval")
def evaluate(
    queries: Annotated[Path, typer.Option(help="Evaluation set")] = Path("evaluation/queries.yml"),
    index_path: Annotated[Path | None, typer.Option("--index", help="Index path [default: PRAXIS_INDEX_DIR]")] = None,
    split: Annotated[str, typer.Option(help="Queries to report on: test, tune or all")] = "test",
    tune: Annotated[bool, typer.Option(help="Grid-search fusion weights and centring on the tune split first")] = False,
    translation: Annotated[bool, typer.Option(help="Also run the translation-retrieval set")] = False,
    report: Annotated[Path | None, typer.Option(help="Write results.md, results.json and plots here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON")] = False,
) -> None:
    """Measure search quality: nDCG@10, recall@10, MRR by mode, query language and language pair."""
    import sys

    from tqdm import tqdm

    from indexer.embedders import load_embedder
    from search_api import evaluation
    from search_api.loaded import LoadedIndex

    settings = get_settings()
    model = load_embedder(settings.embedder)
    loaded = LoadedIndex.open(index_path or settings.index_dir, model)
    every = evaluation.load_queries(queries)
    chosen = [q for q in every if split in ("all", q.split)]
    current = evaluation.Settings(settings.dense_weight, settings.keyword_weight, settings.centre_languages)
    results: dict = {
        "queries": {
            "test": sum(q.split == "test" for q in every),
            "tune": sum(q.split == "tune" for q in every),
            "reported": len(chosen),
        }
    }
    if tune:
        dense_weights = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
        grid = [evaluation.Settings(dense, 1.0, centre) for centre in (False, True) for dense in dense_weights]
        tuning = evaluation.tune(loaded, model, [q for q in every if q.split == "tune"], tqdm(grid, desc="tuning"))
        results["tuning"] = tuning
        current = evaluation.Settings(**tuning[0]["settings"])
    results["settings"] = current.__dict__
    results["index"] = {
        "practices": sum(d["kind"] == "practice" for d in loaded.documents),
        "embedder": f"{loaded.files.embedder.name} {loaded.files.embedder.version}",
    }
    results["test"] = evaluation.evaluate_index(loaded, model, chosen, current).__dict__
    if translation:
        files = sorted(evaluation.TRANSLATION_DIR.glob("*.tsv"))
        results["translation"] = {
            f.name.split("-")[0]: evaluation.translation_retrieval(model, f) for f in tqdm(files, desc="translation")
        }
        results["translation"]["mean"] = {
            variant: {
                key: round(sum(r[variant][key] for r in results["translation"].values()) / len(files), 4)
                for key in ("accuracy_at_1", "same_language_share_top10")
            }
            for variant in ("raw", "centred")
        }
    if report:
        from search_api.eval_report import write_report

        report.mkdir(parents=True, exist_ok=True)
        (report / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        write_report(results, report, "praxis " + " ".join(sys.argv[1:]))
    if as_json:
        typer.echo(json.dumps(results, indent=2))
    else:
        for mode, values in results["test"]["overall"].items():
            typer.echo(f"{mode:9} " + "  ".join(f"{name} {value:.3f}" for name, value in values.items()))


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
    within: Annotated[int, typer.Option(help="With --due: also those due within this many days")] = 0,
) -> None:
    """Review a submission: its text, likely duplicates, the criteria checklist; then accept or reject it."""
    import datetime as dt

    from indexer import review as reviewing

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
        results = dict(item.split("=", 1) for item in criterion or [] if "=" in item)
        decision = reviewing.Decision(
            reviewers=reviewer or [],
            criteria=results,
            evidence=evidence,
            status=status,
            reasons=reason or [],
            next_review=dt.date.fromisoformat(next_review) if next_review else None,
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


def _show_submission(path: Path, settings, taxonomy) -> None:
    """Print a draft, its likely duplicates (when an index exists) and the criteria checklist."""
    from indexer import review as reviewing
    from indexer.corpus import read_document

    document, problems = read_document(path, "practice", taxonomy)
    for problem in problems:
        typer.echo(f"{problem.severity}: {problem}")
    if document is None:
        raise typer.Exit(1)
    meta = document.meta
    typer.echo(f"# {document.title}  [{document.language}]  ({path})")
    typer.echo(f"{meta.summary or ''}\ncountries {meta.countries}  themes {meta.themes}  methods {meta.methods}")
    for section in document.sections:
        typer.echo(f"\n## {section.heading}\n{section.text[:600]}")
    typer.echo("\nLikely duplicates:")
    for duplicate in _duplicates_of(document, settings) or [{"message": "none found"}]:
        typer.echo(f"- {duplicate['message']}")
    typer.echo("\nCriteria checklist (record with --criterion KEY=met|partly-met|not-met|not-assessed):")
    page = settings.docs_dir / "methodology" / "validating-practices.md"
    for key, questions in reviewing.criteria_checklist(page, taxonomy).items():
        recorded = (meta.validation.criteria if meta.validation else {}).get(key, "not recorded")
        typer.echo(f"- {key} [{taxonomy.criteria_groups[key]}] {taxonomy.label('criteria', key)}: {recorded}")
        for question in questions:
            typer.echo(f"    ? {question}")


def _duplicate_warnings(paths: list[Path], taxonomy, settings) -> list:
    """Warnings for valid files that closely resemble another indexed practice (none without an index).

    Chunk vectors come from the embedding cache: only text never embedded is embedded now.
    """
    from indexer.cache import EmbeddingCache
    from indexer.corpus import Problem, read_practices
    from indexer.embedders import load_embedder
    from indexer.store import UnusableIndexError
    from search_api.duplicates import duplicates_of
    from search_api.loaded import LoadedIndex

    model = load_embedder(settings.embedder)
    try:
        index = LoadedIndex.open(settings.index_dir, model)
    except UnusableIndexError:
        return []
    cache = EmbeddingCache(settings.cache_dir, model)

    def embed(texts: list[str]):
        return cache.embed([(hashlib.sha256(t.encode("utf-8")).hexdigest(), t) for t in texts])[0]

    documents, _ = read_practices(paths, taxonomy)
    try:
        return [
            Problem(d.path, d.key_lines.get(("id",), 1), "duplicates", found["message"], "warning")
            for d in documents
            for found in duplicates_of(index, embed, d, settings.duplicate_threshold)
        ]
    finally:
        cache.close()


def _duplicates_of(document, settings) -> list[dict]:
    """Near-duplicates of a parsed write-up in the live index ([] when there is none)."""
    from indexer.embedders import load_embedder
    from indexer.store import UnusableIndexError
    from search_api.duplicates import duplicates_of
    from search_api.loaded import LoadedIndex

    model = load_embedder(settings.embedder)
    try:
        index = LoadedIndex.open(settings.index_dir, model)
    except UnusableIndexError:
        return []
    return duplicates_of(index, model.embed_passages, document, settings.duplicate_threshold)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="[default: PRAXIS_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="[default: PRAXIS_PORT or 8000]")] = None,
) -> None:
    """Serve the API under /api and the built site at / (build the site first with `mkdocs build`)."""
    import uvicorn

    from search_api.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


curriculum_app = typer.Typer(
    help="Training programmes from methodology modules and practices: draft, validate, export.",
    no_args_is_help=True,
)
app.add_typer(curriculum_app, name="curriculum")


def _library():
    from praxis.curricula import Library

    settings = get_settings()
    return Library.open(settings.practices_dir, settings.docs_dir, settings.taxonomy_file)


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
    from indexer.curriculum import to_yaml
    from indexer.writing import write_new
    from search_api.curricula import DraftRequest, draft, methodology_order

    settings = get_settings()
    loaded, model = _open_index(index_path, embedder)
    request = DraftRequest(topic, audience, hours, language, curriculum_id)
    try:
        curriculum = draft(loaded, model, request, methodology_order(settings.docs_dir), settings.centre_languages)
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
    typer.echo(f"edit it, then: praxis curriculum validate {path} && praxis curriculum export {curriculum.id}")


@curriculum_app.command("validate")
def curriculum_validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or directories [default: curricula dir]")] = None,
) -> None:
    """Check curricula: unknown page or practice ids, hours that don't add up, empty modules."""
    from praxis.curricula import curriculum_files

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
    index_path: IndexOption = None,
    embedder: EmbedderOption = None,
) -> None:
    """Write a self-contained printable HTML programme that cites every practice it uses."""
    from indexer.writing import replace
    from praxis.curricula import find_curriculum
    from praxis.export import render_html
    from search_api.curricula import with_query_practices

    settings = get_settings()
    library = _library()
    try:
        curriculum, problems = library.check(find_curriculum(settings.curricula_dir, curriculum_id))
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    if curriculum is None:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(1)
    if any(module.practice_query for module in curriculum.modules):
        loaded, model = _open_index(index_path, embedder)
        curriculum = with_query_practices(curriculum, loaded, model, settings.centre_languages)
    path = out or Path(f"{curriculum.id}.html")
    replace(path, render_html(curriculum, library))
    typer.echo(f"wrote {path}")


def main() -> None:
    app()
