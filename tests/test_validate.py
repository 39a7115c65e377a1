"""`praxis validate`: the format's rules, each error kind on a real broken file, and the CLI contract."""

import json
import os
import subprocess
import sys

import pytest

from indexer.corpus import load_corpus
from indexer.validate import validate_paths
from tests.conftest import FIXTURES, ROOT

BROKEN = FIXTURES / "broken"


@pytest.fixture(scope="module")
def problems(taxonomy):
    return validate_paths([BROKEN], taxonomy)


def find(problems, file, field, severity="error"):
    found = [p for p in problems if p.path.name == file and p.field == field and p.severity == severity]
    assert found, f"no {severity} on {field} in {file}: {[str(p) for p in problems if p.path.name == file]}"
    return found[0]


def test_malformed_yaml_points_at_the_unclosed_list(problems):
    problem = find(problems, "malformed-yaml.md", "front matter")
    assert problem.line == 5 and "malformed YAML" in problem.message


def test_non_utf8_bytes_name_the_line(problems):
    problem = find(problems, "not-utf8.md", "front matter")
    assert problem.line == 7 and "UTF-8" in problem.message


def test_empty_file(problems):
    assert "empty" in find(problems, "empty.md", "front matter").message


def test_missing_front_matter(problems):
    assert "no front matter" in find(problems, "no-front-matter.md", "front matter").message


def test_unknown_vocabulary_terms_list_the_known_ones(problems):
    theme = find(problems, "unknown-term.md", "themes")
    assert theme.line == 5 and "'space-travel'" in theme.message and "housing" in theme.message
    level = find(problems, "unknown-term.md", "evidence.level")
    assert level.line == 8 and "'excellent'" in level.message and "promising" in level.message


def test_duplicate_ids_name_both_files(problems):
    problem = find(problems, "duplicate-b.md", "id")
    assert problem.line == 2 and "duplicate-a.md" in problem.message


def test_broken_translation_link(problems):
    problem = find(problems, "broken-translation.md", "translation_of")
    assert problem.line == 5 and "'no-such-practice'" in problem.message


def test_missing_required_field(problems):
    assert find(problems, "missing-required.md", "title").message == "required field is missing"


@pytest.mark.parametrize(
    ("field", "line", "words"),
    [
        ("language", 4, "ISO 639-1"),
        ("countries.0", 5, "'UK'"),
        ("period.end", 6, "before start year"),
        ("validation.date", 9, "date"),
        ("validation.criteria.relevance", 10, "string"),
        ("favourite_colour", 11, "unknown field"),
    ],
)
def test_each_bad_value_is_reported_on_its_own_line(problems, field, line, words):
    problem = find(problems, "bad-fields.md", field)
    assert problem.line == line and words in problem.message


def test_soft_problems_are_warnings(problems):
    assert "reads as 'pt'" in find(problems, "soft-problems.md", "language", "warning").message
    assert "overdue" in find(problems, "soft-problems.md", "validation.next_review", "warning").message
    status = find(problems, "soft-problems.md", "validation.status", "warning")
    assert status.line == 5 and "exclusion criterion 'relevance' is not recorded" in status.message
    assert "set the status to under-review" in status.message
    missing = find(problems, "soft-problems.md", "sections", "warning")
    assert "'approach' is missing" in missing.message and "## Approach" in missing.message
    assert not [p for p in problems if p.path.name == "soft-problems.md" and p.severity == "error"]


def test_translation_links_resolve_against_the_wider_corpus(taxonomy, tmp_path):
    """Validating one translation alone still finds its original in the practices dir."""
    translation = FIXTURES / "practices" / "housing-roma-families-ro.md"
    alone = validate_paths([translation], taxonomy)
    assert any(p.field == "translation_of" for p in alone)
    assert validate_paths([translation], taxonomy, context_dir=FIXTURES / "practices") == []


@pytest.mark.parametrize(
    ("original_language", "original_link", "message"),
    [("ro", "", "same language"), ("en", "translation_of: other\n", "itself a translation")],
)
def test_translation_must_point_at_an_original_in_another_language(
    taxonomy, tmp_path, original_language, original_link, message
):
    (tmp_path / "original.md").write_text(
        f"---\nid: original\ntitle: Original\nlanguage: {original_language}\n{original_link}---\n\nText.\n"
    )
    (tmp_path / "other.md").write_text("---\nid: other\ntitle: Other\nlanguage: de\n---\n\nText.\n")
    (tmp_path / "copy.md").write_text("---\nid: copy\ntitle: Copie\nlanguage: ro\ntranslation_of: original\n---\n")
    found = [p for p in validate_paths([tmp_path], taxonomy) if p.path.name == "copy.md" and p.severity == "error"]
    assert [p.field for p in found] == ["translation_of"] and message in found[0].message


def praxis(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "praxis", *args], cwd=cwd, capture_output=True, text=True)


def test_cli_reports_file_line_field_message_and_fails(problems):
    run = praxis("validate", str(BROKEN))
    assert run.returncode == 1
    assert f"{BROKEN / 'unknown-term.md'}:5: themes: unknown term(s)" in run.stderr
    assert run.stderr.count("error: ") == len([p for p in problems if p.severity == "error"])


def test_cli_json_output():
    run = praxis("validate", "--json", str(BROKEN / "unknown-term.md"))
    assert run.returncode == 1
    assert {(p["field"], p["line"]) for p in json.loads(run.stdout)} >= {("themes", 5), ("evidence.level", 8)}


def test_warnings_pass_unless_strict():
    soft = str(BROKEN / "soft-problems.md")
    assert praxis("validate", soft).returncode == 0
    assert praxis("validate", "--strict", soft).returncode == 1


def test_the_repository_corpus_is_valid():
    run = praxis("validate", "practices")
    assert run.returncode == 0, run.stderr


def test_every_methodology_and_documentation_page_of_the_repository_parses(taxonomy):
    # A page whose front matter does not parse is left out of the index and of similar-practice links.
    _, problems = load_corpus([], ROOT / "docs", taxonomy)
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_schema_exports_the_taxonomy_terms(taxonomy):
    schema = json.loads(praxis("schema").stdout)
    assert schema["properties"]["themes"]["items"]["enum"] == taxonomy.terms("themes")
    assert "id" in schema["required"] and "language" in schema["required"]


def test_near_duplicates_in_the_index_are_warnings(hashing_index, tmp_path):
    original = (FIXTURES / "practices" / "housing-roma-families.md").read_text()
    (tmp_path / "copy.md").write_text(original.replace("id: housing-roma-families", "id: housing-copy"))
    env = {
        **os.environ,
        "PRAXIS_INDEX_DIR": str(hashing_index),
        "PRAXIS_EMBEDDER": "hashing",
        "PRAXIS_CACHE_DIR": str(tmp_path / "cache"),
        "PRAXIS_PRACTICES_DIR": str(FIXTURES / "practices"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "praxis", "validate", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert (
        f"warning: {tmp_path / 'copy.md'}:2: duplicates: this looks like practice housing-roma-families" in run.stderr
    )
    quiet = subprocess.run(
        [sys.executable, "-m", "praxis", "validate", "--no-duplicates", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "duplicates" not in quiet.stderr
