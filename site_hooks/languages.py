"""The language of the build in progress, and where its generated pages go.

In: the mkdocs configuration, which the i18n plugin (mkdocs-static-i18n) re-configures for
each language it builds: `theme.language` is that build's language. Out: the build's
language, the site's languages, the URL prefix of a language ("" for English, "ro/" for
Romanian), and generated pages placed under that prefix and linked to their versions in the
other languages, as the plugin links the pages it finds in docs/ (the language switcher then
keeps the reader on the same page).
"""

from dataclasses import dataclass

from mkdocs.structure.files import File, InclusionLevel

from praxis.interface import DEFAULT_LANGUAGE, site_path


def build_language(config) -> str:
    return config.theme.get("language") or DEFAULT_LANGUAGE


def site_languages(config) -> list[str]:
    """The languages the site is built in, the default first (just the build's without the plugin)."""
    plugin = config.plugins.get("i18n")
    return list(plugin.build_languages) if plugin else [build_language(config)]


def prefix(language: str) -> str:
    return site_path(language)


@dataclass(frozen=True)
class Alternate:
    """What the i18n plugin reads of a page's version in another language."""

    url: str


def generated_page(config, src_uri: str, content: str, inclusion=InclusionLevel.UNDEFINED) -> File:
    """A generated Markdown page of this build's language, with its versions in the others."""
    language = build_language(config)
    page = File.generated(config, src_uri, content=content, inclusion=inclusion)
    url = page.url
    page.dest_uri = prefix(language) + page.dest_uri
    page.url = prefix(language) + url
    page.locale = page.locale_alternate_of = language
    page.localization = None if language == DEFAULT_LANGUAGE else language
    page.norm_src_uri = src_uri
    page.alternates = {code: Alternate(prefix(code) + url) for code in site_languages(config)}
    return page


def generated_asset(config, src_uri: str, content: str) -> File:
    """A generated file (a chart, a data file) of this build's language."""
    asset = File.generated(config, src_uri, content=content)
    asset.dest_uri = prefix(build_language(config)) + asset.dest_uri
    return asset
