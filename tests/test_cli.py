"""The console script `praxis`: every command answers --help in full, and misuse is one line, not a traceback."""

import subprocess
import sys

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from praxis.cli import app


def _commands(group, path: tuple[str, ...] = ()):
    """(names, command) of every command under `group`, sub-commands included."""
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):  # a group (Typer vendors its own click)
            yield from _commands(command, (*path, name))


def test_every_command_shows_every_option_help_with_its_default():
    runner = CliRunner()
    commands = list(_commands(get_command(app)))
    assert {("serve",), ("eval",), ("index",), ("curriculum", "draft")} <= {path for path, _ in commands}
    for path, command in commands:
        shown = runner.invoke(app, [*path, "--help"])
        assert shown.exit_code == 0, (path, shown.output)
        flat = " ".join(shown.output.split())
        for param in command.params:
            if getattr(param, "help", None):
                # Texts such as "[default: PRAXIS_HOST or 127.0.0.1]" once vanished as rich markup.
                assert " ".join(param.help.split()) in flat, (path, param.name)


@pytest.mark.parametrize("spec", ["foo", "hashing:abc", "hashing:0", "sentence-transformers:/nonexistent"])
def test_an_unusable_embedder_spec_is_one_line_and_exit_2(spec, hashing_index):
    command = [sys.executable, "-m", "praxis", "search", "housing", "--index", str(hashing_index), "--embedder", spec]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    # The last line: a library may warn before.
    assert run.stderr.splitlines()[-1].startswith("error: --embedder or PRAXIS_EMBEDDER: ")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["search", "   "], "describe the problem in words"),
        (["search", "?!"], "describe the problem in words"),
        (["search", "housing", "--kind", "projects"], "projects: use practice, project, page"),
        (["search", "housing", "--lang", "de", "--lang", "EN"], "EN: use ISO 639-1 codes"),
        (["serve", "--port", "0"], "greater than or equal to 1"),
        (["review", "--due", "--within", "99999999"], "less than or equal to 3650"),
        (["import", "anything", "--limit", "99999999999999999999"], "less than or equal to 1000000000"),
        (["export", "--out", "tests"], "--out: tests is a directory"),
        (["export", "--out", "no-such-dir/x.jsonl"], "--out: no-such-dir is not a directory"),
        (
            ["curriculum", "export", "dezinstitutionalizare-ro", "--out", "no-such-dir/x.html"],
            "no-such-dir is not a directory",
        ),
    ],
)
def test_misuse_is_a_usage_error_not_a_traceback(arguments, message):
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert message in " ".join(result.output.split())


def test_an_unknown_export_kind_is_a_usage_error_and_writes_nothing(hashing_index, tmp_path):
    """An unknown kind matched no record, unmentioned: the export wrote the other kinds' records
    (or an empty file) and exited 0."""
    out = tmp_path / "export.jsonl"
    arguments = ["export", "--kind", "practice", "--kind", "projects", "--index", str(hashing_index), "--out", str(out)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert "projects: use practice, project, page" in " ".join(result.output.split()) and not out.exists()


def test_a_mapping_that_is_not_text_is_named(tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_bytes(bytes(range(256)))
    result = CliRunner().invoke(app, ["import", str(mapping), str(tmp_path / "list.csv"), "--no-index"])
    assert result.exit_code == 1 and f"{mapping}: not UTF-8 text" in result.output
