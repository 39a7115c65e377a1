"""The coverage page: what the collection covers, as charts drawn at build time.

In: the catalogue. Out: `browse/coverage.md` and its SVG charts (by source path): practices
by theme and country (a heat map), practices by language, and practices by evidence
level. Charts are drawn with matplotlib's SVG backend, text kept as text, each with an
SVG `<title>` and `<desc>` and an alt text; the numbers behind each chart follow it in
a collapsible table for screen readers and for copying.
"""

import io
import re
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

from site_hooks import markup
from site_hooks.catalogue import Catalogue
from site_hooks.facets import COUNTRIES, EVIDENCE, LANGUAGES, THEMES
from site_hooks.labels import Labels

PAGE_URI = "browse/coverage.md"
CHARTS_DIR = "browse/charts"
COLOUR = "#3f51b5"  # the theme's indigo
NOT_RATED = "Not rated"
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

    @property
    def src_uri(self) -> str:
        return f"{CHARTS_DIR}/{self.name}.svg"


def coverage_files(catalogue: Catalogue) -> dict[str, str]:
    """The coverage page and its charts, by source path."""
    charts = _charts(catalogue) if catalogue.write_ups else []
    files = {chart.src_uri: chart.svg for chart in charts}
    files[PAGE_URI] = coverage_markdown(catalogue, charts)
    return files


def coverage_markdown(catalogue: Catalogue, charts: list[Chart]) -> str:
    parts = [
        markup.front_matter({"title": "Coverage"}),
        "# Coverage",
        f"What the collection covers: {len(catalogue.practices)} practices, {len(catalogue.write_ups)} "
        f"write-ups in {len(catalogue.languages)} languages. Gaps are where a new write-up helps most; "
        "see [submitting a practice](../contributing/submitting-a-practice.md).",
    ]
    if not charts:
        parts.append("There are no practices yet.")
    for chart in charts:
        figure = f"![{markup.inline(chart.description)}]({chart.src_uri.removeprefix('browse/')})"
        numbers = '??? info "The numbers"\n\n' + "\n".join(f"    {line}" for line in chart.table.splitlines())
        parts += [f"## {chart.title}", figure + "\n{: .praxis-chart }", numbers]
    return "\n\n".join(parts) + "\n"


def _charts(catalogue: Catalogue) -> list[Chart]:
    labels = Labels(catalogue.taxonomy)
    charts = [_themes_by_country(catalogue, labels), _by_language(catalogue, labels), _by_evidence(catalogue, labels)]
    return [chart for chart in charts if chart]


def _themes_by_country(catalogue: Catalogue, labels: Labels) -> Chart | None:
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
    title = "Practices by theme and country"
    description = (
        f"Heat map of practices by theme (rows) and country (columns); the most is {busiest[0]} "
        f"({busiest[1]}, {busiest[2]})."
    )
    table = "| Theme | " + " | ".join(countries) + " |\n|---|" + "---|" * len(countries) + "\n"
    rows = zip(theme_names, grid, strict=True)
    table += "\n".join(f"| {markup.inline(name)} | " + " | ".join(map(str, row)) + " |" for name, row in rows)
    return Chart("themes-by-country", title, description, _svg(figure, title, description), table)


def _by_language(catalogue: Catalogue, labels: Labels) -> Chart:
    counts = {LANGUAGES.label(labels, code) + f" ({code})": n for code, n in LANGUAGES.counts(catalogue).items()}
    return _bar_chart(
        "by-language", "Practices by language", "practices with a write-up in that language", counts, "Language"
    )


def _by_evidence(catalogue: Catalogue, labels: Labels) -> Chart:
    counts = {EVIDENCE.label(labels, level): n for level, n in EVIDENCE.counts(catalogue).items()}
    counts[NOT_RATED] = sum(1 for practice in catalogue.practices if not EVIDENCE.values_of(practice[0]))
    return _bar_chart("by-evidence", "Practices by evidence level", "practices", counts, "Evidence level")


def _bar_chart(name: str, title: str, unit: str, counts: dict[str, int], noun: str) -> Chart:
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
    description = f"Bar chart of {unit} by {noun.lower()}; the most is {top}, with {counts[top]}."
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
