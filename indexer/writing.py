"""Writing practice files safely: sanitised Markdown, atomic and never overwriting.

In: front matter and section texts (from a submission or a review). Out: a Markdown file
written atomically (temp file, fsync, then a hard link that fails if the name exists, so
nothing is ever overwritten), or rewritten atomically in place by a review.
"""

import os
import re
import tempfile
import unicodedata
from pathlib import Path

import yaml

from indexer.taxonomy import Taxonomy

SECTION_ORDER = ("problem", "approach", "results", "transferability", "resources")
_SAFE_LINK = re.compile(r"(https?://|mailto:|#)", re.IGNORECASE)
_REFERENCE_TARGET = re.compile(r"^( {0,3}\[[^\[\]\n]*\]:[ \t]*\n?[ \t]*)(\S+)", re.MULTILINE)
"""A link reference definition ("[label]: target", the target perhaps on the next line)."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sanitise_markdown(text: str) -> str:
    """User Markdown with no way to raw HTML or script links.

    Every "<" is escaped (so no tag, comment or autolink survives: Markdown shows "&lt;" as
    "<"), link and image targets other than http(s), mailto and #anchors become "#" (inline
    ones and reference definitions alike; the link's text and title are kept), and control
    characters are removed. Ordinary Markdown (emphasis, lists, links) is kept.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n")).replace("<", "&lt;")
    text = _REFERENCE_TARGET.sub(lambda m: m.group(0) if _SAFE_LINK.match(m.group(2)) else f"{m.group(1)}#", text)
    return _safe_inline_targets(text).strip()


def _safe_inline_targets(text: str) -> str:
    """`text` with the target of every inline link or image ("](target" up to its title or ")") that
    is not a safe one replaced by "#". A target ends at white space or at the ")" that closes the
    link, the parentheses inside it balanced, as Markdown reads it ("javascript:alert(1)")."""
    parts, position = [], 0
    while (opening := text.find("](", position)) >= 0:
        start = opening + 2
        while start < len(text) and text[start].isspace():
            start += 1
        end, depth = start, 0
        while end < len(text) and not text[end].isspace():
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth < 0:
                break
            end += 1
        target = text[start:end]
        parts.append(text[position:start] + (target if _SAFE_LINK.match(target) else "#"))
        position = end
    return "".join(parts) + text[position:]


def render_practice(front_matter: dict, sections: dict[str, str], language: str, taxonomy: Taxonomy) -> str:
    """A practice file: YAML front matter, then one level-2 section per text, headed in `language`."""
    yaml_text = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=100)
    body = [
        f"## {taxonomy.section_label(key, language)}\n\n{sections[key].strip()}\n"
        for key in SECTION_ORDER
        if sections.get(key, "").strip()
    ]
    return f"---\n{yaml_text}---\n\n" + "\n".join(body)


def _umasked(mode: int) -> int:
    """`mode` as the process's umask leaves it (what open() would have given a new file)."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


_FILE_MODE = _umasked(0o666)


def _temp_beside(target: Path, text: str) -> Path:
    """`text` in a fsynced temp file in the target's directory (same filesystem: link/rename stay atomic)."""
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.fchmod(descriptor, _FILE_MODE)  # mkstemp's 0600 would hide the file from the site's build and server
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(name)


def write_new(target: Path, text: str) -> None:
    """Create `target` with `text` atomically; FileExistsError if it exists (nothing is overwritten)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(target, text)
    try:
        os.link(temp, target)
    finally:
        temp.unlink()


def replace(target: Path, text: str) -> None:
    """Rewrite an existing file atomically: readers see the old or the new text, never a mix."""
    temp = _temp_beside(target, text)
    try:
        os.replace(temp, target)
    except OSError:
        temp.unlink()  # a target that cannot be replaced (a directory, say) leaves no temp file behind
        raise


def slug(text: str, fallback: str = "practice") -> str:
    """An id from a text: ASCII letters and digits joined by dashes, at most 60 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-") or fallback
