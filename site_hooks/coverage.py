"""The coverage page: what the collection covers, as charts drawn at build time.

In: the catalogue and the interface of the build's language. Out: `browse/coverage.md` and
its SVG charts (by source path), in that language: practices by theme and country (a heat
map, kept legible on a phone by scrolling sideways, not shrinking), practices by
language, and practices by evidence level. Charts are drawn with matplotlib's SVG backend,
text kept as text, each with an SVG `<title>` and `<desc>` and an alt text; the numbers behind each chart follow it in
a collapsible table for screen readers and for copying.
"""

import io
import re
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

from praxis.interface import Interface
from site_hooks import markup
from site_hooks.catalogue import Catalogue
from site_hooks.facets import COUNTRIES, EVIDENCE, LANGUAGES, THEMES
from site_hooks.labels import Labels

PAGE_URI = "browse/coverage.md"
CHARTS_DIR = "browse/charts"
COLOUR = "#3f51b5"  # the theme's indigo
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "praxis", "font.size": 10}
"""Text stays text (searchable, sharp, in the reader's fonts); ids are stable between builds."""


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    description: str
    """One sentence: what the picture shows, and its largest values."""
    svg: str
    table: str
    """The numbers, as a Markdown table."""
    wide: bool = False
    """Too wide to shrink to a phone's width and stay legible: scrolls sideways instead."""

    @property
    def src_uri(self) -> str:
        return f"{CHARTS_DIR}/{self.name}.svg"


def coverage_files(catalogue: Catalogue, ui: Interface) -> tuple[dict[str, str], dict[str, str]]:
    """The coverage page (by source path) and its charts (by source path)."""
    charts = _charts(catalogue, ui) if catalogue.write_ups else []
    return {PAGE_URI: coverage_markdown(catalogue, charts, ui)}, {chart.src_uri: chart.svg for chart in charts}


def coverage_markdown(catalogue: Catalogue, charts: list[Chart], ui: Interface) -> str:
    title = ui.text("coverage.title")
    summary = ui.text(
        "coverage.summary",
        practices=len(catalogue.practices),
        write_ups=len(catalogue.write_ups),
        languages=len(catalogue.languages),
        submit="../contributing/submitting-a-practice.md",
    )
    parts = [markup.front_matter({"title": title}), f"# {markup.inline(title)}", summary]
    if not charts:
        parts.append(markup.inline(ui.text("coverage.empty")))
    numbers_title = markup.attribute(ui.text("coverage.numbers"))
    for chart in charts:
        figure = f"![{markup.inline(chart.description)}]({chart.src_uri.removeprefix('browse/')})"
        numbers = f'??? info "{numbers_title}"\n\n' + "\n".join(f"    {line}" for line in chart.table.splitlines())
        classes = ".praxis-chart .praxis-chart-wide" if chart.wide else ".praxis-chart"
        parts += [f"## {markup.inline(chart.title)}", figure + f"\n{{: {classes} }}", numbers]
    return "\n\n".join(parts) + "\n"


def _charts(catalogue: Catalogue, ui: Interface) -> list[Chart]:
    labels = Labels(catalogue.taxonomy, ui.language)
    charts = [
        _themes_by_country(catalogue, labels, ui),
        _by_language(catalogue, labels, ui),
        _by_evidence(catalogue, labels, ui),
    ]
    return [chart for chart in charts if chart]


def _themes_by_country(catalogue: Catalogue, labels: Labels, ui: Interface) -> Chart | None:
    """None when no practice has both a theme and a country."""
    themes = [t for t, count in THEMES.counts(catalogue).items() if count]
    countries = [c for c, count in COUNTRIES.counts(catalogue).items() if count]
    if not themes or not countries:
        return None
    grid = [[0] * len(countries) for _ in themes]
    for practice in catalogue.practices:
        meta = practice[0].meta
        for theme in meta.themes:
            for country in meta.countries:
                grid[themes.index(theme)][countries.index(country)] += 1
    theme_names = [THEMES.label(labels, t) for t in themes]
    figure = Figure(figsize=(3 + 0.45 * len(countries), 1 + 0.4 * len(themes)), layout="constrained")
    axes = figure.subplots()
    axes.imshow(grid, cmap="Blues", aspect="auto", vmin=0)
    axes.set_xticks(range(len(countries)), countries)
    axes.set_yticks(range(len(themes)), theme_names)
    axes.xaxis.tick_top()
    peak = max((max(row) for row in grid), default=0)
    for row, values in enumerate(grid):
        for column, value in enumerate(values):
            if value:
                colour = "white" if value > peak / 2 else "black"
                axes.text(column, row, str(value), ha="center", va="center", color=colour, fontsize=9)
    busiest = max(
        ((grid[r][c], theme_names[r], countries[c]) for r in range(len(themes)) for c in range(len(countries))),
        default=(0, "", ""),
    )
    title = ui.text("coverage.themes_by_country")
    description = ui.text(
        "coverage.themes_by_country_description", count=busiest[0], theme=busiest[1], country=busiest[2]
    )
    table = f"| {ui.text('browse.theme')} | " + " | ".join(countries) + " |\n|---|" + "---|" * len(countries) + "\n"
    rows = zip(theme_names, grid, strict=True)
    table += "\n".join(f"| {markup.inline(name)} | " + " | ".join(map(str, row)) + " |" for name, row in rows)
    return Chart("themes-by-country", title, description, _svg(figure, title, description), table, wide=True)


def _by_language(catalogue: Catalogue, labels: Labels, ui: Interface) -> Chart:
    counts = {LANGUAGES.label(labels, code) + f" ({code})": n for code, n in LANGUAGES.counts(catalogue).items()}
    return _bar_chart(
        "by-language",
        ui.text("coverage.by_language"),
        ui.text("coverage.unit_versions"),
        counts,
        ui.text("browse.language"),
        ui,
    )


def _by_evidence(catalogue: Catalogue, labels: Labels, ui: Interface) -> Chart:
    counts = {EVIDENCE.label(labels, level): n for level, n in EVIDENCE.counts(catalogue).items()}
    not_rated = sum(1 for practice in catalogue.practices if not EVIDENCE.values_of(practice[0]))
    counts[ui.text("coverage.not_rated")] = not_rated
    title, unit = ui.text("coverage.by_evidence"), ui.text("coverage.unit_practices")
    return _bar_chart("by-evidence", title, unit, counts, ui.text("browse.evidence_level"), ui)


def _bar_chart(name: str, title: str, unit: str, counts: dict[str, int], noun: str, ui: Interface) -> Chart:
    """A horizontal bar chart, bars in the given order from the top, each with its number."""
    names, values = list(counts), list(counts.values())
    figure = Figure(figsize=(6, 0.8 + 0.35 * len(names)), layout="constrained")
    axes = figure.subplots()
    bars = axes.barh(names, values, color=COLOUR)
    axes.invert_yaxis()
    axes.bar_label(bars, padding=3)
    axes.set_xlabel(unit.capitalize())
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    top = max(counts, key=counts.get)
    description = ui.text("coverage.bar_description", title=title, top=top, count=counts[top])
    table = f"| {noun} | {unit.capitalize()} |\n|---|---|\n" + "\n".join(
        f"| {markup.inline(label)} | {value} |" for label, value in counts.items()
    )
    return Chart(name, title, description, _svg(figure, title, description), table)


def _svg(figure: Figure, title: str, description: str) -> str:
    """The figure as SVG, named for assistive technology by a `<title>` and a `<desc>`."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    names = (
        f'<title id="chart-title">{markup.attribute(title)}</title>\n'
        f'<desc id="chart-desc">{markup.attribute(description)}</desc>'
    )
    return re.sub(
        r"<svg([^>]*)>",
        lambda tag: f'<svg role="img" aria-labelledby="chart-title chart-desc"{tag[1]}>\n{names}',
        buffer.getvalue(),
        count=1,
    )
