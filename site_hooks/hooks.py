"""The mkdocs hooks module (mkdocs.yml `hooks:`): routes mkdocs events to the site_hooks modules.

The i18n plugin builds the site once per language (English first, at /; the others under
/<lang>/), each build with its own `theme.language`. For each build:

- `on_config`: notes the build's language, and gives the theme the keyword search's words in it;
- `on_files` (after the plugin has chosen each page's version in the build's language):
  adds the generated pages in that language (practices, browsing, coverage, curricula, the
  problem-search and submission forms) and their files (charts; the vocabulary and the
  interface's words as JSON, once); the practices, the index and the curricula are read once
  for all the languages;
- `on_nav`: puts the top-level sections in reading order and names them in the language;
- `on_page_markdown`: links the practices that methodology pages cite by id;
- `on_page_content`: sanitises practice pages, whose Markdown comes from contributors;
- `on_post_page`: marks content in another language than the interface's, and the content that
  the header's keyword search finds in the build's language;
- `on_post_build`: after the last language's build, runs Pagefind over the site (the keyword
  search's index of every language, `site_hooks/keyword_search.py`);
- `on_serve`: `mkdocs serve` also rebuilds when practices, the taxonomy or the index change.

Paths come from Praxis's settings (`PRAXIS_PRACTICES_DIR`, `PRAXIS_INDEX_DIR`,
`PRAXIS_CURRICULA_DIR`, `PRAXIS_TAXONOMY_FILE`); relative ones are taken from mkdocs.yml's
directory, as mkdocs takes `docs_dir`.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

# mkdocs loads this file by its path, outside any package, and the `mkdocs` command does not
# put the repository on sys.path: add it so the site_hooks package can be imported.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from praxis.curricula.library import Library
from praxis.curricula.model import Curriculum
from praxis.interface import DEFAULT_LANGUAGE, Interface, scripts_catalogue
from praxis.settings import Settings
from site_hooks import keyword_search, page_language, sanitise
from site_hooks.catalogue import Catalogue, load_catalogue
from site_hooks.coverage import coverage_files
from site_hooks.curriculum_pages import checked_curricula, curriculum_pages
from site_hooks.facet_pages import facet_pages
from site_hooks.forms import form_pages
from site_hooks.languages import build_language, generated_asset, generated_page, prefix
from site_hooks.navigation import in_reading_order, with_section_names
from site_hooks.practice_pages import ALL_PRACTICES_URI, all_practices_markdown, practice_markdown
from site_hooks.related import with_practice_links
from site_hooks.similar import open_index, resolved_curricula, similar_practices
from site_hooks.vocabulary import VOCABULARY_URI, vocabulary_json

INTERFACE_URI = "assets/praxis/interface.json"
AFTER_I18N = -200
"""Runs after the i18n plugin (-100) has chosen the build's files and written the merged index."""


@dataclass
class Sources:
    """What every language's build shows, read once per `mkdocs build`."""

    catalogue: Catalogue
    neighbours: dict[str, list[dict]]
    library: Library
    curricula: list[Curriculum]
    content_languages: dict[str, str]
    """Page URL to the language of its content, filled as pages are written (for the keyword search)."""


_sources: dict[int, Sources] = {}
_building: list[str] = []
"""The languages of the builds in progress: the i18n plugin runs the other languages' builds
inside the default one's `on_post_build`, and leaves `theme.language` at the last one's."""
_site_dir: list[Path] = []
"""The site's directory, as the first (default language's) build has it: the others build under it."""


def _settings_path(config, path: Path) -> Path:
    return Path(config.config_file_path).parent / path


def _read_sources(config) -> Sources:
    """The build's sources; the i18n plugin builds every language with the same config object."""
    if id(config) not in _sources:
        _sources.clear()
        settings = Settings()
        catalogue = load_catalogue(
            _settings_path(config, settings.practices_dir), _settings_path(config, settings.taxonomy_file)
        )
        library = Library.open(
            _settings_path(config, settings.practices_dir),
            Path(config.docs_dir),
            _settings_path(config, settings.taxonomy_file),
        )
        curricula = checked_curricula(_settings_path(config, settings.curricula_dir), library)
        index = open_index(_settings_path(config, settings.index_dir), catalogue)
        _sources[id(config)] = Sources(
            catalogue,
            similar_practices(index, catalogue),
            library,
            resolved_curricula(curricula, index, settings),
            {},
        )
    return _sources[id(config)]


@event_priority(AFTER_I18N)
def on_config(config):
    if not _building:
        _site_dir[:] = [Path(config.site_dir)]
    _building.append(build_language(config))
    config.extra["keyword_search"] = keyword_search.words(build_language(config))
    return config


@event_priority(AFTER_I18N)
def on_files(files: Files, config) -> Files:
    sources = _read_sources(config)
    catalogue, language = sources.catalogue, build_language(config)
    ui = Interface(language)
    for write_up in catalogue.write_ups:
        content = practice_markdown(catalogue, write_up, sources.neighbours.get(write_up.id, []), ui)
        # Practices are reached from the lists and the searches, not from a navigation of hundreds.
        files.append(generated_page(config, write_up.src_uri, content, InclusionLevel.NOT_IN_NAV))
        sources.content_languages[prefix(language) + Path(write_up.src_uri).with_suffix("").as_posix() + "/"] = (
            write_up.language
        )
    pages, charts = coverage_files(catalogue, ui)
    pages |= {
        ALL_PRACTICES_URI: all_practices_markdown(catalogue, ui),
        **facet_pages(catalogue, ui),
        **curriculum_pages(sources.curricula, sources.library, ui),
        **form_pages(catalogue, ui),
    }
    for src_uri, content in pages.items():
        files.append(generated_page(config, src_uri, content))
    for src_uri, content in charts.items():
        files.append(generated_asset(config, src_uri, content))
    if language == DEFAULT_LANGUAGE:
        files.append(File.generated(config, VOCABULARY_URI, content=vocabulary_json(catalogue)))
        scripts = json.dumps(scripts_catalogue(), ensure_ascii=False)
        files.append(File.generated(config, INTERFACE_URI, content=scripts))
    return files


_navigation: list = []
"""This build's navigation (its pages' titles are known once every page has been read, before any is written)."""
_titles_elsewhere: dict[str, dict[str, str]] = {}
"""By build language, filled from `_navigation` when the build's first page is written; emptied for each build."""


@event_priority(AFTER_I18N)
def on_nav(nav, config, files):
    _navigation[:] = [nav]
    _titles_elsewhere.clear()
    return with_section_names(in_reading_order(nav), Interface(build_language(config)))


def _headings_in_another_language(page, language: str) -> dict[str, str]:
    """A write-up's headings, in its table of contents, when it is written in another language than the site's."""
    written_in = page.meta.get("written_in")
    if not written_in or written_in == language:
        return {}
    found, items = {}, list(page.toc)
    while items:
        item = items.pop()
        found[item.title] = written_in
        items += item.children
    return found


def _other_language_titles(language: str) -> dict[str, str]:
    """Titles of this build's pages whose content is in another language (an English page in the Romanian site)."""
    if language not in _titles_elsewhere:
        pages = _navigation[0].pages if _navigation else []
        found = {page.title: getattr(page.file, "locale", language) for page in pages if page.title}
        _titles_elsewhere[language] = {title: content for title, content in found.items() if content != language}
    return _titles_elsewhere[language]


def on_page_markdown(markdown: str, page, config, files) -> str:
    if not page.file.src_uri.startswith("methodology/"):
        return markdown
    return with_practice_links(markdown, _read_sources(config).catalogue, build_language(config))


def on_page_content(html: str, page, config, files) -> str:
    if not page.file.src_uri.startswith("practices/") or page.file.src_uri == ALL_PRACTICES_URI:
        return html
    sanitise.sanitise_toc(page.toc)
    return sanitise.sanitised(html)


def on_post_page(output: str, page, config) -> str:
    language = build_language(config)
    content = getattr(page.file, "locale", language)
    sources = _read_sources(config)
    written_in = sources.content_languages.setdefault(page.url, content)
    output = page_language.with_content_language(output, language, content)
    titles = _other_language_titles(language) | _headings_in_another_language(page, language)
    output = page_language.with_navigation_languages(output, titles)
    if keyword_search.is_searched(language, written_in, page.file.src_uri):
        output = keyword_search.with_search_marker(output)
    return output


@event_priority(AFTER_I18N)
def on_post_build(config) -> None:
    _building.pop()
    if not _building:  # the default language's build, which ran the others inside it: the site is complete
        keyword_search.build_search_index(_site_dir[0])


def on_serve(server, config, builder):
    settings = Settings()
    for path in (settings.practices_dir, settings.taxonomy_file, settings.index_dir, settings.curricula_dir):
        if _settings_path(config, path).exists():
            server.watch(str(_settings_path(config, path)))
    return server
