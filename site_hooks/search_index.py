"""The header's keyword search: one index per language of the site, configured for that language.

In: the search index the theme's search plugin wrote for the build just finished (for the
default language, the i18n plugin's merge of every build's), the language of each page's
content, and the build's language. Out: `<lang>/search/search_index.json` (the English one at
`search/`) holding only the pages whose content is in that language (English also holds every
practice write-up, whatever its language, as the English site always has), configured with
lunr-languages for the languages it holds (there is none for Polish). A reader's browser then
loads the index of its language only (`page_language.with_search_base`).

mkdocs-material keeps only the pipeline stages its `pipeline` setting lists (by default the stop-word
filter): each language's stop words apply, its stemmer does not. The theme searches every query
word as a prefix (a trailing wildcard), and lunr does not stem wildcard terms, so a stemmed index
would miss whole words ("Familien*" against the stem "famili"); prefixes cover part of what
stemming would (docs/benchmarks/site-search.md has the figures).
"""

import json
from pathlib import Path

from praxis.interface import DEFAULT_LANGUAGE

LUNR_LANGUAGES = {"en", "de", "el", "es", "fr", "hu", "it", "pt", "ro"}
"""The site's languages that lunr-languages (shipped with the theme) supports: stop words, word
characters and a stemmer, of which the theme's pipeline keeps the stop words."""
INDEX = Path("search") / "search_index.json"


def write_language_index(site_dir: Path, language: str, prefixes: list[str], languages: dict[str, str]) -> Path:
    """Write the language's index from the one at the site's root; `prefixes` are the URL prefixes of
    the other languages, `languages` the content language of each page URL."""
    data = json.loads((site_dir / INDEX).read_text(encoding="utf-8"))
    prefix = "" if language == DEFAULT_LANGUAGE else f"{language}/"
    kept, held = [], {language}
    for entry in data["docs"]:
        location = entry["location"]
        page = location.split("#")[0]
        if (prefix and not location.startswith(prefix)) or (not prefix and location.startswith(tuple(prefixes))):
            continue
        content = languages.get(page, language)
        if content != language and not (language == DEFAULT_LANGUAGE and page.startswith("practices/")):
            continue
        held.add(content)
        kept.append({**entry, "location": location.removeprefix(prefix)})
    stemmers = sorted(held & LUNR_LANGUAGES, key=lambda code: code != language) or [DEFAULT_LANGUAGE]
    target = site_dir / prefix / INDEX
    target.parent.mkdir(parents=True, exist_ok=True)
    config = {**data["config"], "lang": stemmers}
    target.write_text(json.dumps({"config": config, "docs": kept}, ensure_ascii=False), encoding="utf-8")
    return target
