"""The header's keyword search: Pagefind's index of the built site, one per language, stemmed.

In: a page's final HTML, the build's (interface) language, the language of the page's content and
its source path; after the last language's build, the built site. Out: the pages to be searched
marked with `data-pagefind-body` on their `<article>` (the content, not the navigation, header
or footer): a page is searched in the language its content is written in, so a language's search
holds only its own pages, and the English one also every practice write-up whatever its language,
as the English site lists them all; then Pagefind (the `pagefind` package's binary) run over the
site, writing `pagefind/`: for each `<html lang>` an index stemmed with that language's Snowball
stemmer, and the interface (pagefind-ui.js) that `keyword-search.js` loads. Pagefind only indexes
pages that carry the marker once any page does, so the pages not marked are not searched.
"""

import re
import subprocess
import sys
from pathlib import Path

from praxis.interface import DEFAULT_LANGUAGE, catalogue

_ARTICLE = re.compile(r"<article (?=[^>]*class=\"md-content__inner)")
SECTION = "keyword_search"


def words(language: str) -> dict[str, str]:
    """The search's words in `language`: the button's and the dialog's, and Pagefind's own strings."""
    prefix = f"{SECTION}."
    return {key.removeprefix(prefix): text for key, text in catalogue(language).items() if key.startswith(prefix)}


def is_searched(interface: str, content: str, src_uri: str) -> bool:
    """Whether a page of the `interface` build, written in `content`, belongs in that language's search."""
    return content == interface or (interface == DEFAULT_LANGUAGE and src_uri.startswith("practices/"))


def with_search_marker(html: str) -> str:
    """`html` whose article (the page's content) is what Pagefind indexes."""
    return _ARTICLE.sub("<article data-pagefind-body ", html, count=1)


def build_search_index(site_dir: Path) -> subprocess.CompletedProcess:
    """Run Pagefind over the built site (its `pagefind/` folder is replaced)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", "pagefind"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"Pagefind failed on {site_dir}:\n{result.stdout}\n{result.stderr}")
    return result
