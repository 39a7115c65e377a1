"""The header's keyword search on a phone, in each of the site's ten languages.

    python -m benchmarks.site_search [--site DIR] [--index DIR] [--runs N] [--throttle RATE] [--out FILE]

Builds the site as the README does (`praxis index`, then `mkdocs build --strict`, here through
the tests' `build_site`) unless `--site` names a built one, then for every language:

- index: the size of its `search/search_index.json` (bytes, and gzip bytes as a web server
  would send it at level 6), its pages, and the lunr-languages it configures, with whether the
  built site ships a stemmer for each (`assets/javascripts/lunr/min/lunr.<lang>.min.js`) and
  whether the index's pipeline keeps it (mkdocs-material removes every stage not listed in the
  index's `pipeline`);
- first search: headless Debian chromium (never a downloaded browser) emulating a phone
  (360x740 CSS pixels, device pixel ratio 3, a mobile user agent, CPU slowed `--throttle` times
  through DevTools' Emulation.setCPUThrottlingRate), with a fresh profile every run, opens the
  language's home page from a local `http.server` on 127.0.0.1 (started here, stopped by its pid),
  opens the header's search as soon as the page's HTML is parsed and types the query: the time
  from the first key pressed to the first result shown, which includes fetching the language's
  index, loading lunr's stemmer for it and building the lunr index in the theme's worker;
- second search: the box cleared and a second query typed, the index now warm;
- the number of matching documents the theme reports for each query, and for a third query in
  another form of the first query's word (singular for plural), which matches the pages that
  only have the first form when, and only when, the word is stemmed.

Medians over `--runs` runs (fresh browser each time); every run is kept in the JSON.
Loopback has no transfer time: the gzip size tells what a mobile network adds.
"""

import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from benchmarks.common import ROOT, emit
from praxis.settings import Settings
from tests.test_site import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, build_site

LANGUAGES = ("en", "pt", "fr", "ro", "it", "el", "hu", "pl", "es", "de")
QUERIES = {
    # language: (first query, second query, the first query's word in another form)
    "en": ("families", "mediators", "family"),
    "pt": ("famílias", "mediadores", "família"),
    "fr": ("familles", "médiateurs", "famille"),
    "ro": ("familiile", "mediatori", "familia"),
    "it": ("famiglie", "mediatori", "famiglia"),
    "el": ("μετανάστες", "οικογένειες", "μετανάστη"),
    "hu": ("családok", "mediátorok", "család"),
    "pl": ("rodziny", "mediatorzy", "rodzina"),
    "es": ("familias", "mediadores", "familia"),
    "de": ("Familien", "Mediatoren", "Familie"),
}
PHONE = {"width": 360, "height": 740, "pixelRatio": 3.0}
MOBILE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)
RESULT = ".md-search-result__item"
WATCH = """
const input = document.querySelector('input.md-search__input');
const meta = document.querySelector('.md-search-result__meta');
const t = window.__praxis = {typed: null, shown: null, changed: null, meta: meta.textContent};
input.addEventListener('keydown', () => { if (t.typed === null) t.typed = performance.now(); }, {capture: true});
new MutationObserver(() => {
  if (t.typed === null) return;
  if (t.changed === null && meta.textContent !== t.meta) t.changed = performance.now();
  if (t.shown === null && document.querySelector('.md-search-result__item')) t.shown = performance.now();
}).observe(document.querySelector('.md-search-result'), {childList: true, subtree: true, characterData: true});
"""
NO_RESULT_AFTER_MS = 15000
"""Without any result this long after the theme's message changed, the query has none."""


def prefix(language: str) -> str:
    return "" if language == "en" else f"{language}/"


# The index


def index_figures(site: Path, language: str) -> dict:
    path = site / prefix(language) / "search" / "search_index.json"
    raw = path.read_bytes()
    data = json.loads(raw)
    config = data["config"]
    shipped = site / "assets" / "javascripts" / "lunr" / "min"
    stemmers = {code: code == "en" or (shipped / f"lunr.{code}.min.js").exists() for code in config["lang"]}
    return {
        "bytes": len(raw),
        "gzip_bytes": len(gzip.compress(raw, compresslevel=6)),
        "documents": len(data["docs"]),
        "lunr_languages": config["lang"],
        "stemmer_shipped": stemmers,
        "pipeline": config.get("pipeline", []),
        "stemmed": language in config["lang"] and "stemmer" in config.get("pipeline", []),
    }


# The browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(site: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server, base
        time.sleep(0.05)
    stop_server(server)
    raise RuntimeError("http.server did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.kill(server.pid, signal.SIGTERM)
    server.wait(timeout=10)


def phone_browser(profile: Path, language: str, throttle: float):
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        if not flag.startswith(("--window-size", "--lang")):
            options.add_argument(flag)
    options.add_argument(f"--lang={language}")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--disk-cache-size=1")
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE, "userAgent": MOBILE_USER_AGENT})
    options.page_load_strategy = "eager"  # control returns once the HTML is parsed (DOMContentLoaded)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(120)
    if throttle > 1:
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": throttle})
    return driver


def _matching(meta: str) -> int:
    digits = "".join(ch if ch.isdigit() else " " for ch in meta).split()
    return int(digits[0]) if digits else 0


def timed_search(driver, query: str, timeout: float = 120) -> dict:
    """Type `query` into the open search box; the time from the first key to the first result (or
    to the theme's message that there is none), and the number of matching documents."""
    driver.execute_script(WATCH)
    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    box.send_keys(query)
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script(
            "const t = window.__praxis; return t.shown !== null"
            f" || (t.changed !== null && performance.now() - t.changed > {NO_RESULT_AFTER_MS})"
        )
    )
    # The count settles once the worker has answered the whole query, not only its first letters.
    metas = []
    while len(metas) < 5 or len(set(metas[-5:])) > 1:
        time.sleep(0.1)
        metas.append(driver.find_element(By.CSS_SELECTOR, ".md-search-result__meta").get_attribute("textContent"))
    seen = driver.execute_script("return window.__praxis")
    found = seen["shown"] is not None
    return {
        "ms": round(seen["shown"] - seen["typed"], 1) if found else None,
        "matching": _matching(metas[-1]) if found else 0,
        "meta": metas[-1],
    }


def open_search(driver, url: str) -> float:
    """Open `url` and the header's search; returns when the page's HTML was parsed (ms since navigation)."""
    driver.get(url)
    toggle = WebDriverWait(driver, 60).until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "label.md-header__button[for=__search]"))
    )
    toggle.click()
    WebDriverWait(driver, 30).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "input.md-search__input"))
    )
    return driver.execute_script("return performance.now()")


def run_once(base: str, language: str, throttle: float) -> dict:
    first, second, other_form = QUERIES[language]
    profile = Path(tempfile.mkdtemp(prefix="praxis-phone-"))
    driver = phone_browser(profile, language, throttle)
    try:
        typed_at = open_search(driver, f"{base}/{prefix(language)}")
        result = {"typed_at_ms": round(typed_at, 1), "first": timed_search(driver, first)}
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').filter(e => /search_index|lunr|workers/.test(e.name))"
            ".map(e => [e.name.split('/').slice(-1)[0], Math.round(e.responseEnd), e.encodedBodySize])"
        )
        result["resources"] = resources
        shown = driver.execute_script("return window.__praxis.shown")
        result["results_since_navigation_ms"] = round(shown, 1) if shown is not None else None
        box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
        driver.execute_script("arguments[0].value = ''", box)
        result["second"] = timed_search(driver, second)
        driver.execute_script("arguments[0].value = ''", box)
        result["other_form"] = timed_search(driver, other_form)
        return result
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def measure(site: Path, runs: int, throttle: float, languages=LANGUAGES) -> dict:
    server, base = start_server(site)
    try:
        results = {}
        for language in languages:
            trials = [run_once(base, language, throttle) for _ in range(runs)]
            last = trials[-1]
            results[language] = {
                "queries": dict(zip(("first", "second", "other_form"), QUERIES[language], strict=True)),
                "first_search_ms": statistics.median(t["first"]["ms"] for t in trials),
                "results_since_navigation_ms": statistics.median(t["results_since_navigation_ms"] for t in trials),
                "second_search_ms": statistics.median(t["second"]["ms"] for t in trials),
                "matching": {name: last[name]["matching"] for name in ("first", "second", "other_form")},
                "runs": trials,
            }
            print(language, {k: v for k, v in results[language].items() if k != "runs"}, file=sys.stderr)
        return results
    finally:
        stop_server(server)


# The site


def built_site(index_dir: Path, site_dir: Path) -> Path:
    """The README's way: `praxis index` (if there is no index yet), then `mkdocs build --strict`."""
    if not index_dir.exists():
        command = [sys.executable, "-c", "from praxis.cli import main; main()", "index", "--index", str(index_dir)]
        subprocess.run(command, check=True, cwd=ROOT)
    result = build_site(site_dir, index_dir, ROOT / "practices", ROOT / "curricula")
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return site_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one in a temporary directory)")
    parser.add_argument("--index", type=Path, default=None, help="the index to build the site over (PRAXIS_INDEX_DIR)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slow-down factor (1: none)")
    parser.add_argument("--languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="praxis-site-") as scratch:
        started = time.perf_counter()
        if args.site:
            site = args.site
        else:
            index_dir = args.index or (ROOT / Settings().index_dir)
            site = built_site(index_dir, Path(scratch) / "site")
        build_seconds = round(time.perf_counter() - started, 1)
        indexes = {language: index_figures(site, language) for language in args.languages}
        searches = measure(site, args.runs, args.throttle, args.languages)
    emit(
        {
            "phone": {**PHONE, "user_agent": MOBILE_USER_AGENT, "cpu_throttling_rate": args.throttle},
            "runs": args.runs,
            "build_seconds": build_seconds if not args.site else None,
            "languages": {language: {"index": indexes[language], **searches[language]} for language in args.languages},
        },
        args.out,
    )


if __name__ == "__main__":
    main()
