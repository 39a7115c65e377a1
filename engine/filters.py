"""Filters and facet counts as array operations over every record of a loaded index.

In: the records of a build (once, when it is loaded) and, per query, a
:class:`~indexer.facets.Filters` or the records that matched. Out: a boolean mask over the
records, and facet counts. A query's cost grows with the records it names or matched, not
with the size of the corpus: every per-record Python step happens once, at load.
"""

from dataclasses import dataclass

import numpy as np

from indexer.facets import FACETS, OPEN_END, Filters
from indexer.layout import Record

MISSING_YEAR = -1


@dataclass(frozen=True)
class FacetColumn:
    """One facet's values of every record, as (record position, value code) pairs in record order."""

    values: list[str]
    """Value code to value."""
    codes: dict[str, int]
    positions: np.ndarray
    """Per pair, the record's position."""
    value_codes: np.ndarray
    """Per pair, the value's code."""
    offsets: np.ndarray
    """The pairs of the record at position p are ``offsets[p]:offsets[p + 1]``."""

    @classmethod
    def of(cls, records: list[Record], values_of) -> "FacetColumn":
        codes: dict[str, int] = {}
        value_codes, lengths = [], []
        for record in records:
            values = list(dict.fromkeys(values_of(record)))
            value_codes += [codes.setdefault(value, len(codes)) for value in values]
            lengths.append(len(values))
        lengths = np.array(lengths, dtype=np.int64)
        return cls(
            values=list(codes),
            codes=codes,
            positions=np.repeat(np.arange(len(records), dtype=np.int64), lengths),
            value_codes=np.array(value_codes, dtype=np.int64),
            offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        )

    def having(self, wanted: list[str], size: int) -> np.ndarray:
        """A mask over `size` records: those with at least one of the `wanted` values."""
        mask = np.zeros(size, dtype=bool)
        codes = [self.codes[value] for value in wanted if value in self.codes]
        mask[self.positions[np.isin(self.value_codes, codes)]] = True
        return mask

    def counts(self, positions: np.ndarray, groups: np.ndarray) -> dict[str, int]:
        """Per value, how many distinct groups have it among the records at `positions` (whose
        groups are `groups`, code for code), most first. Cost: the pairs of those records only."""
        starts, lengths = self.offsets[positions], np.diff(self.offsets)[positions]
        # The pair indices of every given record: each record's start, then +1 per further pair.
        pairs = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        keys = np.unique(np.repeat(groups, lengths) * len(self.values) + self.value_codes[pairs])
        counts = np.bincount(keys % max(len(self.values), 1), minlength=len(self.values))
        order = sorted(np.flatnonzero(counts), key=lambda code: (-counts[code], self.values[code]))
        return {self.values[code]: int(counts[code]) for code in order}


class RecordTable:
    """The filterable fields of every record, column by column; see the module docstring."""

    def __init__(self, records: list[Record]):
        self.size = len(records)
        self.kinds = np.array([record.kind for record in records], dtype=object)
        periods = [record.period for record in records]
        self.starts = np.array([MISSING_YEAR if s is None else s for s, _ in periods], dtype=np.int64)
        self.ends = np.array([OPEN_END if e in (None, "ongoing") else e for _, e in periods], dtype=np.int64)
        self.columns = {facet.name: FacetColumn.of(records, facet.values) for facet in FACETS}
        self._kind_masks: dict[tuple[str, ...], np.ndarray] = {}

    def mask(self, filters: Filters) -> np.ndarray:
        """The records that pass `filters` (the array form of `Filters.matched`)."""
        mask = self._kind_mask(tuple(sorted(filters.kinds))).copy()
        for name, wanted in filters.values.items():
            if wanted:
                mask &= self.columns[name].having(wanted, self.size)
        if filters.period_from is not None or filters.period_to is not None:
            mask &= self.starts != MISSING_YEAR
            if filters.period_to is not None:
                mask &= self.starts <= filters.period_to
            if filters.period_from is not None:
                mask &= self.ends >= filters.period_from
        return mask

    def _kind_mask(self, kinds: tuple[str, ...]) -> np.ndarray:
        # Most queries filter by kind only: keep the few masks there are.
        if kinds not in self._kind_masks:
            self._kind_masks[kinds] = np.isin(self.kinds, list(kinds))
        return self._kind_masks[kinds]

    def facet_counts(self, positions: np.ndarray, groups: np.ndarray) -> dict[str, dict[str, int]]:
        """Per facet, how many groups have each value among the records at `positions` (in the
        groups `groups`, code for code: a practice counts once per value however many of its
        language versions have it), most first."""
        return {name: column.counts(positions, groups) for name, column in self.columns.items()}
