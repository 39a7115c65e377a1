"""Split a Markdown file into YAML front matter and body, keeping line numbers.

In: the raw bytes of a file. Out: a :class:`SourceFile` with the parsed front matter,
the body text, the line where the body starts, and the line of every front-matter key
(so that a problem with ``validation.date`` is reported on the line that holds it).
Problems raise :class:`FrontMatterError` with the line they occur on.
"""

from dataclasses import dataclass
from typing import Any

import yaml

FENCE = "---"


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text: pydantic then checks them and names the field
    (PyYAML itself would crash on an impossible date such as 2026-02-30)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class FrontMatterError(ValueError):
    """A file that cannot be read as front matter plus Markdown."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file split into its parts."""

    front_matter: dict[str, Any]
    body: str
    body_start_line: int
    """1-based line number of the first body line in the file."""
    key_lines: dict[tuple, int]
    """Front-matter key path (e.g. ``("validation", "date")``) to its 1-based line."""

    def line_of(self, path: tuple) -> int:
        """The line of the longest known prefix of a key path (1 if none is known)."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.key_lines:
                return self.key_lines[path[:end]]
        return 1


def decode(raw: bytes) -> str:
    """UTF-8 text of a file, or FrontMatterError naming the line of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FrontMatterError(line, f"not valid UTF-8 (byte {error.start}); save the file as UTF-8") from error


def split(text: str, require: bool = True) -> SourceFile:
    """Split text into front matter and body.

    With ``require`` a file without front matter is an error; without it (methodology
    pages) such a file is all body.
    """
    if not text.strip():
        raise FrontMatterError(1, "the file is empty")
    lines = text.splitlines(keepends=True)
    if lines[0].strip() != FENCE:
        if require:
            raise FrontMatterError(1, "no front matter: the file must start with a '---' line")
        return SourceFile({}, text, 1, {})
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if closing is None:
        raise FrontMatterError(1, "front matter is not closed: add a '---' line after it")
    data, key_lines = parse_yaml("".join(lines[1:closing]), first_line=2)
    if not isinstance(data, dict):
        raise FrontMatterError(2, "front matter must be a mapping of 'key: value' lines")
    return SourceFile(data, "".join(lines[closing + 1 :]), closing + 2, key_lines)


def parse_yaml(yaml_text: str, first_line: int = 1) -> tuple[Any, dict[tuple, int]]:
    """Safe YAML (dates kept as text) and the 1-based line of every key path in it, counting
    `yaml_text`'s first line as `first_line`. Malformed YAML is a FrontMatterError with its line."""
    try:
        node = yaml.compose(yaml_text, Loader=_Loader)
        data = yaml.load(yaml_text, Loader=_Loader)  # _Loader is a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        # The context mark is where the unfinished construct starts (an unclosed "[", say);
        # the problem mark is where YAML gave up, often the end of the document.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + first_line if mark else first_line
        context = getattr(error, "context", None)
        problem = getattr(error, "problem", None) or str(error)
        raise FrontMatterError(line, f"malformed YAML: {context + ': ' if context else ''}{problem}") from error
    key_lines: dict[tuple, int] = {}
    _collect_key_lines(node, (), key_lines, offset=first_line)
    return ({} if data is None else data), key_lines


def _collect_key_lines(node: yaml.Node | None, path: tuple, out: dict[tuple, int], offset: int) -> None:
    """Record the line of every mapping key and sequence item under `node`."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_path = (*path, key_node.value)
            out[key_path] = key_node.start_mark.line + offset
            _collect_key_lines(value_node, key_path, out, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out[(*path, index)] = item.start_mark.line + offset
            _collect_key_lines(item, (*path, index), out, offset)
