"""The order of the site's top-level sections.

In: the navigation mkdocs built from the files (alphabetical, so "Browse" and
"Contributing" would come before "Methodology"). Out: the same navigation with its
top level in reading order: home, problem search, methodology, practices, browsing,
contributing, then anything else alphabetically; previous and next links follow.
Practice pages themselves are kept out of the navigation where they are generated.
"""

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

TOP_LEVEL_ORDER = ("index.md", "search.md", "methodology", "practices", "browse", "curricula", "contributing")


def _first_path_part(item) -> str:
    while isinstance(item, Section):
        item = item.children[0]
    return item.file.src_uri.split("/")[0] if isinstance(item, Page) else ""


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
