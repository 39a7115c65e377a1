"""Multilingual query expansion through the field's terminology, so keywords can match across languages.

In: a query's text and language. Out: an :class:`Expansion`: the concepts the query names (with
the words that named each) and, for every language, the terms of those concepts there: a keyword
query per language. The concepts are those of ``engine/terminology.yml``, a glossary of the
social inclusion field in 22 EU languages ("case management", "esetkezelés", "managementul
cazului", "Fallmanagement" ...), and the taxonomy's themes, target groups and methods (ten
languages).

A term matches where its words occur one after another in the query, both sides folded to ASCII
lower case and short function words (stopwords-iso's of up to three letters) left out, each word
equal to the term's but for its last letters (:func:`indexer.stores.grams.same_stem`). That stands in for a stemmer, the
same for every language: most of the glossary's languages have no Snowball stemmer (pl, hr, sk,
cs, sl, lt, lv, bg ...) and their inflections differ at the end of the word.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from unidecode import unidecode

from indexer.stores.base import iso_stop_word
from indexer.stores.grams import PREFIX_LETTERS, same_stem
from indexer.taxonomy import DEFAULT_TAXONOMY, cached_taxonomy

GLOSSARY = Path(__file__).resolve().parent / "terminology.yml"
TAXONOMY_VOCABULARIES = ("themes", "target_groups", "methods")
FUNCTION_WORD_LETTERS = 3
MAX_CONCEPTS = 8
"""At most this many concepts expand one query (the first named): a 300-word description names
many, and each adds a keyword search's worth of terms in every language."""


@dataclass(frozen=True)
class Expansion:
    """What a query's expansion found: concept key -> the query's words that named it, and
    language -> the terms of those concepts in that language."""

    concepts: dict[str, str] = field(default_factory=dict)
    terms: dict[str, list[str]] = field(default_factory=dict)

    def within(self, languages: set[str]) -> "Expansion":
        """This expansion with the terms of `languages` only (those the searched records are written in)."""
        return Expansion(self.concepts, {language: t for language, t in self.terms.items() if language in languages})

    def explained(self) -> dict:
        """The expansion as a search response shows it."""
        return {"concepts": self.concepts, "languages": sorted(self.terms)}


class Terminology:
    """Concepts with their terms per language, and the matching of query words to them."""

    def __init__(self, concepts: dict[str, dict[str, list[str]]]):
        self.concepts = concepts
        self._starting: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for key, by_language in concepts.items():
            for language, terms in by_language.items():
                for term in terms:
                    words = _words(term, language)
                    if words:
                        self._starting[(language, words[0][:PREFIX_LETTERS])].append((words, key))
        self.languages = frozenset(language for by_language in concepts.values() for language in by_language)

    def expand(self, text: str, language: str | None) -> Expansion:
        """The concepts `text` names in `language` (in every language when it is unknown or not
        in the glossary), at most MAX_CONCEPTS, and their terms in every language."""
        languages = [language] if language in self.languages else sorted(self.languages)
        named: dict[str, str] = {}
        for matching in languages:
            for key, words in self._matches(_words(text, matching), matching):
                named.setdefault(key, " ".join(words))
        keys = list(named)[:MAX_CONCEPTS]
        terms: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            for term_language, concept_terms in self.concepts[key].items():
                terms[term_language].extend(concept_terms)
        return Expansion({key: named[key] for key in keys}, dict(terms))

    def _matches(self, words: tuple[str, ...], language: str) -> list[tuple[str, tuple[str, ...]]]:
        """(concept, matched words) for the terms of `language` found in `words`, in the order they
        occur; a match inside a longer one is left out ("long-term unemployment" does not also
        name "unemployment")."""
        spans = [
            (start, start + len(term_words), key)
            for start in range(len(words))
            for term_words, key in self._starting.get((language, words[start][:PREFIX_LETTERS]), ())
            if _same_words(words[start : start + len(term_words)], term_words)
        ]
        return [
            (key, words[start:end])
            for start, end, key in spans
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans)
        ]


def _same_words(found: tuple[str, ...], term: tuple[str, ...]) -> bool:
    return len(found) == len(term) and all(same_stem(a, b) for a, b in zip(found, term, strict=True))


def _words(text: str, language: str | None) -> tuple[str, ...]:
    folded = (unidecode(word).lower() for word in text.split())
    cleaned = ("".join(c for c in word if c.isalnum()) for word in folded)
    return tuple(word for word in cleaned if word and not _function_word(word, language))


def _function_word(word: str, language: str | None) -> bool:
    """A short stop word ("de", "la", "și", "the", "van", "za"): stopwords-iso's lists also hold
    content words of the field ("case", "work", "home" in English), which must not be dropped."""
    return len(word) <= FUNCTION_WORD_LETTERS and iso_stop_word(word, language)


def load_terminology(glossary: Path = GLOSSARY, taxonomy: Path = DEFAULT_TAXONOMY) -> Terminology:
    """The glossary's concepts (each with a `note` and, per language, a list of terms) and the
    taxonomy's (as "themes:housing", ...); raises ValueError naming the file and the concept when
    a concept's terms are not lists of strings."""
    raw = yaml.safe_load(glossary.read_text(encoding="utf-8")) or {}
    concepts = {}
    for key, entry in (raw.get("concepts") or {}).items():
        by_language = {language: terms for language, terms in (entry or {}).items() if language != "note"}
        if not all(
            isinstance(terms, list) and all(isinstance(t, str) for t in terms) for terms in by_language.values()
        ):
            raise ValueError(f"{glossary}: concept {key!r}: give each language a list of terms")
        concepts[key] = by_language
    vocabularies = cached_taxonomy(taxonomy).vocabularies
    for vocabulary in TAXONOMY_VOCABULARIES:
        for term, labels in vocabularies[vocabulary].items():
            concepts[f"{vocabulary}:{term}"] = {language: [label] for language, label in labels.items()}
    return Terminology(concepts)


@cache
def default_terminology() -> Terminology:
    """The built-in glossary and taxonomy, read once per process."""
    return load_terminology()
