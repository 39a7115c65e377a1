"""The facets: every way to filter and count records, each defined once.

A :class:`Facet` says what values a record has for it, which vocabulary of the taxonomy
labels them, and how the API names it. The engine filters and counts with these, the API
makes its filter parameters from them, and the site browses by them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from indexer.layout import Record


@dataclass(frozen=True)
class Facet:
    name: str
    """Key in facet counts and in explanations ("themes=housing")."""
    parameter: str
    """The API's filter parameter."""
    values: Callable[[Record], list[str]]
    description: str
    vocabulary: str | None = None
    """The taxonomy vocabulary that labels the values, if any."""
    max_values: int = 50
    """How many values a filter on it may name."""


def _one(value: str | None) -> list[str]:
    return [value] if value else []


FACETS: tuple[Facet, ...] = (
    Facet("language", "lang", lambda r: [r.language], "Languages (ISO 639-1) of the versions shown", max_values=20),
    Facet("countries", "countries", lambda r: r.countries, "ISO 3166-1 alpha-2"),
    Facet("themes", "themes", lambda r: r.themes, "Themes", "themes"),
    Facet("target_groups", "target_groups", lambda r: r.target_groups, "Target groups", "target_groups"),
    Facet("methods", "methods", lambda r: r.methods, "Methods", "methods"),
    Facet(
        "evidence",
        "evidence",
        lambda r: _one(r.evidence),
        "Evidence levels: emerging, promising, good, best",
        "evidence_levels",
        max_values=10,
    ),
    Facet("status", "status", lambda r: _one(r.status), "Validation statuses", "validation_statuses", max_values=10),
)
BY_NAME = {facet.name: facet for facet in FACETS}


def facet_values(record: Record) -> dict[str, list[str]]:
    """Every facet's values for one record."""
    return {facet.name: facet.values(record) for facet in FACETS}
