"""The ways to browse practices: theme, target group, method, country, language, evidence.

In: a :class:`~site_hooks.catalogue.Catalogue`. Out: :data:`FACETS`, each of which knows
its page, the values a practice or write-up has, their labels in a reader's language,
the anchor of a value on its page, and how many practices each value counts.

A practice counts once whatever its number of language versions, and is filed by its
original's metadata; under languages, by the language of each of its versions.
"""

from dataclasses import dataclass

from indexer import facets
from praxis.interface import Interface
from site_hooks.catalogue import Catalogue, WriteUp
from site_hooks.labels import Labels, language_name


@dataclass(frozen=True)
class Facet:
    """A browsing page over one of the facets of :mod:`indexer.facets`."""

    key: str
    """The page's name (browse/<key>/), and its title's key in the interface (browse.<key>)."""
    facet: facets.Facet
    noun_key: str
    """The interface's key for what a value is (browse.<noun_key>), for table headings."""
    per_version: bool = False
    """Values come from every language version, not just the original (languages)."""

    def title(self, ui: Interface) -> str:
        """ "Practices by ..." in the reader's language."""
        return ui.text(f"browse.{self.key}")

    def noun(self, ui: Interface) -> str:
        return ui.text(f"browse.{self.noun_key}")

    @property
    def vocabulary(self) -> str | None:
        return self.facet.vocabulary

    def values_of(self, write_up: WriteUp) -> list[str]:
        return self.facet.values(write_up.record)

    @property
    def src_uri(self) -> str:
        return f"browse/{self.key.replace('_', '-')}.md"

    def label(self, labels: Labels, value: str) -> str:
        if self.vocabulary:
            return labels.term(self.vocabulary, value)
        if self.key == "countries":
            return labels.country(value)
        return language_name(value)

    @staticmethod
    def anchor(value: str) -> str:
        return value.lower()

    def known_values(self, catalogue: Catalogue) -> list[str]:
        """Every value worth listing: the vocabulary's terms in order, else the values in use."""
        if self.vocabulary:
            return catalogue.taxonomy.terms(self.vocabulary)
        return sorted({value for write_up in catalogue.write_ups for value in self.values_of(write_up)})

    def members(self, catalogue: Catalogue) -> dict[str, list[list[WriteUp]]]:
        """Value to the practices (each as its write-ups, original first) filed under it."""
        filed: dict[str, list[list[WriteUp]]] = {value: [] for value in self.known_values(catalogue)}
        for practice in catalogue.practices:
            holders = practice if self.per_version else practice[:1]
            for value in dict.fromkeys(v for write_up in holders for v in self.values_of(write_up)):
                filed.setdefault(value, []).append(practice)
        return filed

    def counts(self, catalogue: Catalogue) -> dict[str, int]:
        return {value: len(practices) for value, practices in self.members(catalogue).items()}


_BY_NAME = facets.BY_NAME
THEMES = Facet("themes", _BY_NAME["themes"], "theme")
TARGET_GROUPS = Facet("target_groups", _BY_NAME["target_groups"], "target_group")
METHODS = Facet("methods", _BY_NAME["methods"], "method")
COUNTRIES = Facet("countries", _BY_NAME["countries"], "country")
LANGUAGES = Facet("languages", _BY_NAME["language"], "language", per_version=True)
EVIDENCE = Facet("evidence", _BY_NAME["evidence"], "evidence_level")

FACETS = (THEMES, TARGET_GROUPS, METHODS, COUNTRIES, LANGUAGES, EVIDENCE)
