"""Escaping for generated pages: text from practice files must stay text.

In: plain text taken from a practice file (a title, a summary, a passage, a region) or a
URL. Out: Markdown, HTML or YAML that shows exactly that text, and nothing of its own:
no emphasis, no links, no HTML elements, no attribute lists, no new blocks.
"""

import html
import re
from urllib.parse import quote

import yaml

from site_hooks.labels import language_name

# Python-Markdown's backslash escapes, plus `|` (tables); `<`, `>` and `&` become entities.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def inline(text: str) -> str:
    """Markdown that renders `text` literally, on one line (newlines would start new blocks)."""
    one_line = " ".join(str(text).split())
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", one_line)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(text: str) -> str:
    """`text` safe inside a double-quoted HTML attribute or an HTML element."""
    return html.escape(" ".join(str(text).split()), quote=True)


def url(address: str) -> str:
    """An http(s) URL as a Markdown link target: characters that would end it are percent-encoded."""
    return quote(str(address), safe=":/?#@!$&'*+,;=%~[]")


def excerpt(text: str, limit: int = 280) -> str:
    """The start of `text`, cut at a word boundary when longer than `limit` characters."""
    one_line = " ".join(text.split())
    if len(one_line) <= limit:
        return one_line
    return one_line[:limit].rsplit(" ", 1)[0] + " …"


def front_matter(values: dict) -> str:
    """A YAML front-matter block; string values are HTML-escaped because the theme prints
    `title` and `description` into the page unescaped."""
    escaped = {key: attribute(value) if isinstance(value, str) else value for key, value in values.items()}
    return "---\n" + yaml.safe_dump(escaped, allow_unicode=True, sort_keys=False) + "---\n"


def language_badge(code: str) -> str:
    """An inline badge naming a language in that language ("Română"), its code for machines."""
    code = attribute(code)
    return f'<span class="praxis-lang" lang="{code}" data-lang="{code}">{attribute(language_name(code))}</span>'
