"""Methodology pages cite practices by id; the site links each to the practice in the reader's language.

In: a page's Markdown, the catalogue and the reader's language. Out: the Markdown with every
practice id in backticks (`` `efop-roma-settlement-programme` ``) replaced by a link to that
practice's version in the reader's language where it has one (else its original), titled as
that version is and marked with its language. Backticked words that are no practice's id (say,
a method key) stay as they are, so the pages' sources keep the ids translators keep.
"""

import re

from indexer.model import ID_PATTERN
from site_hooks import markup
from site_hooks.catalogue import Catalogue

PRACTICE_ID = re.compile(rf"`({ID_PATTERN.strip('^$')})`")


def with_practice_links(markdown: str, catalogue: Catalogue, language: str) -> str:
    def link(match: re.Match) -> str:
        if match[1] not in catalogue.by_id:
            return match[0]
        version = catalogue.in_language(catalogue.by_id[match[1]], language)
        code = version.language
        return (
            f"[{markup.inline(version.title)}](../practices/{version.id}.md){{hreflang={code} lang={code}}} "
            f"{markup.language_badge(code)}"
        )

    return PRACTICE_ID.sub(link, markdown)
