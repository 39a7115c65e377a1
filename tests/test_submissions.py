"""Submissions over real HTTP, their security, review, and the path into search."""

import concurrent.futures
import datetime as dt
import json
import os
import subprocess
import sys

import httpx
import pycountry
import pytest
import yaml

from engine.loaded import LoadedIndex
from engine.search import Query, search
from indexer import frontmatter
from indexer.build import build_index
from indexer.writing import sanitise_markdown
from praxis.submissions.review import Decision, reject
from search_api.app import create_app
from search_api.body_size import MAX_BODY_BYTES
from tests.conftest import (
    FIXTURES,
    ROOT,
    TAXONOMY,
    app_settings,
    build_request,
    copy_fixture_corpus,
    live_server,
    writable_app_settings,
)

TOKEN = "s3cret-token-for-tests"

PRACTICE = {
    "title": "Bicycle repair workshops for young refugees",
    "language": "en",
    "summary": "Young refugees repair donated bicycles with volunteer mechanics and earn a certificate.",
    "countries": ["NL"],
    "themes": ["migrant-integration", "employment"],
    "target_groups": ["refugees", "young-people"],
    "methods": ["peer-support"],
    "evidence_level": "emerging",
    "sections": {
        "problem": "Young refugees wait months for work permits and lose confidence while they wait idle.",
        "approach": "Twice a week volunteer mechanics teach repairs; bicycles go to families who need transport.",
        "results": "Illustrative figure: twelve participants finished the course in the first year.",
        "transferability": "Needs a workshop space and two reliable volunteer mechanics.",
    },
}


@pytest.fixture
def site(tmp_path, hashing):
    """A practices dir, a submissions dir and an index of the fixture corpus, served over HTTP."""
    copy_fixture_corpus(tmp_path)
    build_index(build_request(tmp_path), hashing)
    settings = writable_app_settings(tmp_path, TOKEN)
    with live_server(create_app(settings, embedder=hashing)) as base, httpx.Client(base_url=base) as client:
        yield client, tmp_path


def post(client, body, token=TOKEN, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/submissions", json=body, headers=headers, **kwargs)


def test_a_valid_submission_is_stored_as_a_draft_and_audited(site):
    client, root = site
    response = post(client, {**PRACTICE, "id": "bicycle-repair-refugees"})
    assert response.status_code == 201, response.text
    receipt = response.json()
    assert receipt["id"] == "bicycle-repair-refugees" and receipt["status"] == "submitted"
    draft = root / "submissions" / "bicycle-repair-refugees.md"
    source = frontmatter.split(draft.read_text())
    assert source.front_matter["validation"]["status"] == "submitted"
    assert "## Problem and context" in source.body and "## Approach" in source.body
    audit = [json.loads(line) for line in (root / "submissions" / "audit.jsonl").read_text().splitlines()]
    assert audit[-1]["submitter"] == "tester" and audit[-1]["id"] == "bicycle-repair-refugees"
    assert TOKEN not in (root / "submissions" / "audit.jsonl").read_text()


def test_an_id_is_derived_from_the_title(site):
    client, _ = site
    assert post(client, PRACTICE).json()["id"].startswith("bicycle-repair-workshops-for-young-refugees-")


def test_a_greek_title_gives_a_readable_id(site):
    client, _ = site
    greek = {**PRACTICE, "title": "Εργαστήρια επισκευής ποδηλάτων", "language": "el", "countries": ["GR"]}
    response = post(client, greek)
    assert response.status_code == 201, response.text
    assert response.json()["id"].startswith("ergasteria-episkeues-podelaton-")


def test_the_eus_own_codes_for_greece_and_the_uk_are_accepted(site):
    """Practitioners write EL for Greece and UK for the United Kingdom (the EU's codes); stored as ISO 3166."""
    client, root = site
    response = post(client, {**PRACTICE, "id": "bicycle-repair-el-uk", "countries": ["EL", "uk"]})
    assert response.status_code == 201, response.text
    draft = frontmatter.split((root / "submissions" / "bicycle-repair-el-uk.md").read_text())
    assert draft.front_matter["countries"] == ["GR", "GB"]


@pytest.mark.parametrize("token", [None, "wrong-token", "", "tester"])
def test_missing_or_wrong_tokens_are_refused(site, token):
    client, root = site
    response = post(client, PRACTICE, token=token)
    assert response.status_code in (401, 403) and response.headers.get("www-authenticate", "Bearer") == "Bearer"
    assert not (root / "submissions").exists()


NOT_JSON = [b"not json", b'{"title": "unfinished', b"\xff\xfe", b""]


def json_headers(token: str | None) -> dict:
    return {"content-type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})


def test_every_route_that_needs_the_token_checks_it_before_reading_the_body(site):
    """FastAPI parses a body before it solves dependencies: without a token, a body that is not
    JSON got 422 (telling anyone how the route reads its input). Every operation the schema
    secures is tried, so a write route added without TokenFirstRoute fails here."""
    client, root = site
    paths = client.get("/api/openapi.json").json()["paths"]
    secured = [
        (method, path, "requestBody" in operation)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation.get("security")
    ]
    assert ("post", "/api/submissions", True) in secured
    for method, path, has_body in secured:
        for body in NOT_JSON:
            for token in (None, "wrong-token"):
                refused = client.request(method, path, content=body, headers=json_headers(token))
                assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer", (path, body)
            if has_body:
                assert client.request(method, path, content=body, headers=json_headers(TOKEN)).status_code == 422
    assert not (root / "submissions").exists()


def test_no_tokens_configured_means_no_writes(tmp_path, hashing_index, hashing):
    settings = app_settings(hashing_index, submissions_dir=tmp_path / "submissions", taxonomy_file=TAXONOMY)
    with live_server(create_app(settings, embedder=hashing)) as base:
        response = httpx.post(f"{base}/api/submissions", json=PRACTICE, headers={"Authorization": "Bearer x"})
    assert response.status_code == 401 and not (tmp_path / "submissions").exists()


def test_script_injection_never_reaches_the_file(site):
    client, root = site
    hostile = {
        **PRACTICE,
        "id": "hostile-practice",
        "title": "Workshops <img src=x onerror=alert(1)>",
        "summary": "<script>alert('summary')</script>",
        "sections": {
            **PRACTICE["sections"],
            "approach": "Steps <script>alert(1)</script> [click](javascript:alert(2)) "
            "![x](data:text/html;base64,PHNjcmlwdD4=) <a href='x'>link</a> [ok](https://example.org)",
        },
    }
    response = post(client, hostile)
    assert response.status_code == 201, response.text
    text = (root / "submissions" / "hostile-practice.md").read_text()
    assert "<script" not in text and "<img" not in text and "<a " not in text
    assert "javascript:" not in text and "data:text" not in text
    assert "&lt;script>" in text and "[ok](https://example.org)" in text


HOSTILE_LINKS = [
    "[ref][1]\n\n[1]: javascript:alert(3)",
    "[x][g]\n\n[g]: data:text/html,<script>alert(8)</script>",
    "[x][g]\n\n   [g]:\n   javascript:alert(1)",
    "[q]:javascript:alert(1)\n\n[q]",
    "[x][g]\n\n[g]: <javascript:alert(1)>",
    '[b]( javascript:alert(1) "t")',
    "[c](javascript:alert(1) foo)",
    "[d](<javascript:alert(1)>)",
    "[e](JaVaScRiPt:alert(1))",
    "[f](&#106;avascript:alert(1))",
    "[g](java\tscript:alert(1))",
    "![i](data:image/svg+xml;base64,PHN2Zz4=)",
    "[[nested](javascript:x)](https://example.org)",
    "[o](\njavascript:alert(1))",
]


@pytest.mark.parametrize("text", HOSTILE_LINKS)
def test_no_script_link_survives_sanitising_in_any_link_form(text):
    """Inline links, images and reference definitions, as Python-Markdown (the site's) renders them."""
    import html
    import re

    import markdown

    rendered = markdown.markdown(sanitise_markdown(text))
    targets = [html.unescape(v) for v in re.findall(r'(?:href|src)="([^"]*)"', rendered)]
    assert all(re.match(r"(https?://|mailto:|#)", v.strip()) for v in targets), (rendered, targets)


def test_sanitising_keeps_ordinary_links_and_the_text_around_a_dropped_one():
    safe = "[h](https://example.org/a_(b)) [k](mailto:a@example.org) [l](#sec) [m](https://example.org 'title')"
    assert sanitise_markdown(safe) == safe
    assert sanitise_markdown("[n]: https://example.org\n\n[n]") == "[n]: https://example.org\n\n[n]"
    assert sanitise_markdown("[link](javascript:alert(1)) after") == "[link](#) after"
    assert sanitise_markdown('[b](javascript:alert(1) "t")') == '[b](# "t")'


def test_written_files_are_readable_as_the_umask_allows(tmp_path):
    """Atomic writes go through a temp file; the file they leave has the mode open() would give it."""
    from indexer.writing import replace, write_new

    write_new(tmp_path / "new.md", "text")
    (tmp_path / "old.md").write_text("old")
    replace(tmp_path / "old.md", "new")
    umask = os.umask(0)
    os.umask(umask)
    modes = {oct((tmp_path / name).stat().st_mode & 0o777) for name in ("new.md", "old.md")}
    assert modes == {oct(0o666 & ~umask)}, umask  # mkstemp alone gives 0o600


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "a/b", "..", "UPPER", "x", "a" * 81, "abc.md", "-abc"])
def test_path_tricks_in_ids_are_refused(site, bad_id):
    client, root = site
    response = post(client, {**PRACTICE, "id": bad_id})
    assert response.status_code == 422
    assert not (root / "submissions").exists() and not (root / "etc").exists()


GREEK = "Νέοι πρόσφυγες επισκευάζουν δωρισμένα ποδήλατα με εθελοντές μηχανικούς και παίρνουν πιστοποιητικό. "


def greek(characters: int) -> str:
    return (GREEK * (characters // len(GREEK) + 1))[:characters]


def largest_greek_submission(taxonomy, practice_id: str) -> dict:
    """A valid submission in Greek with every free-text field and list at its cap."""
    sections = ("problem", "approach", "results", "transferability", "resources")
    return {
        "id": practice_id,
        "title": greek(300),
        "language": "el",
        "summary": greek(1500),
        "countries": [country.alpha_2 for country in pycountry.countries][:30],
        **{field: greek(300) for field in ("region", "organisation", "programme", "contact")},
        "fund": "Norway Grants",
        "period": {"start": 2021, "end": "ongoing"},
        **{vocabulary: taxonomy.terms(vocabulary)[:20] for vocabulary in ("themes", "target_groups", "methods")},
        "evidence_level": "emerging",
        "cost": greek(2000),
        "outcomes": [greek(2000)] * 30,
        "sources": [{"title": greek(300), "url": "https://example.org/" + "a" * 480}] * 30,
        "sections": {section: greek(20_000) for section in sections},
    }


def padded(body: dict, size: int) -> bytes:
    """`body` as ensure_ascii JSON (each Greek letter six bytes), padded with spaces to `size` bytes."""
    encoded = json.dumps(body).encode()
    assert len(encoded) <= size
    return encoded + b" " * (size - len(encoded))


def test_the_largest_greek_submission_fits_the_body_limit_and_a_byte_more_is_refused(site, taxonomy):
    client, root = site
    headers = {"Authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
    largest = largest_greek_submission(taxonomy, "greek-" + "a" * 74)
    assert len(json.dumps(largest)) > 10 * 64 * 1024  # ten times the old limit, 64 KiB
    accepted = client.post("/api/submissions", content=padded(largest, MAX_BODY_BYTES), headers=headers)
    assert accepted.status_code == 201, accepted.text[:500]
    assert (root / "submissions" / f"{largest['id']}.md").is_file()
    over = {**largest, "id": "greek-over-the-limit"}
    refused = client.post("/api/submissions", content=padded(over, MAX_BODY_BYTES + 1), headers=headers)
    assert refused.status_code == 413
    assert refused.json()["detail"] == (
        f"request body over {MAX_BODY_BYTES} bytes, more than any valid request needs: shorten it"
    )
    assert not (root / "submissions" / "greek-over-the-limit.md").exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"themes": ["space-travel"]}, "unknown term(s) 'space-travel'"),
        ({"countries": ["XX"]}, "ISO 3166-1"),
        ({"sections": {"problem": "Too short.", "approach": "x" * 30}}, "at least 20 characters"),
        ({"sections": {"problem": " " * 30, "approach": "x" * 30}}, "sections.problem: must not be blank"),
        ({"translation_of": "no-such-practice"}, "no practice has id 'no-such-practice'"),
        ({"evidence_level": "excellent"}, "unknown term(s) 'excellent'"),
        ({"unexpected": 1}, "Extra inputs are not permitted"),
    ],
)
def test_malformed_submissions_get_a_clear_422(site, change, words):
    client, root = site
    response = post(client, {**PRACTICE, **change})
    assert response.status_code == 422 and words in response.text
    assert not (root / "submissions").exists()


def test_nothing_is_ever_overwritten(site):
    client, root = site
    assert post(client, {**PRACTICE, "id": "same-id"}).status_code == 201
    before = (root / "submissions" / "same-id.md").read_text()
    again = post(client, {**PRACTICE, "id": "same-id", "title": "Another practice entirely"})
    assert again.status_code == 409 and (root / "submissions" / "same-id.md").read_text() == before
    clash = post(client, {**PRACTICE, "id": "housing-roma-families"})
    assert clash.status_code == 409


def test_the_same_practice_sent_again_while_waiting_gets_the_first_receipt_and_stores_nothing(site, taxonomy):
    client, root = site
    first = post(client, PRACTICE).json()
    assert post(client, {**PRACTICE, "id": "bicycle-repair"}).status_code == 201
    again, named_again = post(client, PRACTICE), post(client, {**PRACTICE, "id": "bicycle-repair"})
    assert again.status_code == named_again.status_code == 201
    assert (again.json()["id"], named_again.json()["id"]) == (first["id"], "bicycle-repair")
    assert again.json()["file"] == first["file"] and "already received" in again.json()["message"]
    assert sorted(draft.stem for draft in (root / "submissions").glob("*.md")) == ["bicycle-repair", first["id"]]
    assert len((root / "submissions" / "audit.jsonl").read_text().splitlines()) == 2
    changed = post(client, {**PRACTICE, "summary": "Young refugees repair bicycles and earn a certificate."})
    assert changed.status_code == 201 and changed.json()["id"] != first["id"]
    # Once the draft is decided (here rejected), the same practice is a new submission.
    reject(root / "submissions" / f"{first['id']}.md", Decision(["A. Reviewer"], reasons=["out of scope"]), taxonomy)
    after_review = post(client, PRACTICE).json()
    assert after_review["id"] not in (first["id"], changed.json()["id"])
    assert "already received" not in after_review["message"]


def test_a_resubmission_is_found_past_unicode_line_breaks_and_a_damaged_audit_line(site):
    client, root = site
    odd = {**PRACTICE, "title": "Bicycle repair\u2028workshops\x85for young refugees"}  # kept as they are in the log
    first = post(client, odd).json()
    with open(root / "submissions" / "audit.jsonl", "a", encoding="utf-8") as log:
        log.write('{"submitter": "cut short by a cra\n')
    again = post(client, odd)
    assert again.status_code == 201 and again.json()["id"] == first["id"], again.text


def test_the_same_practice_sent_at_once_from_several_clients_is_stored_once(site):
    client, root = site
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: post(client, PRACTICE), range(4)))
    assert {answer.status_code for answer in answers} == {201} and len({answer.json()["id"] for answer in answers}) == 1
    assert len(list((root / "submissions").glob("*.md"))) == 1


def test_near_duplicates_are_reported_to_the_submitter(site):
    client, _ = site
    copy = {
        "id": "housing-copy",
        "title": "Social housing access for Roma families",
        "language": "en",
        "themes": ["housing"],
        "sections": {
            key: (FIXTURES / "practices" / "housing-roma-families.md")
            .read_text()
            .split(f"## {heading}")[1]
            .split("##")[0]
            for key, heading in (("problem", "Problem and context"), ("approach", "Approach"))
        },
    }
    receipt = post(client, copy).json()
    assert receipt["duplicates"][0]["group_id"] == "housing-roma-families"
    assert "a translation, an update, or a different practice?" in receipt["duplicates"][0]["message"]
    assert "resembles existing practices" in receipt["message"]


def praxis(root, *args):
    env = {
        "PRAXIS_PRACTICES_DIR": str(root / "practices"),
        "PRAXIS_SUBMISSIONS_DIR": str(root / "submissions"),
        "PRAXIS_TAXONOMY_FILE": str(TAXONOMY),
        "PRAXIS_INDEX_DIR": str(root / "index"),
        "PRAXIS_CACHE_DIR": str(root / "cache"),
        "PRAXIS_EMBEDDER": "hashing",
        "PRAXIS_DOCS_DIR": str(ROOT / "docs"),
    }
    return subprocess.run(
        [sys.executable, "-m", "praxis", *args], capture_output=True, text=True, env={**os.environ, **env}
    )


EXCLUSION_MET = [
    "--criterion",
    "relevance=met",
    "--criterion",
    "intervention-characteristics=met",
    "--criterion",
    "evidence-and-theory=met",
    "--criterion",
    "ethics=met",
]


def test_from_submission_to_a_validated_practice_in_search(site, hashing):
    client, root = site
    assert post(client, {**PRACTICE, "id": "bicycle-repair-refugees"}).status_code == 201
    shown = praxis(root, "review", "bicycle-repair-refugees")
    assert shown.returncode == 0, shown.stderr
    assert "Bicycle repair workshops" in shown.stdout and "- relevance [exclusion]" in shown.stdout

    refused = praxis(
        root,
        "review",
        "bicycle-repair-refugees",
        "--accept",
        "--reviewer",
        "A. Reviewer",
        "--criterion",
        "relevance=met",
    )
    assert (
        refused.returncode == 1
        and "exclusion criterion 'intervention-characteristics' is not recorded" in refused.stderr
    )
    unfair = praxis(
        root,
        "review",
        "bicycle-repair-refugees",
        "--accept",
        "--reviewer",
        "A. Reviewer",
        *EXCLUSION_MET,
        "--criterion",
        "effectiveness-and-efficiency=met",
        "--criterion",
        "equity=not-met",
    )
    assert unfair.returncode == 1 and "equity is not met" in unfair.stderr

    accepted = praxis(
        root,
        "review",
        "bicycle-repair-refugees",
        "--accept",
        "--reviewer",
        "A. Reviewer",
        "--evidence",
        "emerging",
        *EXCLUSION_MET,
        "--criterion",
        "effectiveness-and-efficiency=met",
        "--criterion",
        "equity=partly-met",
        "--criterion",
        "transferability=partly-met",
    )
    assert accepted.returncode == 0, accepted.stderr
    practice = root / "practices" / "bicycle-repair-refugees.md"
    assert practice.exists() and not (root / "submissions" / "bicycle-repair-refugees.md").exists()
    validation = yaml.safe_load(practice.read_text().split("---")[1])["validation"]
    assert validation["status"] == "validated" and validation["reviewers"] == ["A. Reviewer"]
    assert validation["criteria"]["transferability"] == "partly-met"
    assert validation["next_review"] == (dt.date.today().replace(year=dt.date.today().year + 1)).isoformat()

    build_index(build_request(root), hashing)
    loaded = LoadedIndex.open(root / "index", hashing)
    hits = search(loaded, hashing, Query("bicycle repair workshop refugees", mode="keyword")).results
    assert hits[0]["id"] == "bicycle-repair-refugees" and hits[0]["status"] == "validated"


@pytest.mark.parametrize(
    "mistake, code, message",
    [
        (["--criterion", "equity"], 2, "'equity': use KEY=RESULT"),
        (["--next-review", "2030-13-01"], 2, "'2030-13-01': use a date as YYYY-MM-DD"),
        (["--next-review", dt.date.today().isoformat()], 1, "must come after the decision"),
    ],
)
def test_a_mistyped_decision_is_refused_and_the_draft_kept(site, mistake, code, message):
    client, root = site
    post(client, {**PRACTICE, "id": "mistyped-decision"})
    draft = (root / "submissions" / "mistyped-decision.md").read_text()
    accept = ("review", "mistyped-decision", "--accept", "--reviewer", "A", "--status", "under-review")
    refused = praxis(root, *accept, *mistake)
    assert refused.returncode == code and message in refused.stderr and "Traceback" not in refused.stderr
    assert (root / "submissions" / "mistyped-decision.md").read_text() == draft
    assert not (root / "practices" / "mistyped-decision.md").exists()


def test_rejection_keeps_the_draft_with_reasons(site):
    client, root = site
    post(client, {**PRACTICE, "id": "to-reject"})
    assert praxis(root, "review", "to-reject", "--reject", "--reviewer", "B").returncode == 1  # no reason
    run = praxis(root, "review", "to-reject", "--reject", "--reviewer", "B", "--reason", "No evidence of results.")
    assert run.returncode == 0, run.stderr
    validation = yaml.safe_load((root / "submissions" / "to-reject.md").read_text().split("---")[1])["validation"]
    assert validation["status"] == "archived" and validation["notes"] == ["No evidence of results."]
    assert not (root / "practices" / "to-reject.md").exists()


def test_review_refuses_path_tricks_and_lists_due_reviews(site):
    _, root = site
    assert "not a practice id" in praxis(root, "review", "../practices/housing-roma-families").stderr
    due = praxis(root, "review", "--due", "--within", "800")
    assert due.returncode == 0 and "housing-roma-families" in due.stdout and "kinderschutz-familienrat" in due.stdout
    assert "mentoring-migrant-workers" not in due.stdout  # no review date


def test_the_criteria_checklist_comes_from_the_methodology_page(taxonomy):
    from praxis.submissions.review import criteria_checklist

    checklist = criteria_checklist(ROOT / "docs" / "methodology" / "validating-practices.md", taxonomy)
    assert list(checklist) == taxonomy.terms("criteria")
    assert all(len(questions) >= 2 and all(q.endswith("?") for q in questions) for questions in checklist.values())
