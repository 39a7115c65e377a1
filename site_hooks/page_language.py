"""Each page's `<html lang>` follows the language it is written in.

In: a page's final HTML and the language code its front matter declares (practice
pages declare their write-up's). Out: the same HTML with that code in the `<html>`
element's `lang` attribute, so browsers, screen readers and hyphenation treat the page
as, say, Romanian while the theme itself is English.
"""

import re

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_HTML_LANG = re.compile(r'(<html\b[^>]*?\blang=")[^"]*(")')


def with_language(html: str, language: str | None) -> str:
    """`html` with its `<html lang>` set to `language`; unchanged when there is none or it is malformed."""
    if not language or not LANGUAGE_CODE.match(language):
        return html
    return _HTML_LANG.sub(lambda match: f"{match[1]}{language}{match[2]}", html, count=1)
