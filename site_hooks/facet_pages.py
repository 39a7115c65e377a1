"""The browsing pages: one per facet, and an overview.

In: the catalogue and the interface of the build's language. Out: Markdown sources keyed by
their place in the site: `browse/index.md` (each facet with its number of values, and the
coverage page) and `browse/<facet>.md`: a table of every value with its count (zero
included, so gaps show), then one section per value in use listing its practices, each with
its language versions and countries. Labels are in the reader's language; practice titles
keep their own and say so with `lang`.
"""

from praxis.interface import Interface
from site_hooks import markup
from site_hooks.catalogue import Catalogue, WriteUp
from site_hooks.facets import FACETS, Facet
from site_hooks.labels import Labels, language_name

OVERVIEW_URI = "browse/index.md"


def facet_pages(catalogue: Catalogue, ui: Interface) -> dict[str, str]:
    """Every browsing page's Markdown by its source path."""
    pages = {facet.src_uri: facet_markdown(catalogue, facet, ui) for facet in FACETS}
    pages[OVERVIEW_URI] = overview_markdown(catalogue, ui)
    return pages


def _counts(catalogue: Catalogue) -> dict[str, int]:
    return {
        "practices": len(catalogue.practices),
        "write_ups": len(catalogue.write_ups),
        "languages": len(catalogue.languages),
    }


def overview_markdown(catalogue: Catalogue, ui: Interface) -> str:
    rows = "\n".join(
        f"| [{markup.inline(facet.title(ui))}]({facet.src_uri.removeprefix('browse/')}) | "
        f"{sum(1 for count in facet.counts(catalogue).values() if count)} |"
        for facet in FACETS
    )
    title = ui.text("browse.title")
    ways_in = ui.text("browse.ways_in", coverage="coverage.md", list="../practices/index.md")
    return "\n\n".join(
        [
            markup.front_matter({"title": title}),
            f"# {markup.inline(title)}",
            ui.text("browse.summary", **_counts(catalogue)) + " " + ways_in,
            f"| {ui.text('browse.browse_by')} | {ui.text('browse.values_in_use')} |\n|---|---|\n" + rows,
        ]
    )


def facet_markdown(catalogue: Catalogue, facet: Facet, ui: Interface) -> str:
    labels = Labels(catalogue.taxonomy, ui.language)
    members = facet.members(catalogue)
    in_use = {value: practices for value, practices in members.items() if practices}
    counts = ui.text("browse.counts_versions" if facet.per_version else "browse.counts_practices")
    summary = ui.text("browse.facet_summary", practices=len(catalogue.practices), values=len(in_use)) + " " + counts
    table = "\n".join(_count_row(facet, labels, value, len(practices)) for value, practices in members.items())
    sections = [_value_section(facet, labels, value, practices, ui) for value, practices in in_use.items()]
    title = facet.title(ui)
    return "\n\n".join(
        [
            markup.front_matter({"title": title}),
            f"# {markup.inline(title)}",
            summary,
            f"| {facet.noun(ui)} | {ui.text('browse.practices')} |\n|---|---|\n{table}",
            *sections,
        ]
    )


def _count_row(facet: Facet, labels: Labels, value: str, count: int) -> str:
    label = markup.inline(facet.label(labels, value))
    return f"| [{label}](#{facet.anchor(value)}) | {count} |" if count else f"| {label} | 0 |"


def _value_section(facet: Facet, labels: Labels, value: str, practices: list[list[WriteUp]], ui: Interface) -> str:
    heading = f"## {markup.inline(facet.label(labels, value))} ({len(practices)}) {{#{facet.anchor(value)}}}"
    return heading + "\n\n" + "\n".join(_practice_item(practice, labels, ui) for practice in practices)


def _practice_item(practice: list[WriteUp], labels: Labels, ui: Interface) -> str:
    """A list item: the original's title and language, its other versions, its countries."""
    original = practice[0]
    item = (
        f"- [{markup.inline(original.title)}](../practices/{original.id}.md)"
        f"{{lang={original.language} hreflang={original.language}}} "
        f"{markup.language_badge(original.language)}"
    )
    if len(practice) > 1:
        item += f" · {markup.inline(ui.text('browse.also_in'))} " + ", ".join(
            f"[{markup.inline(language_name(w.language))}](../practices/{w.id}.md)"
            f"{{hreflang={w.language} lang={w.language}}}"
            for w in practice[1:]
        )
    if original.meta.countries:
        item += " · " + ", ".join(markup.inline(labels.country(code)) for code in original.meta.countries)
    return item
