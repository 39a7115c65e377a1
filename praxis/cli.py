"""The `praxis` command line: a thin layer over the indexer and the search API.

Every command reads its defaults from :mod:`praxis.settings` (environment variables
``PRAXIS_*``) and takes options to override them; `praxis COMMAND --help` documents each.
"""

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
    as_json: Annotated[bool, typer.Option("--json", help="Print problems as JSON")] = False,
) -> None:
    """Check practice files; prints every problem as `file:line: field: message`."""
    from indexer.validate import validate_paths

    settings = get_settings()
    problems = validate_paths(paths or [settings.practices_dir], _taxonomy(taxonomy), settings.practices_dir)
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


def main() -> None:
    app()
