"""Rows of a published list to "project" records, and duplicates merged into one record.

In: a row as read, its file and row number, the source's mapping and the import date.
Out: a :class:`~indexer.layout.Record` of kind "project" (title, summary as its one
chunk's text, metadata: beneficiary, programme, funds, categories, period and dates,
amounts, countries, regions, themes where a code names them, and its provenance) and the
row's problems as `file:row: column: message`. A row without a title is rejected; a
value that cannot be used is left out of the record with a warning; the rest goes on.

A project record makes no validation or evidence claims. Its id is stable: a hash of
the country, the title and the operation's code (or, without one, its beneficiary,
amount and start), so the same operation published in two files or two periods' lists is
one record with all its sources (:func:`merge`).
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from indexer.corpus import Problem
from indexer.imports import normalise
from indexer.imports.mapping import Column, SourceMapping
from indexer.language import detect
from indexer.layout import Record

MAX_TITLE = 500
CONFIDENT_DETECTION = 0.9


@dataclass
class RowContext:
    path: Path
    number: int
    mapping: SourceMapping
    imported: str
    """ISO date of the import."""


def _lookup(row: dict, key: str) -> object:
    """A row's value: the key as it stands, else a dotted path ("program.0.label"; over a list,
    "beneficiaries.label" takes every item's label)."""
    if key in row:
        return row[key]
    value: object = row
    for part in key.split("."):
        value = _step(value, part)
    return value


def _step(value: object, part: str) -> object:
    if isinstance(value, dict):
        return value.get(part)
    if isinstance(value, list):
        if part.isdigit():
            return value[int(part)] if int(part) < len(value) else None
        return [_step(item, part) for item in value]
    return None


def _flatten(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [text for item in value for text in _flatten(item)]
    return [str(value)]


class _Row:
    """One row's values, cleaned, with its problems collected as they are found."""

    def __init__(self, row: dict, context: RowContext):
        self.row, self.context, self.problems = row, context, []

    def problem(self, column: str, message: str, severity: str = "warning") -> None:
        self.problems.append(Problem(self.context.path, self.context.number, column, message, severity))

    def get(self, field: str) -> str:
        """The field's text; on one line, except the summary (line breaks in a title come from PDF conversions)."""
        text = self._text(field)
        return text if field == "summary" else " ".join(text.split("\n"))

    def _text(self, field: str) -> str:
        columns: Column | None = getattr(self.context.mapping.columns, field)
        names = [columns] if isinstance(columns, str) else columns or []
        parts = []
        for name in names:
            for value in _flatten(_lookup(self.row, name)):
                try:
                    cleaned = normalise.text(value, self.context.mapping.encoding)
                except normalise.Unusable as error:
                    self.problem(name, str(error))
                    continue
                if cleaned and cleaned not in parts:
                    parts.append(cleaned)
        return ". ".join(parts)

    def number(self, field: str) -> float | None:
        """A numeric cell as it is (spreadsheets, JSON), else None."""
        columns: Column | None = getattr(self.context.mapping.columns, field)
        for name in [columns] if isinstance(columns, str) else columns or []:
            value = _lookup(self.row, name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
        return None

    def parsed(self, field: str, parse, *args):
        value = self.number(field) if parse is normalise.amount else None
        value = self.get(field) if value is None else value
        if value in ("", None):
            return None
        try:
            return parse(value, *args)
        except normalise.Unusable as error:
            self.problem(field, str(error))
            return None


def build_project(row: dict, context: RowContext) -> tuple[Record | None, list[Problem]]:
    mapping = context.mapping
    values = _Row(row, context)
    title = values.get("title")
    if not title:
        values.problem("title", "no title: the row is left out (which column holds the operation's name?)", "error")
        return None, values.problems
    if len(title) > MAX_TITLE:
        values.problem("title", f"longer than {MAX_TITLE} characters: cut")
        title = title[:MAX_TITLE]
    summary = values.get("summary")
    country = values.parsed("country", normalise.country) or (
        normalise.country(mapping.country) if mapping.country else None
    )
    start = values.parsed("start", normalise.date, mapping.date_formats)
    end = values.parsed("end", normalise.date, mapping.date_formats, True)
    if start and end and end < start:
        values.problem("end", f"ends ({end}) before it starts ({start}): the end is left out")
        end = None
    categories = normalise.category_codes(values.get("category"))
    objectives = normalise.thematic_objectives(values.get("thematic_objective"))
    beneficiary = values.get("beneficiary")
    amount = values.parsed("amount", normalise.amount, mapping.decimal)
    source_id = values.get("source_id")
    meta = {
        "summary": summary or None,
        "beneficiary": beneficiary or None,
        "programme": values.get("programme") or mapping.programme,
        "funds": values.parsed("fund", normalise.funds, mapping.fund_names) or ([mapping.fund] if mapping.fund else []),
        "categories": categories,
        "thematic_objectives": objectives,
        "themes": normalise.themes_of(categories, objectives, mapping.period),
        "countries": [country] if country else [],
        "regions": [region] if (region := values.get("region") or mapping.region) else [],
        "nuts": [code] if (code := values.parsed("nuts", normalise.nuts)) else [],
        "period": {"start": start.year if start else None, "end": end.year if end else None},
        "start_date": start.isoformat() if start else None,
        "end_date": end.isoformat() if end else None,
        "amount": {
            "total": amount,
            "eu": values.parsed("eu_amount", normalise.amount, mapping.decimal),
            "currency": values.get("currency") or mapping.currency,
        },
        "programming_period": mapping.period,
        "provenance": [
            {
                "source": mapping.name,
                "file": context.path.name,
                "row": context.number,
                "source_id": source_id or None,
                "url": values.get("url") or _url(mapping, source_id),
                "imported": context.imported,
            }
        ],
    }
    language = _language(values, f"{title}. {summary}")
    if country is None:
        values.problem("country", "no country: set `country` in the mapping or map a country column")
    key = _identity(country, title, source_id, beneficiary, amount, meta["start_date"])
    record = Record(
        id=f"project-{(country or 'xx').lower()}-{key}",
        group_id=f"project-{(country or 'xx').lower()}-{key}",
        kind="project",
        path=str(context.path),
        title=title,
        language=language,
        detected_language=None,
        content_hash=_content_hash(title, meta),
        meta=meta,
        extra={},
        sections=[],
    )
    return record, values.problems


def exported_project(row: dict, context: RowContext) -> tuple[Record | None, list[Problem]]:
    """A project record from a Praxis export line, as it was exported (practices live in files, not imports)."""
    try:
        if row.get("kind") != "project":
            raise ValueError(f"a {row.get('kind')} is not imported: only projects are; practices live in files")
        fields = {key: value for key, value in row.items() if key != "versions"}
        return Record.from_json({**fields, "chunks": []}), []
    except (TypeError, ValueError, KeyError) as error:
        return None, [Problem(context.path, context.number, "record", str(error))]


def _url(mapping: SourceMapping, source_id: str) -> str | None:
    return mapping.url_template.format(source_id=source_id) if mapping.url_template and source_id else None


def _language(values: _Row, text: str) -> str:
    """The row's language: its column; else detected, if the mapping asks and detection is sure; else the mapping's."""
    declared = values.get("language").lower()[:2] or values.context.mapping.language or "und"
    mapping = values.context.mapping
    if mapping.detect_language:
        detected = detect(text)
        if detected and detected[1] >= CONFIDENT_DETECTION and detected[0] in (mapping.languages or [detected[0]]):
            return detected[0]
    return declared


def _identity(
    country: str | None, title: str, source_id: str, beneficiary: str, amount: float | None, start: str | None
) -> str:
    """What makes two rows one operation: the country, the title, and the operation's code where the list gives
    one; else the beneficiary, the amount and the start (two grants of one title to one beneficiary stay two)."""
    parts = [country or "", normalise.key_text(title)]
    parts += (
        [normalise.key_text(source_id)] if source_id else [normalise.key_text(beneficiary), str(amount), start or ""]
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _content_hash(title: str, meta: dict) -> str:
    described = {key: value for key, value in meta.items() if key != "provenance"}
    return hashlib.sha256(json.dumps([title, described], sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def merge(records: list[Record]) -> tuple[list[Record], int]:
    """One record per id: lists (provenance, regions, funds, ...) joined, other fields the first non-empty value.

    Returns the merged records (in first-seen order) and how many duplicates were merged.
    """
    merged: dict[str, Record] = {}
    for record in records:
        kept = merged.get(record.id)
        if kept is None:
            merged[record.id] = record
            continue
        for key, value in record.meta.items():
            if isinstance(value, list):  # provenance, countries, regions, funds ...: every source's
                known = kept.meta.get(key) or []
                kept.meta[key] = known + [item for item in value if item not in known]
            elif not kept.meta.get(key) and value:
                kept.meta[key] = value
        kept.content_hash = _content_hash(kept.title, kept.meta)
    return list(merged.values()), len(records) - len(merged)
