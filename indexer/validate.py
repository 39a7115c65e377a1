"""`praxis validate`: every problem in a set of practice files, at once.

In: files or directories and the taxonomy. Out: the problems, errors first per file,
sorted by file and line. Cross-file checks (duplicate ids, `translation_of` links) see
every file given, so validate a whole directory to check links.
"""

from collections.abc import Iterable
from pathlib import Path

from indexer.corpus import Problem, load_corpus, read_practices
from indexer.taxonomy import Taxonomy


def validate_paths(paths: Iterable[Path], taxonomy: Taxonomy, context_dir: Path | None = None) -> list[Problem]:
    """Validate practice files under `paths`; methodology pages are not checked here.

    Practices under `context_dir` (the repository's practices) are known to the link
    checks, so a single translation can be validated against its original.
    """
    paths = [Path(p) for p in paths]
    missing = [p for p in paths if not p.exists()]
    context = read_practices([context_dir], taxonomy)[0] if context_dir and context_dir.is_dir() else []
    _, problems = load_corpus([p for p in paths if p.exists()], None, taxonomy, context)
    problems += [Problem(p, 1, "file", "no such file or directory") for p in missing]
    return sorted(problems, key=lambda p: (str(p.path), p.line, p.severity != "error"))
