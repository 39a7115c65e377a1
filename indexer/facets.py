"""The facets: every way to filter and count records, each defined once.

A :class:`Facet` says what values a record has for it, which vocabulary of the taxonomy
labels them, and how the API names it. The engine filters and counts with these, the API
makes its filter parameters from them, and the site browses by them. :class:`Filters` is
a query's wanted values, period and kinds: what a record must satisfy, in declarative form
(storage engines that filter themselves translate it into their own filter syntax).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

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
    pattern: str | None = None
    """What each value must look like, where its values are codes rather than taxonomy terms."""


def _one(value: str | None) -> list[str]:
    return [value] if value else []


FACETS: tuple[Facet, ...] = (
    Facet(
        "language",
        "lang",
        lambda r: [r.language],
        "Languages (ISO 639-1) of the versions shown",
        max_values=20,
        pattern=r"^[a-z]{2}$",
    ),
    Facet("countries", "countries", lambda r: r.countries, "ISO 3166-1 alpha-2", pattern=r"^[A-Z]{2}$"),
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


KINDS = ("practice", "project", "page")
"""The kinds of record: curated practices, imported funded projects, methodology pages."""
DEFAULT_KINDS = ("practice", "project")
"""What a search or an export covers unless told otherwise: the methodology pages are the site's."""
OPEN_END = 9999
MISSING_YEAR = -1


def record_fields(record: Record) -> dict:
    """What a filter can ask of a record, as flat fields: its kind, every facet's values, and its
    period as years (a missing start is MISSING_YEAR, an open end OPEN_END). Storage engines that
    filter themselves store these beside each chunk."""
    start, end = record.period
    return {
        "kind": record.kind,
        **facet_values(record),
        "period_start": MISSING_YEAR if start is None else int(start),
        "period_end": OPEN_END if end in (None, "ongoing") else int(end),
    }


@dataclass
class Filters:
    """Within a facet any of the wanted values matches; across facets all must. The period keeps
    records that ran at some time within [from, to] (an open end runs until today); kinds keep
    practices, projects, pages or any of them."""

    values: dict[str, list[str]] = field(default_factory=dict)
    """Facet name to the values wanted (a missing or empty list: any)."""
    period_from: int | None = None
    period_to: int | None = None
    kinds: list[str] = field(default_factory=lambda: ["practice"])

    def matched(self, record: Record) -> list[str] | None:
        """The filters this record satisfies (for explanations), or None if one fails."""
        if record.kind not in self.kinds:
            return None
        values = facet_values(record)
        matched = []
        for facet in FACETS:
            wanted = self.values.get(facet.name)
            if not wanted:
                continue
            hits = sorted(set(wanted) & set(values[facet.name]))
            if not hits:
                return None
            matched += [f"{facet.name}={value}" for value in hits]
        if self.period_from is not None or self.period_to is not None:
            period = self._period(record)
            if period is None:
                return None
            matched.append(period)
        return matched

    def _period(self, record: Record) -> str | None:
        """ "period=START-END" if the record ran within the wanted years, else None."""
        start, end = record.period
        end = OPEN_END if end == "ongoing" or end is None else end
        if start is None or (self.period_to is not None and start > self.period_to):
            return None
        if self.period_from is not None and end < self.period_from:
            return None
        return f"period={start}-{'' if end == OPEN_END else end}"
