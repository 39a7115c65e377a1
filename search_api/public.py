"""What a public answer may say of the server's files: a path relative to a root it publishes."""

import os
from pathlib import Path

from praxis.settings import Settings


def public_path(path: str, settings: Settings) -> str:
    """A record's file as the public may see it: relative to the parent of the practices or the
    docs root it lies under ("practices/x.md", "docs/methodology/y.md"); elsewhere (an imported
    list, a build from other roots) its name alone."""
    file = Path(os.path.abspath(path))  # no file system lookups: an export asks for every record
    for root in (Path(os.path.abspath(settings.practices_dir)), Path(os.path.abspath(settings.docs_dir))):
        if file.is_relative_to(root):
            return f"{root.name}/{file.relative_to(root).as_posix()}"
    return file.name
