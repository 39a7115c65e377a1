"""Each page says which language its content is in.

In: a page's final HTML, the build's (interface) language and the language of the page's content
(an English page shown in a Romanian build, say). Out: the same HTML with `lang` on the
`<article>` where the content's language differs from the interface's (the theme sets
`<html lang>` to the interface's), so browsers, screen readers and hyphenation treat each part
right. Navigation links to pages shown in another language carry that language too.
"""

import re

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ARTICLE = re.compile(r'<article class="md-content__inner')


def with_content_language(html: str, interface: str, content: str | None) -> str:
    """`html` whose `<article>` declares `content` when it is another language than the interface."""
    if not content or content == interface or not LANGUAGE_CODE.match(content):
        return html
    return _ARTICLE.sub(f'<article lang="{content}" class="md-content__inner', html, count=1)


def with_navigation_languages(html: str, titles: dict[str, str]) -> str:
    """`html` whose navigation links to pages shown in another language (title: its language)
    say so, as the pages themselves do."""
    for title, language in titles.items():
        # Navigation, table of contents (<span>) and the footer's previous and next (<div>).
        pattern = rf'(<(span|div) class="md-ellipsis")(>\s*{re.escape(title)}\s*</\2>)'
        html = re.sub(pattern, rf'\1 lang="{language}"\3', html)
    return html
