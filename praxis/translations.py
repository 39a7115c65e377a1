"""Translated pages that have fallen behind their English source.

In: the docs directory. Out: a :class:`~indexer.corpus.Problem` for every translation
(`<page>.<lang>.md` with `translation_of` and `source_version` in its front matter) whose
English page has changed since it was translated, or that names no page, or no version.
`source_version` is the first 12 hex digits of the SHA-256 of the English file's bytes when the
translator worked from it (:func:`source_version` computes it); `praxis validate` reports these
as warnings (errors with `--strict`) and the test suite fails on them, so an edit to an English
page flags its translations until a translator updates them and the version they name.
"""

import hashlib
from pathlib import Path

from indexer import frontmatter
from indexer.corpus import Problem, markdown_files

VERSION_DIGITS = 12


def source_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:VERSION_DIGITS]


def stale_translations(docs_dir: Path) -> list[Problem]:
    problems = []
    for path in markdown_files([docs_dir]):
        try:
            source = frontmatter.split(frontmatter.decode(path.read_bytes()))
        except frontmatter.FrontMatterError:
            continue  # a page's own problems are reported where it is read
        meta = source.front_matter
        if "translation_of" not in meta:
            continue
        line = source.key_lines.get(("source_version",), source.key_lines.get(("translation_of",), 1))
        original = docs_dir / f"{meta['translation_of']}.md"
        if not original.is_file():
            problems.append(
                Problem(path, line, "translation_of", f"no page {original}; name the English page it translates")
            )
            continue
        current, recorded = source_version(original), str(meta.get("source_version", ""))
        if recorded != current:
            problems.append(
                Problem(
                    path,
                    line,
                    "source_version",
                    f"translated from version '{recorded}' of {original}, which is now '{current}': update the "
                    f"translation from the English page (git diff shows what changed), then set source_version: "
                    f"{current}",
                    "warning",
                )
            )
    return problems
