"""Documents to JSON records and back: the format of ``documents.json`` in a build.

A record holds everything the search API and the site need about one document (metadata,
sections, chunks), and everything the next build needs to reuse it without parsing the
file again.
"""

from pathlib import Path

from indexer.chunking import Chunk
from indexer.corpus import Document
from indexer.model import PracticeMeta
from indexer.sections import Paragraph, Section


def to_record(document: Document) -> dict:
    return {
        "id": document.id,
        "group_id": document.group_id,
        "kind": document.kind,
        "path": str(document.path),
        "title": document.title,
        "language": document.language,
        "detected_language": list(document.detected_language) if document.detected_language else None,
        "content_hash": document.content_hash,
        "meta": document.meta.model_dump(mode="json", exclude_none=True) if document.meta else None,
        "extra": {key: str(value) for key, value in document.extra.items()},
        "sections": [
            {
                "heading": section.heading,
                "path": list(section.path),
                "key": section.key,
                "line_start": section.line_start,
                "line_end": section.line_end,
                "text": section.text,
            }
            for section in document.sections
        ],
        "chunks": [chunk.to_dict() for chunk in document.chunks],
    }


def from_record(record: dict) -> Document:
    """The document a record was made from, chunks included (front matter already validated)."""
    sections = [
        Section(
            s["heading"],
            tuple(s["path"]),
            s["key"],
            s["line_start"],
            s["line_end"],
            [Paragraph(s["text"], s["line_start"])] if s["text"] else [],
        )
        for s in record["sections"]
    ]
    meta = PracticeMeta.model_validate(record["meta"]) if record["meta"] else None
    detected = tuple(record["detected_language"]) if record["detected_language"] else None
    return Document(
        path=Path(record["path"]),
        kind=record["kind"],
        id=record["id"],
        title=record["title"],
        language=record["language"],
        sections=sections,
        meta=meta,
        detected_language=detected,
        content_hash=record["content_hash"],
        extra=record["extra"],
        chunks=[Chunk(**chunk) for chunk in record["chunks"]],
    )
