"""Open export of the index: every record with its stable id, language versions and provenance.

In: the records of a build (and which kinds to export). Out: JSON lines (one record a
line, the form `praxis import praxis FILE` reads back unchanged), CSV or Parquet (flat
columns, lists joined with "; ", provenance as JSON). Lines are produced one at a time, so
the API can stream an export of any size.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.layout import Record

FORMATS = ("jsonl", "csv", "parquet")
FLAT_COLUMNS = (
    "id", "group_id", "kind", "language", "title", "summary", "countries", "themes", "funds", "beneficiary",
    "programme", "start_date", "end_date", "amount_total", "amount_eu", "currency", "versions", "provenance",
)  # fmt: skip


def exported(record: Record, versions: list[str]) -> dict:
    """A record as exported in JSON lines: what the index holds, chunks aside, with its versions."""
    data = record.to_json()
    data.pop("chunks")
    return {**data, "versions": versions}


def flat(record: Record, versions: list[str]) -> dict:
    facts, amount = record.facts, record.facts.get("amount") or {}
    return {
        "id": record.id,
        "group_id": record.group_id,
        "kind": record.kind,
        "language": record.language,
        "title": record.title,
        "summary": record.summary,
        "countries": "; ".join(record.countries),
        "themes": "; ".join(record.themes),
        "funds": "; ".join(facts.get("funds") or []),
        "beneficiary": facts.get("beneficiary"),
        "programme": facts.get("programme"),
        "start_date": facts.get("start_date"),
        "end_date": facts.get("end_date"),
        "amount_total": amount.get("total"),
        "amount_eu": amount.get("eu"),
        "currency": amount.get("currency"),
        "versions": "; ".join(versions),
        "provenance": json.dumps(facts.get("provenance") or [], ensure_ascii=False),
    }


def jsonl_lines(records: Iterable[tuple[Record, list[str]]]) -> Iterator[str]:
    for record, versions in records:
        yield json.dumps(exported(record, versions), ensure_ascii=False) + "\n"


def csv_lines(records: Iterable[tuple[Record, list[str]]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, FLAT_COLUMNS)
    writer.writeheader()
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    for record, versions in records:
        writer.writerow(flat(record, versions))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def write_parquet(records: Iterable[tuple[Record, list[str]]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [flat(record, versions) for record, versions in records]
    pq.write_table(pa.Table.from_pylist(rows), path)
