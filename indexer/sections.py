"""Markdown body to sections, with markdown-it-py.

In: the Markdown body of a file, the line it starts on, and the taxonomy. Out: a list
of :class:`Section`, one per heading of level 2 or 3 (plus a lead section for text
before the first heading), each with its heading path, canonical section key, plain-text
paragraphs and source line range. The level-1 heading, if any, is returned as the title.
"""

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from indexer.taxonomy import Taxonomy

_MARKDOWN = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int


@dataclass
class Section:
    heading: str
    path: tuple[str, ...]
    """Headings from the section's level-2 ancestor down to itself."""
    key: str | None
    """Canonical section key (problem, approach, ...) or None."""
    line_start: int
    line_end: int
    paragraphs: list[Paragraph] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def parse_sections(body: str, first_line: int, taxonomy: Taxonomy) -> tuple[str | None, list[Section]]:
    """Split a Markdown body into sections; returns (level-1 title or None, sections)."""
    tokens = _MARKDOWN.parse(body)
    title: str | None = None
    sections = [Section("", (), None, first_line, first_line)]
    heading_level = 0
    row: list[str] = []
    row_line = first_line
    list_depth = 0
    for index, token in enumerate(tokens):
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "tr_open":
            row, row_line = [], line
        elif token.type == "tr_close":
            sections[-1].paragraphs.append(Paragraph(" | ".join(row), row_line))
        elif token.type == "inline":
            text = _inline_text(token)
            if heading_level == 1 and title is None:
                title = text
            elif heading_level in (2, 3):
                sections.append(_new_section(sections[-1], text, heading_level, line, taxonomy))
            elif tokens[index - 1].type in ("th_open", "td_open"):
                row.append(text)
            elif text:
                sections[-1].paragraphs.append(Paragraph(("- " if list_depth else "") + text, line))
        elif token.type in ("fence", "code_block") and token.content.strip():
            sections[-1].paragraphs.append(Paragraph(token.content.strip(), line))
    last_line = first_line + max(body.count("\n") - 1, 0)
    for section, following in zip(sections, [*sections[1:], None], strict=True):
        section.line_end = following.line_start - 1 if following else last_line
    return title, [s for s in sections if s.paragraphs or s.heading]


def _new_section(previous: Section, heading: str, level: int, line: int, taxonomy: Taxonomy) -> Section:
    if level == 2:
        return Section(heading, (heading,), taxonomy.section_key(heading), line, line)
    parent_path = previous.path[:1]
    return Section(heading, (*parent_path, heading), previous.key, line, line)
