"""The mkdocs hooks module (mkdocs.yml `hooks:`): routes mkdocs events to the site_hooks modules.

- `on_files`: reads the practices and the search index once per build, and adds the
  generated pages (practices, browsing, coverage) and files (charts, vocabulary JSON);
- `on_nav`: puts the top-level sections in reading order;
- `on_page_content`: sanitises practice pages, whose Markdown comes from contributors;
- `on_post_page`: sets `<html lang>` to the language the page declares;
- `on_serve`: `mkdocs serve` also rebuilds when practices, the taxonomy or the index change.

Paths come from Praxis's settings (`PRAXIS_PRACTICES_DIR`, `PRAXIS_INDEX_DIR`,
`PRAXIS_TAXONOMY_FILE`); relative ones are taken from mkdocs.yml's directory, as mkdocs
takes `docs_dir`.
"""

import sys
from pathlib import Path

# mkdocs loads this file by its path, outside any package, and the `mkdocs` command does not
# put the repository on sys.path: add it so the site_hooks package can be imported.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.structure.files import File, Files, InclusionLevel

from praxis.curricula.library import Library
from praxis.settings import Settings
from site_hooks import page_language, sanitise
from site_hooks.catalogue import load_catalogue
from site_hooks.coverage import coverage_files
from site_hooks.curriculum_pages import curriculum_pages
from site_hooks.facet_pages import facet_pages
from site_hooks.navigation import in_reading_order
from site_hooks.practice_pages import ALL_PRACTICES_URI, all_practices_markdown, practice_markdown
from site_hooks.similar import similar_practices
from site_hooks.vocabulary import VOCABULARY_URI, vocabulary_json

_practice_pages: set[str] = set()
"""Source paths of this build's practice pages: the pages to sanitise."""


def _settings_path(config, path: Path) -> Path:
    return Path(config.config_file_path).parent / path


def on_files(files: Files, config) -> Files:
    settings = Settings()
    catalogue = load_catalogue(
        _settings_path(config, settings.practices_dir), _settings_path(config, settings.taxonomy_file)
    )
    neighbours = similar_practices(_settings_path(config, settings.index_dir), catalogue)
    for write_up in catalogue.write_ups:
        content = practice_markdown(catalogue, write_up, neighbours.get(write_up.id, []))
        # Practices are reached from the lists and the searches, not from a navigation of hundreds.
        files.append(File.generated(config, write_up.src_uri, content=content, inclusion=InclusionLevel.NOT_IN_NAV))
    generated = {
        ALL_PRACTICES_URI: all_practices_markdown(catalogue),
        VOCABULARY_URI: vocabulary_json(catalogue),
        **facet_pages(catalogue),
        **coverage_files(catalogue),
        **curriculum_pages(
            _settings_path(config, settings.curricula_dir),
            Library.open(
                _settings_path(config, settings.practices_dir),
                Path(config.docs_dir),
                _settings_path(config, settings.taxonomy_file),
            ),
        ),
    }
    for src_uri, content in generated.items():
        files.append(File.generated(config, src_uri, content=content))
    _practice_pages.clear()
    _practice_pages.update(w.src_uri for w in catalogue.write_ups)
    return files


def on_nav(nav, config, files):
    return in_reading_order(nav)


def on_page_content(html: str, page, config, files) -> str:
    if page.file.src_uri not in _practice_pages:
        return html
    sanitise.sanitise_toc(page.toc)
    return sanitise.sanitised(html)


def on_post_page(output: str, page, config) -> str:
    return page_language.with_language(output, page.meta.get("language"))


def on_serve(server, config, builder):
    settings = Settings()
    for path in (settings.practices_dir, settings.taxonomy_file, settings.index_dir):
        if _settings_path(config, path).exists():
            server.watch(str(_settings_path(config, path)))
    return server
