"""The words of the interface, one catalogue per language.

In: a language code. Out: an :class:`Interface` whose ``text("section.key", **values)`` is that
language's string with the values filled in. The catalogues are `praxis/interface/<lang>.yml`,
one per language of the taxonomy, all with the same keys (tests/test_interface.py checks it);
the site, its scripts (through :func:`scripts_catalogue`) and printed curricula read them. A
language without a catalogue gets English, so a page is never half empty.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOGUE_DIR = Path(__file__).parent
DEFAULT_LANGUAGE = "en"
SCRIPT_SECTIONS = ("search", "submission", "practice", "criterion_results")
"""The parts of the catalogue that the search and submission pages' scripts use."""


def site_path(language: str, path: str = "") -> str:
    """Where the site has a page in a language: English at the root, the others under /<lang>/
    ("ro/practices/x/")."""
    return path if language == DEFAULT_LANGUAGE else f"{language}/{path}"


def languages() -> list[str]:
    """The languages that have a catalogue, English first."""
    found = sorted(path.stem for path in CATALOGUE_DIR.glob("*.yml"))
    return [DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE)]


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every string of one language, by "section.key"."""
    path = CATALOGUE_DIR / f"{language}.yml"
    if not path.is_file():
        path = CATALOGUE_DIR / f"{DEFAULT_LANGUAGE}.yml"
    sections = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {f"{section}.{key}": str(text) for section, texts in sections.items() for key, text in texts.items()}


@dataclass(frozen=True)
class Interface:
    language: str = DEFAULT_LANGUAGE

    def text(self, key: str, **values) -> str:
        """The string for `key`, with `{name}` placeholders filled from `values`."""
        return catalogue(self.language)[key].format(**values)


def scripts_catalogue() -> dict[str, dict[str, str]]:
    """For each language, the strings the site's scripts show, by "section.key"."""
    return {
        language: {key: text for key, text in catalogue(language).items() if key.split(".")[0] in SCRIPT_SECTIONS}
        for language in languages()
    }
