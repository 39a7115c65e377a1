"""Sections to passages sized for embedding.

In: a parsed :class:`~indexer.corpus.Document` and a target size in characters. Out:
:class:`Chunk` objects that cut on paragraph boundaries (a paragraph longer than the
limit is cut at sentence ends, then at spaces), each carrying its section, source
lines and an embedding text prefixed with the title and heading path for context.
Every character of a section's text lands in exactly one chunk, in order.
"""

import hashlib
import re
from dataclasses import asdict, dataclass

from indexer.sections import Paragraph, Section

SEPARATOR = "\n\n"
_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+")


@dataclass
class Chunk:
    id: str
    """``<document id>#<n>``: stable while the document's text is."""
    doc_id: str
    section: str
    """Heading path joined by " › " ("" for the lead)."""
    section_key: str | None
    text: str
    line_start: int
    line_end: int
    context: str
    """Title and section, prepended to the text for embedding."""
    language: str | None = None

    @property
    def embed_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text

    @property
    def hash(self) -> str:
        """Content hash of what gets embedded: the embedding cache key."""
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        return asdict(self)


def split_long(text: str, limit: int) -> list[str]:
    """Cut text longer than `limit` at sentence ends, else at spaces, else anywhere.

    The pieces concatenate back to exactly `text`.
    """
    if len(text) <= limit:
        return [text]
    pieces, start = [], 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cuts = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() >= limit // 3]
        if not cuts:
            cuts = [m.end() for m in re.finditer(r"\s+", window) if m.end() >= limit // 3]
        cut = cuts[-1] if cuts else limit
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


@dataclass(frozen=True)
class _Piece:
    text: str
    line: int
    continues: bool
    """True when this piece continues the previous piece's paragraph (no separator)."""


def _pieces(paragraphs: list[Paragraph], limit: int) -> list[_Piece]:
    return [
        _Piece(piece, paragraph.line, index > 0)
        for paragraph in paragraphs
        for index, piece in enumerate(split_long(paragraph.text, limit))
    ]


def _pack(paragraphs: list[Paragraph], size: int) -> list[list[_Piece]]:
    """Group paragraphs greedily into runs of about `size` characters."""
    limit = size * 3 // 2
    groups: list[list[_Piece]] = []
    length = 0
    for piece in _pieces(paragraphs, limit):
        if groups and length + len(SEPARATOR) + len(piece.text) <= size:
            groups[-1].append(piece)
            length += len(SEPARATOR) + len(piece.text)
        else:
            groups.append([piece])
            length = len(piece.text)
    # A short tail reads badly alone: fold it into the previous run when that stays in bounds.
    if len(groups) > 1 and length < size // 2 and len(_join(groups[-2] + groups[-1])) <= limit:
        groups[-2].extend(groups.pop())
    return groups


def _join(group: list[_Piece]) -> str:
    """Pieces joined by blank lines, except pieces of one cut paragraph, which rejoin as they were."""
    return "".join(("" if i == 0 or piece.continues else SEPARATOR) + piece.text for i, piece in enumerate(group))


def chunk_sections(doc_id: str, title: str, sections: list[Section], size: int = 800) -> list[Chunk]:
    """Chunks of every section of one document, numbered in reading order."""
    chunks = []
    for section in sections:
        heading = " › ".join(section.path)
        context = f"{title} › {heading}" if heading else title
        for group in _pack(section.paragraphs, size):
            chunks.append(
                Chunk(
                    id=f"{doc_id}#{len(chunks)}",
                    doc_id=doc_id,
                    section=heading,
                    section_key=section.key,
                    text=_join(group),
                    line_start=group[0].line,
                    line_end=group[-1].line,
                    context=context,
                )
            )
    return chunks
