"""The order and names of the site's top-level sections.

In: the navigation mkdocs built from the files (alphabetical, so "Browse" and
"Contributing" would come before "Methodology"). Out: the same navigation with its
top level in reading order: home, problem search, methodology, practices, browsing,
contributing, then anything else alphabetically; previous and next links follow. Sections
are named in the build's language.
Practice pages themselves are kept out of the navigation where they are generated.
"""

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from praxis.interface import Interface, catalogue

TOP_LEVEL_ORDER = ("index.md", "search.md", "methodology", "practices", "browse", "curricula", "contributing")


def _first_path_part(item) -> str:
    while isinstance(item, Section):
        item = item.children[0]
    if not isinstance(item, Page):
        return ""
    # The i18n plugin's files know their path without the language suffix (index.ro.md: index.md).
    return getattr(item.file, "norm_src_uri", item.file.src_uri).split("/")[0]


def _rank(item) -> tuple[int, str]:
    part = _first_path_part(item)
    return (TOP_LEVEL_ORDER.index(part) if part in TOP_LEVEL_ORDER else len(TOP_LEVEL_ORDER), part)


def _pages(items: list) -> list[Page]:
    found = []
    for item in items:
        if isinstance(item, Section):
            found += _pages(item.children)
        elif isinstance(item, Page):
            found.append(item)
    return found


def in_reading_order(nav: Navigation) -> Navigation:
    nav.items.sort(key=_rank)
    nav.pages = _pages(nav.items)
    bookended = [None, *nav.pages, None]
    for previous, page, following in zip(bookended, nav.pages, bookended[2:], strict=False):
        page.previous_page, page.next_page = previous, following
    return nav


def with_section_names(nav: Navigation, ui: Interface) -> Navigation:
    """Sections named in the interface's language (they are named after their folders)."""
    for item in nav.items:
        if isinstance(item, Section):
            key = f"sections.{_first_path_part(item)}"
            item.title = ui.text(key) if key in catalogue(ui.language) else item.title
    return nav
