"""Filters on records: facet values, period and kind.

Within a facet any of the wanted values matches; across facets all must. The facets are
those of :mod:`indexer.facets`; the period keeps records that ran at some time within
[from, to] (an open end runs until today); kinds keep practices, pages or both.
"""

from dataclasses import dataclass, field

import numpy as np

from indexer.facets import FACETS, facet_values
from indexer.layout import Record

OPEN_END = 9999


@dataclass
class Filters:
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

    def apply(self, records: list[Record]) -> tuple[np.ndarray, list[list[str] | None]]:
        """A mask of the records that pass, and what each matched (None where it failed)."""
        matched = [self.matched(record) for record in records]
        return np.array([m is not None for m in matched], dtype=bool), matched
