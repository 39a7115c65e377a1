"""The controlled vocabularies of ``taxonomy.yml`` (shipped in this package: :data:`DEFAULT_TAXONOMY`).

In: the path of the taxonomy file. Out: a :class:`Taxonomy` that answers "is this a
known term?", "what is its label in language xx?" and "which canonical section does
this heading name?".
"""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_TAXONOMY = Path(__file__).resolve().parent / "taxonomy.yml"
VOCABULARIES = ("themes", "target_groups", "methods", "evidence_levels", "validation_statuses", "criteria")


@dataclass(frozen=True)
class Taxonomy:
    """Vocabularies keyed by name, each a mapping of term key to labels by language."""

    languages: tuple[str, ...]
    vocabularies: dict[str, dict[str, dict[str, str]]]
    criterion_results: tuple[str, ...]
    sections: dict[str, dict[str, list[str]]]
    recommended_sections: tuple[str, ...]
    criteria_groups: dict[str, str] = field(default_factory=dict)
    """Criterion key to its EU Best Practice Portal group: exclusion, core or qualifier."""
    _heading_to_section: dict[str, str] = field(default_factory=dict, repr=False)

    def terms(self, vocabulary: str) -> list[str]:
        """The term keys of one vocabulary, in file order."""
        return list(self.vocabularies[vocabulary])

    def unknown_terms(self, vocabulary: str, terms: list[str]) -> str | None:
        """What is wrong with `terms` of `vocabulary` (the unknown ones and the known), or None."""
        known = self.terms(vocabulary)
        unknown = [term for term in terms if term not in known]
        if not unknown:
            return None
        return f"unknown term(s) {', '.join(map(repr, unknown))}; known {vocabulary}: {', '.join(known)}"

    def label(self, vocabulary: str, term: str, language: str = "en") -> str:
        """The term's label in `language`, falling back to English, then to the key."""
        labels = self.vocabularies.get(vocabulary, {}).get(term, {})
        return labels.get(language) or labels.get("en") or term

    def section_key(self, heading: str) -> str | None:
        """The canonical section key a heading names, in any language, or None."""
        return self._heading_to_section.get(_normalise_heading(heading))

    def validation_breaches(self, criteria: dict[str, str]) -> list[str]:
        """Why `criteria` results do not allow status `validated`, or [] when they do.

        The policy of docs/methodology/validating-practices.md: exclusion criteria are
        pass/fail, core criteria must be assessed, and a practice that widens gaps (fails
        equity) is not validated.
        """
        exclusion = [k for k, group in self.criteria_groups.items() if group == "exclusion"]
        core = [k for k, group in self.criteria_groups.items() if group == "core"]
        breaches = [
            f"exclusion criterion '{k}' is {criteria.get(k, 'not recorded')}"
            for k in exclusion
            if criteria.get(k) != "met"
        ]
        breaches += [
            f"core criterion '{k}' is not assessed" for k in core if criteria.get(k, "not-assessed") == "not-assessed"
        ]
        if criteria.get("equity") == "not-met":
            breaches.append("equity is not met")
        return breaches

    def section_label(self, key: str, language: str = "en") -> str:
        """The preferred heading for a canonical section in `language`."""
        labels = self.sections.get(key, {})
        return (labels.get(language) or labels.get("en") or [key])[0]


def _normalise_heading(heading: str) -> str:
    return " ".join(heading.casefold().replace(":", " ").split())


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check a taxonomy file; raises ValueError naming the file on a bad one."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot read the taxonomy: {error}") from error
    missing = [name for name in (*VOCABULARIES, "languages", "sections") if name not in (raw or {})]
    if missing:
        raise ValueError(f"{path}: missing vocabularies: {', '.join(missing)}")
    vocabularies = {
        name: {term: {k: v for k, v in labels.items() if k != "group"} for term, labels in raw[name].items()}
        for name in VOCABULARIES
    }
    headings = {
        _normalise_heading(alias): key
        for key, by_language in raw["sections"].items()
        for aliases in by_language.values()
        for alias in aliases
    }
    return Taxonomy(
        languages=tuple(raw["languages"]),
        vocabularies=vocabularies,
        criterion_results=tuple(raw.get("criterion_results", ())),
        sections=raw["sections"],
        recommended_sections=tuple(raw.get("recommended_sections", ())),
        criteria_groups={key: labels.get("group", "") for key, labels in raw["criteria"].items()},
        _heading_to_section=headings,
    )


@lru_cache(maxsize=8)
def cached_taxonomy(path: Path) -> Taxonomy:
    """load_taxonomy, read once per path per process."""
    return load_taxonomy(path)
