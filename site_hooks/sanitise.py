"""No raw HTML from a practice reaches a page.

In: the HTML mkdocs rendered from a practice page (the site's own markup around the
write-up's body) and the page's table of contents. Out: the HTML keeping only what
Markdown and this site produce (no scripts, styles, event handlers, forms, frames or
`javascript:` links, and no id that could shadow one of the theme's own, such as
`__config`), and table-of-contents entries that are plain text and safe in an attribute.
"""

import html

import nh3
from mkdocs.structure.toc import AnchorLink, TableOfContents

TAGS = {
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code"),
    *("ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "caption"),
    *("a", "abbr", "em", "strong", "b", "i", "s", "del", "ins", "mark", "sub", "sup", "small", "q", "cite"),
    *("span", "div", "details", "summary", "img", "figure", "figcaption"),
}
ATTRIBUTES = {
    "*": {"id", "class", "lang", "title", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "details": {"open"},
}


def _drop_theme_ids(element: str, attribute: str, value: str) -> str | None:
    # The theme's scripts find their elements by ids starting with "__"; a practice must not shadow them.
    return None if attribute == "id" and value.startswith("_") else value


_CLEANER = nh3.Cleaner(
    tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_drop_theme_ids, url_schemes={"http", "https", "mailto"}
)
_TEXT_ONLY = nh3.Cleaner(tags=set())


def sanitised(fragment: str) -> str:
    """An HTML fragment with everything outside the allow-lists removed."""
    return _CLEANER.clean(fragment)


def sanitise_toc(toc: TableOfContents) -> None:
    """Make every entry's title plain text and its id safe in the theme's `href="#..."`."""

    def clean(anchors: list[AnchorLink]) -> None:
        for anchor in anchors:
            anchor.title = _TEXT_ONLY.clean(anchor.title)
            anchor.id = html.escape(anchor.id, quote=True)
            clean(anchor.children)

    clean(toc.items)
