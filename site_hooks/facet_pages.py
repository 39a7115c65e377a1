"""The browsing pages: one per facet, and an overview.

In: the catalogue. Out: Markdown sources keyed by their place in the site:
`browse/index.md` (each facet with its number of values, and the coverage page) and
`browse/<facet>.md`: a table of every value with its count (zero included, so gaps
show), then one section per value in use listing its practices, each with its language
versions and countries. Labels are English (the site's language); practice titles keep
their own language and say so with `lang`.
"""

from site_hooks import markup
from site_hooks.catalogue import Catalogue, WriteUp
from site_hooks.facets import FACETS, Facet
from site_hooks.labels import Labels, language_name

OVERVIEW_URI = "browse/index.md"


def facet_pages(catalogue: Catalogue) -> dict[str, str]:
    """Every browsing page's Markdown by its source path."""
    pages = {facet.src_uri: facet_markdown(catalogue, facet) for facet in FACETS}
    pages[OVERVIEW_URI] = overview_markdown(catalogue)
    return pages


def overview_markdown(catalogue: Catalogue) -> str:
    rows = "\n".join(
        f"| [{facet.title}]({facet.src_uri.removeprefix('browse/')}) | "
        f"{sum(1 for count in facet.counts(catalogue).values() if count)} |"
        for facet in FACETS
    )
    return "\n\n".join(
        [
            markup.front_matter({"title": "Browse practices"}),
            "# Browse practices",
            f"{len(catalogue.practices)} practices, {len(catalogue.write_ups)} write-ups in "
            f"{len(catalogue.languages)} languages. Pick a way in, see [what the collection covers](coverage.md), "
            "or read [the list of all practices](../practices/index.md).",
            "| Browse by | values in use |\n|---|---|\n" + rows,
        ]
    )


def facet_markdown(catalogue: Catalogue, facet: Facet) -> str:
    labels = Labels(catalogue.taxonomy)
    members = facet.members(catalogue)
    in_use = {value: practices for value, practices in members.items() if practices}
    unit = "practices with a write-up in that language" if facet.per_version else "practices"
    summary = (
        f"{len(catalogue.practices)} practices under {len(in_use)} {facet.noun} values. "
        f"Counts are {unit}; a practice with several values appears under each."
    )
    table = "\n".join(_count_row(facet, labels, value, len(practices)) for value, practices in members.items())
    sections = [_value_section(facet, labels, value, practices) for value, practices in in_use.items()]
    return "\n\n".join(
        [
            markup.front_matter({"title": facet.title}),
            f"# {facet.title}",
            summary,
            f"| {facet.noun.capitalize()} | Practices |\n|---|---|\n{table}",
            *sections,
        ]
    )


def _count_row(facet: Facet, labels: Labels, value: str, count: int) -> str:
    label = markup.inline(facet.label(labels, value))
    return f"| [{label}](#{facet.anchor(value)}) | {count} |" if count else f"| {label} | 0 |"


def _value_section(facet: Facet, labels: Labels, value: str, practices: list[list[WriteUp]]) -> str:
    heading = f"## {markup.inline(facet.label(labels, value))} ({len(practices)}) {{#{facet.anchor(value)}}}"
    return heading + "\n\n" + "\n".join(_practice_item(practice) for practice in practices)


def _practice_item(practice: list[WriteUp]) -> str:
    """A list item: the original's title and language, its other versions, its countries."""
    original = practice[0]
    item = (
        f"- [{markup.inline(original.title)}](../practices/{original.id}.md)"
        f"{{lang={original.language} hreflang={original.language}}} "
        f"{markup.language_badge(original.language, language_name(original.language))}"
    )
    if len(practice) > 1:
        item += " · also in " + ", ".join(
            f"[{markup.inline(language_name(w.language))}](../practices/{w.id}.md){{hreflang={w.language}}}"
            for w in practice[1:]
        )
    if original.meta.countries:
        item += " · " + ", ".join(original.meta.countries)
    return item
