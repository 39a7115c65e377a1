"""Curricula: the file format and its errors, drafting by search, the CLI's three commands,
the printable export, and the draft endpoint over HTTP."""

import html.parser
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from engine.loaded import LoadedIndex
from indexer.build import build_index
from praxis.curricula.draft import DraftRequest, allocate, draft, methodology_order
from praxis.curricula.library import Library, curriculum_files
from search_api.app import create_app
from tests.conftest import FIXTURES, ROOT, TAXONOMY, app_settings, build_request, in_process, live_server

DOCS = ROOT / "docs"
BROKEN = """\
id: broken
title: A programme with every kind of mistake
audience: case managers
language: en
hours: 10
outcomes:
  - Participants can run an intake interview
modules:
  - page: methodology/case-management
    hours: 4
    practices: [housing-roma-families, no-such-practice]
  - page: methodology/no-such-page
    hours: 4
    activities: [A lecture]
  - page: methodology/community-coaching
    hours: 1
"""


@pytest.fixture(scope="module")
def library():
    """The fixture practices and the repository's methodology."""
    return Library.open(FIXTURES / "practices", DOCS, TAXONOMY)


@pytest.fixture(scope="module")
def fixture_index(tmp_path_factory, hashing):
    """The fixture practices and the repository's methodology, indexed with the hashing embedder."""
    root = tmp_path_factory.mktemp("curricula-index")
    build_index(build_request(root, practices_dir=FIXTURES / "practices", docs_dir=DOCS), hashing)
    return root / "index"


def test_allocation_adds_up_in_half_hours_and_follows_relevance():
    hours = allocate(16, [0.9, 0.5, 0.1])
    assert sum(hours) == 16 and all(h >= 0.5 and (h * 2).is_integer() for h in hours)
    assert hours[0] > hours[1] > hours[2]
    assert allocate(3, [1, 1, 1]) == [1, 1, 1]
    with pytest.raises(ValueError, match="too short"):
        allocate(1, [1, 1, 1])


def test_every_mistake_is_reported_with_its_line(library, tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN)
    curriculum, problems = library.check(path)
    assert curriculum is None
    found = {(p.line, p.field): p.message for p in problems}
    assert "no practice with id 'no-such-practice'" in found[(11, "modules.0.practices.1")]
    assert "no methodology page 'methodology/no-such-page'" in found[(12, "modules.1.page")]
    assert "empty module" in found[(15, "modules.2")]
    assert "the modules add up to 9 h, not 10 h" in found[(5, "hours")]
    assert all(str(p).startswith(f"{path}:") for p in problems)


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("id: x\ntitle: [unclosed\n", 2, "file", "malformed YAML"),
        ("- just\n- a list\n", 1, "file", "mapping"),
        (BROKEN.replace("hours: 10\n", "hours: 10\nduration: 3 days\n"), 6, "duration", "unknown field"),
        (BROKEN.replace("language: en", "language: english"), 4, "language", "should match pattern"),
        ("", 1, "file", "empty"),
    ],
)
def test_unreadable_files_are_clear_errors(library, tmp_path, text, line, field, message):
    path = tmp_path / "broken.yml"
    path.write_text(text)
    curriculum, problems = library.check(path)
    assert curriculum is None
    assert (problems[0].line, problems[0].field) == (line, field) and message in problems[0].message


def test_methodology_order_follows_the_overview():
    order = methodology_order(DOCS)
    assert order[:2] == ["methodology/case-management", "methodology/experts-by-experience"]
    pages = {f"methodology/{p.stem}" for p in (DOCS / "methodology").glob("*.md") if "." not in p.stem}
    assert set(order) >= pages - {"methodology/index"}


def test_draft_picks_modules_in_teaching_order_and_case_studies_in_several_languages(fixture_index, hashing, library):
    index = LoadedIndex.open(fixture_index, hashing)
    # The hashing embedder knows no translations: the Portuguese practice is reached by its own words.
    request = DraftRequest(
        "Social housing for Roma families and mentoria de trabalhadores migrantes", "case managers", 8, "en"
    )
    curriculum = draft(index, hashing, request, methodology_order(DOCS), centre=True)
    assert sum(m.hours for m in curriculum.modules) == 8 and len(curriculum.modules) == 2
    order = methodology_order(DOCS)
    assert [order.index(m.page) for m in curriculum.modules] == sorted(order.index(m.page) for m in curriculum.modules)
    used = [p for m in curriculum.modules for p in m.practices]
    assert len(used) == len(set(used)) >= 2
    assert len({library.practices[p].language for p in used}) >= 2
    assert all(len(m.practices) <= 3 for m in curriculum.modules) and curriculum.modules[0].practices
    assert curriculum.id == "social-housing-for-roma-families-and-mentoria-de-en"


def praxis(env: dict, *args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "praxis"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_from_a_topic_to_a_printable_programme_in_three_commands(fixture_index, tmp_path, library):
    env = {
        **os.environ,
        "PRAXIS_PRACTICES_DIR": str(FIXTURES / "practices"),
        "PRAXIS_DOCS_DIR": str(DOCS),
        "PRAXIS_INDEX_DIR": str(fixture_index),
        "PRAXIS_CURRICULA_DIR": str(tmp_path / "curricula"),
        "PRAXIS_EMBEDDER": "hashing",
    }
    drafted = praxis(
        env, "curriculum", "draft", "--topic", "Familienrat und Wohnen", "--audience", "Fachkräfte",
        "--hours", "12", "--language", "de", "--id", "wohnen-de",
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    path = tmp_path / "curricula" / "wohnen-de.yml"
    written = yaml.safe_load(path.read_text())
    assert written["hours"] == 12 and sum(module["hours"] for module in written["modules"]) == 12
    assert written["outcomes"][0].startswith("Die Teilnehmenden können")
    again = praxis(env, "curriculum", "draft", "--topic", "x y z", "--audience", "a", "--hours", "8",
                   "--language", "de", "--id", "wohnen-de")  # fmt: skip
    assert again.returncode == 1 and "exists" in again.stderr and yaml.safe_load(path.read_text()) == written

    assert praxis(env, "curriculum", "validate", str(path)).returncode == 0
    elsewhere = praxis(env, "curriculum", "draft", "--topic", "Familienrat", "--audience", "Fachkräfte", "--hours", "8",
                       "--language", "de", "--id", "familienrat-de", "--out", str(tmp_path / "elsewhere"))  # fmt: skip
    command = elsewhere.stdout.split(" && ")[-1].split()
    assert command[-2:] == ["--curricula-dir", str(tmp_path / "elsewhere")]
    printed = praxis(env, *command[1:], "--out", str(tmp_path / "elsewhere.html"))
    assert printed.returncode == 0, printed.stderr
    exported = praxis(env, "curriculum", "export", "wohnen-de", "--out", str(tmp_path / "wohnen.html"))
    assert exported.returncode == 0, exported.stderr

    page = (tmp_path / "wohnen.html").read_text()
    cited = [p for module in written["modules"] for p in module.get("practices", [])]
    assert "<h2>Lernziele</h2>" in page and "<h2>Ablauf</h2>" in page and "Practices cited" not in page
    references = page[page.index("Zitierte Praxisbeispiele") :]
    for number, practice in enumerate(cited, 1):
        url = f"http://127.0.0.1:8000/de/practices/{practice}/"
        assert f"[{number}] <strong lang=" in references and f'<a href="{url}">' in references
        assert library.practices[practice].title in references
    parser = TagCollector()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "@media print" in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="de">')


class TagCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def test_validate_and_export_refuse_bad_curricula(fixture_index, tmp_path):
    env = {**os.environ, "PRAXIS_PRACTICES_DIR": str(FIXTURES / "practices"), "PRAXIS_DOCS_DIR": str(DOCS),
           "PRAXIS_CURRICULA_DIR": str(tmp_path)}  # fmt: skip
    (tmp_path / "broken.yml").write_text(BROKEN)
    checked = praxis(env, "curriculum", "validate")
    assert checked.returncode == 1 and f"{tmp_path / 'broken.yml'}:5: hours:" in checked.stderr
    for bad_id in ("broken", "../broken", "nowhere"):
        exported = praxis(env, "curriculum", "export", bad_id, "--out", str(tmp_path / "out.html"))
        assert exported.returncode != 0 and not (tmp_path / "out.html").exists()


def test_draft_refuses_a_language_or_id_a_curriculum_cannot_have(fixture_index, tmp_path):
    env = {**os.environ, "PRAXIS_DOCS_DIR": str(DOCS), "PRAXIS_INDEX_DIR": str(fixture_index),
           "PRAXIS_CURRICULA_DIR": str(tmp_path), "PRAXIS_EMBEDDER": "hashing"}  # fmt: skip
    request = ("curriculum", "draft", "--topic", "Wohnen", "--audience", "Fachkräfte", "--hours", "8")
    for bad, field in ((["--language", "DE"], "language 'DE'"), (["--language", "xx"], "language 'xx'"),
                       (["--language", "de", "--id", "../wohnen"], "id '../wohnen'"),
                       (["--language", "de", "--id", "Wohnen_DE"], "id 'Wohnen_DE'")):  # fmt: skip
        refused = praxis(env, *request, *bad)
        assert refused.returncode == 2 and field in refused.stderr and "pydantic" not in refused.stderr
        assert "Traceback" not in refused.stderr and not list(tmp_path.iterdir())
        assert not (tmp_path.parent / "wohnen.yml").exists()


def test_draft_endpoint_over_http(fixture_index, hashing):
    app = create_app(app_settings(fixture_index, docs_dir=DOCS), embedder=hashing)
    with live_server(app) as base:
        body = {"topic": "Vivienda para familias gitanas", "audience": "trabajadores sociales", "hours": 6}
        answer = httpx.post(f"{base}/api/curricula/draft", json={**body, "language": "es"}, timeout=60)
        assert answer.status_code == 200
        curriculum = answer.json()["curriculum"]
        assert sum(m["hours"] for m in curriculum["modules"]) == 6 and curriculum["language"] == "es"
        assert yaml.safe_load(answer.json()["yaml"])["modules"][0]["page"] == curriculum["modules"][0]["page"]
        assert curriculum["outcomes"][0].startswith("Las personas participantes")
        refused = httpx.post(f"{base}/api/curricula/draft", json={**body, "language": "xx"}, timeout=60)
        assert refused.status_code == 422 and "language" in refused.text
        assert httpx.post(f"{base}/api/curricula/draft", json={**body, "hours": 0}, timeout=60).status_code == 422


def test_a_draft_without_the_methodology_says_what_is_missing(fixture_index, hashing_index, hashing):
    body = {"topic": "Housing for Roma families", "audience": "social workers", "hours": 6, "language": "en"}
    # The fixture docs have no methodology overview; the fixture index has no methodology pages.
    for index, docs, missing in (
        (fixture_index, FIXTURES / "docs", "overview"),
        (hashing_index, DOCS, "no methodology pages"),
    ):
        with in_process(create_app(app_settings(index, docs_dir=docs), embedder=hashing)) as client:
            answer = client.post("/api/curricula/draft", json=body)
            assert answer.status_code == 503 and missing in answer.json()["detail"], answer.text
    with in_process(create_app(app_settings(fixture_index, docs_dir=DOCS), embedder=hashing)) as client:
        for bad in ({"topic": "    "}, {"audience": " "}, {"unknown": 1}):
            answer = client.post("/api/curricula/draft", json=body | bad)
            assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] in bad, answer.text


def test_the_repository_curricula_are_valid_and_in_three_languages():
    library = Library.open(ROOT / "practices", DOCS, TAXONOMY)
    checked = [library.check(path) for path in curriculum_files([ROOT / "curricula"])]
    assert [problem for _, problems in checked for problem in problems] == []
    assert len({curriculum.language for curriculum, _ in checked}) >= 3


def _front_matter_title(path: Path) -> str:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["title"]


def test_a_hungarian_draft_names_its_modules_in_hungarian(fixture_index, hashing):
    """Issue 17: "alkalmazni tudják ...: Case management". The outcomes and the module activities
    of a Hungarian draft name each methodology page by its Hungarian title, never its English one."""
    pages = sorted(p for p in (DOCS / "methodology").glob("*.md") if "." not in p.stem and p.stem != "index")
    english = {f"methodology/{p.stem}": _front_matter_title(p) for p in pages}
    hungarian = {
        f"methodology/{p.stem}": _front_matter_title(p.with_suffix(".hu.md"))
        for p in pages
        if p.with_suffix(".hu.md").exists()
    }
    assert hungarian and all(hungarian[page] != english[page] for page in hungarian)
    index = LoadedIndex.open(fixture_index, hashing)
    request = DraftRequest("Esetkezelés és közösségi coaching roma telepeken", "szociális munkások", 12, "hu")
    curriculum = draft(index, hashing, request, methodology_order(DOCS), centre=True)
    assert len(curriculum.modules) >= 2 and curriculum.language == "hu"
    for module, outcome in zip(curriculum.modules, curriculum.outcomes, strict=True):
        title = hungarian[module.page]
        assert outcome == f"A résztvevők alkalmazni tudják a saját munkájukban: {title}"
        assert module.activities[0].endswith(f": {title}") and title in module.activities[-1]
    module_text = "\n".join([*curriculum.outcomes, *(m.activities[0] for m in curriculum.modules)])
    leaks = [title for title in english.values() if title in module_text]
    assert not leaks, (leaks, module_text)
