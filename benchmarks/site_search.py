"""The header's keyword search (Pagefind) on a phone, in each of the site's ten languages.

    python -m benchmarks.site_search [--site DIR] [--index DIR] [--runs N] [--throttle RATE] [--out FILE]

Builds the site as the README does (`praxis index`, then `mkdocs build --strict`, which runs
Pagefind after the last language's build; here through the tests' `build_site`) unless `--site`
names a built one, then for every language:

- index: the `pagefind/` folder on disk (every language's index, fragments, the WebAssembly
  search and the interface), and the language's own part: its pages, its `pf_meta` and its
  stemming WebAssembly (`wasm.<lang>.pagefind`, `wasm.unknown.pagefind` for a language Pagefind
  has no stemmer for);
- first search: headless Debian chromium (never a downloaded browser) emulating a phone
  (360x740 CSS pixels, device pixel ratio 3, a mobile user agent, CPU slowed `--throttle` times
  through DevTools' Emulation.setCPUThrottlingRate), with a fresh profile every run, opens the
  language's home page from a local `http.server` on 127.0.0.1 (started here, stopped by its pid),
  opens the header's search as soon as the page's HTML is parsed and types the query: the time
  from the first key pressed to the first result shown, which includes loading Pagefind's
  interface and WebAssembly, the language's index chunks and the results' fragments, and
  Pagefind's 300 ms wait after the last key; and the bytes the browser fetched from `pagefind/`
  up to then (what a first search downloads);
- second search: the box cleared and a second query typed;
- the number of matching pages Pagefind reports for each query, and for a third query in
  another form of the first query's word (singular for plural), which matches the pages that
  only have the first form when, and only when, the word is stemmed.

Medians over `--runs` runs (fresh browser each time); every run is kept in the JSON. The lunr
figures measured before Pagefind replaced the theme's search (`--lunr FILE`, by default the `lunr`
part of `--out`) are kept beside them. Loopback has no transfer time: the bytes tell what a
mobile network adds.
"""

import argparse
import gzip
import json
import os
import re
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
OPENER = "button.praxis-keyword-open"
INPUT = "input.pagefind-ui__search-input"
RESULT = ".pagefind-ui__result"
MESSAGE = ".pagefind-ui__message"
WATCH = """
const input = document.querySelector('input.pagefind-ui__search-input');
const area = document.querySelector('#praxis-keyword-search');
const message = () => (document.querySelector('.pagefind-ui__message') || {}).textContent || '';
const t = window.__praxis = {typed: null, shown: null, changed: null, message: message()};
input.addEventListener('keydown', () => { if (t.typed === null) t.typed = performance.now(); }, {capture: true});
new MutationObserver(() => {
  if (t.typed === null) return;
  if (t.changed === null && message() !== t.message) t.changed = performance.now();
  if (t.shown === null && document.querySelector('.pagefind-ui__result-link')) t.shown = performance.now();
}).observe(area, {childList: true, subtree: true, characterData: true});
"""
NO_RESULT_AFTER_MS = 15000
"""Without any result this long after Pagefind's message changed, the query has none."""


def prefix(language: str) -> str:
    return "" if language == "en" else f"{language}/"


# The index


def _bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


def bundle_figures(site: Path) -> dict:
    """The `pagefind/` folder: its size, and what of it is shared by every language."""
    bundle = site / "pagefind"
    ui = {name: (bundle / name).stat().st_size for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css")}
    return {
        "bytes": _bytes(bundle),
        "files": sum(1 for f in bundle.rglob("*") if f.is_file()),
        "index_chunk_bytes": _bytes(bundle / "index"),
        "fragment_bytes": _bytes(bundle / "fragment"),
        "interface_bytes": ui,
        "interface_gzip_bytes": {
            name: len(gzip.compress((bundle / name).read_bytes(), compresslevel=6)) for name in ui
        },
    }


def index_figures(site: Path, language: str) -> dict:
    bundle = site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"][language]
    wasm = bundle / f"wasm.{entry['wasm']}.pagefind"
    return {
        "pages": entry["page_count"],
        "meta_bytes": (bundle / f"pagefind.{entry['hash']}.pf_meta").stat().st_size,
        "wasm": entry["wasm"],
        "wasm_bytes": wasm.stat().st_size,
        "stemmer": entry["wasm"] != "unknown",
    }


# The browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(site: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)]
    with SERVER_LOG.open("wb") as log:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
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
    SERVER_LOG.unlink(missing_ok=True)


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
    to Pagefind's message that there is none), and the number of matching pages."""
    driver.execute_script(WATCH)
    box = driver.find_element(By.CSS_SELECTOR, INPUT)
    box.send_keys(query)
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script(
            "const t = window.__praxis; return t.shown !== null"
            f" || (t.changed !== null && performance.now() - t.changed > {NO_RESULT_AFTER_MS})"
        )
    )
    # The count settles once Pagefind has answered the whole query, not only its first letters.
    metas = []
    while len(metas) < 5 or len(set(metas[-5:])) > 1 or query not in metas[-1]:
        time.sleep(0.1)
        metas.append(driver.find_element(By.CSS_SELECTOR, MESSAGE).get_attribute("textContent"))
        if len(metas) > 600:
            break
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
    opener = WebDriverWait(driver, 60).until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, OPENER)))
    opener.click()
    WebDriverWait(driver, 60).until(expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, INPUT)))
    return driver.execute_script("return performance.now()")


SERVER_LOG = Path(tempfile.gettempdir()) / f"praxis-site-search-{os.getpid()}.log"
"""http.server's request log: Pagefind's worker fetches its files out of the page's sight."""


def pagefind_fetches(site: Path, since: int) -> dict[str, int]:
    """The files of `pagefind/` requested since byte `since` of the server's log, with their sizes on disk."""
    with SERVER_LOG.open("rb") as log:
        log.seek(since)
        lines = log.read().decode("utf-8", "replace").splitlines()
    fetched = {}
    for line in lines:
        match = re.search(r'"GET /pagefind/(\S+) HTTP', line)
        if match and (site / "pagefind" / match[1]).is_file():
            fetched[match[1]] = (site / "pagefind" / match[1]).stat().st_size
    return fetched


def clear(driver, box) -> None:
    """Empty the box as a reader would, so that Pagefind clears its results."""
    driver.execute_script(
        "arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", box
    )
    WebDriverWait(driver, 30).until(lambda d: not d.find_elements(By.CSS_SELECTOR, RESULT))


def run_once(base: str, language: str, throttle: float, site: Path) -> dict:
    first, second, other_form = QUERIES[language]
    profile = Path(tempfile.mkdtemp(prefix="praxis-phone-"))
    driver = phone_browser(profile, language, throttle)
    try:
        since = SERVER_LOG.stat().st_size
        typed_at = open_search(driver, f"{base}/{prefix(language)}")
        result = {"typed_at_ms": round(typed_at, 1), "first": timed_search(driver, first)}
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').filter(e => e.name.includes('/pagefind/'))"
            ".map(e => [e.name.split('/pagefind/')[1], Math.round(e.responseEnd), e.encodedBodySize])"
        )
        result["resources"] = resources
        time.sleep(0.5)  # the log is written as each request ends
        fetched = pagefind_fetches(site, since)
        result["fetched"] = fetched
        result["first_search_bytes"] = sum(fetched.values())
        shown = driver.execute_script("return window.__praxis.shown")
        result["results_since_navigation_ms"] = round(shown, 1) if shown is not None else None
        box = driver.find_element(By.CSS_SELECTOR, INPUT)
        clear(driver, box)
        result["second"] = timed_search(driver, second)
        clear(driver, box)
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
            trials = [run_once(base, language, throttle, site) for _ in range(runs)]
            last = trials[-1]
            results[language] = {
                "queries": dict(zip(("first", "second", "other_form"), QUERIES[language], strict=True)),
                "first_search_ms": statistics.median(t["first"]["ms"] for t in trials),
                "results_since_navigation_ms": statistics.median(t["results_since_navigation_ms"] for t in trials),
                "second_search_ms": statistics.median(t["second"]["ms"] for t in trials),
                "first_search_bytes": statistics.median(t["first_search_bytes"] for t in trials),
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


def kept_lunr(path: Path | None) -> dict | None:
    """The lunr measurements of an earlier output (its `lunr` part, or the whole of one from before Pagefind)."""
    if not path or not path.exists():
        return None
    earlier = json.loads(path.read_text(encoding="utf-8"))
    if "lunr" in earlier:
        return earlier["lunr"]
    return {key: earlier[key] for key in ("phone", "runs", "build_seconds", "languages") if key in earlier}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one in a temporary directory)")
    parser.add_argument("--index", type=Path, default=None, help="the index to build the site over (PRAXIS_INDEX_DIR)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slow-down factor (1: none)")
    parser.add_argument("--languages", nargs="*", default=list(LANGUAGES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--lunr", type=Path, help="the lunr figures to keep beside Pagefind's (default: --out's)")
    args = parser.parse_args()
    lunr = kept_lunr(args.lunr or args.out)
    with tempfile.TemporaryDirectory(prefix="praxis-site-") as scratch:
        started = time.perf_counter()
        if args.site:
            site = args.site
        else:
            index_dir = args.index or (ROOT / Settings().index_dir)
            site = built_site(index_dir, Path(scratch) / "site")
        build_seconds = round(time.perf_counter() - started, 1)
        indexes = {language: index_figures(site, language) for language in args.languages}
        bundle = bundle_figures(site)
        searches = measure(site, args.runs, args.throttle, args.languages)
    emit(
        {
            "phone": {**PHONE, "user_agent": MOBILE_USER_AGENT, "cpu_throttling_rate": args.throttle},
            "runs": args.runs,
            "build_seconds": build_seconds if not args.site else None,
            "engine": "pagefind 1.5.2",
            "bundle": bundle,
            "languages": {language: {"index": indexes[language], **searches[language]} for language in args.languages},
            "lunr": lunr,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
