"""Stand-ins for the stemmer a language lacks: character n-grams of words, and a same-stem rule.

Chunks in a language without a Snowball stemmer are indexed, beside their words, as the
n-grams of their words (:func:`word_grams`), and a query in such a language is searched by its
most selective n-grams (:func:`rarest_grams`; each store's ``search_grams``). Measured in
docs/evaluation/projects.md (sixth round). Highlights in such a language also mark a word of
the query's with another ending (:class:`QueryStems`), by the rule the terminology matches its
terms with in every language (:func:`same_stem`).
"""

from collections import defaultdict
from functools import lru_cache

from unidecode import unidecode

from indexer.stores.base import QUERY_WORD

STEMMED_LANGUAGES = frozenset({"en", "pt", "fr", "ro", "it", "el", "hu", "es", "de", "nl", "da", "fi", "sv", "no"})
"""Languages with a Snowball stemmer (tantivy's list). The others (pl, hr, sk, sl, cs, bg, ...)
are also indexed as character n-grams of their words, the stemmer's stand-in (:func:`word_grams`)."""
PREFIX_LETTERS = 6
SUFFIX_LETTERS = 4
"""same_stem: words sharing their first PREFIX_LETTERS letters (or all of the shorter), and all
but at most SUFFIX_LETTERS letters of the longer."""
GRAM_SIZE = 4
MAX_QUERY_GRAMS = 200
"""n-grams kept from a query (the most selective), as MAX_QUERY_WORDS for words."""


def has_grams(language: str | None) -> bool:
    """True if chunks and queries in `language` are matched by character n-grams as well (a known
    language without a Snowball stemmer)."""
    return bool(language) and language not in STEMMED_LANGUAGES


def word_grams(text: str) -> list[str]:
    """The character GRAM_SIZE-grams of each word of `text`, lowercased and folded to ASCII, the
    word marked at both ends ("#zapo", "zapo", ..., "nja#"): inflected forms of a word share most
    of them ("zapošljavanje", "zapošljavanja"), where no stemmer maps them to one term. A word
    shorter than GRAM_SIZE is one gram."""
    grams = []
    for word in QUERY_WORD.findall(unidecode(text).lower()):
        marked = f"#{word}#"
        grams += [marked[i : i + GRAM_SIZE] for i in range(max(len(marked) - GRAM_SIZE + 1, 1))]
    return grams


def rarest_grams(text: str, frequency, limit: int = MAX_QUERY_GRAMS) -> list[str]:
    """The `limit` distinct n-grams of `text` that occur in fewest chunks, those that occur nowhere
    dropped; `frequency(gram)` is the number of chunks a gram occurs in."""
    counts = {gram: frequency(gram) for gram in dict.fromkeys(word_grams(text))}
    return sorted((gram for gram, count in counts.items() if count), key=lambda gram: (counts[gram], gram))[:limit]


def same_stem(a: str, b: str) -> bool:
    """Words that differ only in their last SUFFIX_LETTERS letters ("desempregados", "desemprego"),
    not words that only begin alike (German "Sozialarbeit", "Sozialwohnung")."""
    shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return shared >= min(len(a), len(b), PREFIX_LETTERS) and shared >= max(len(a), len(b)) - SUFFIX_LETTERS


class QueryStems:
    """A query's folded words, found by their beginnings: which of them a word of a text is with
    another ending (:func:`same_stem`), without comparing it to every one (a 4,000-character query
    against each passage shown). Two words of the same stem share their first min(PREFIX_LETTERS,
    their lengths) letters, so a text word's candidates are the query words keyed by one of its own
    beginnings, and, for a text word shorter than PREFIX_LETTERS, the longer query words it begins."""

    def __init__(self, text: str):
        self.by_start: dict[str, set[str]] = defaultdict(set)
        """Query words by their first PREFIX_LETTERS letters (a shorter word by itself)."""
        self.by_beginning: dict[str, set[str]] = defaultdict(set)
        """Query words by each beginning shorter than their key in by_start."""
        for word in set(QUERY_WORD.findall(unidecode(text).lower())):
            key = word[:PREFIX_LETTERS]
            self.by_start[key].add(word)
            for end in range(1, len(key)):
                self.by_beginning[word[:end]].add(word)

    def inflected(self, word: str) -> bool:
        """True if `word` is one of the query's words with another ending: "rodziny" for
        "rodzinnych", "zapošljavanje" for "zapošljavanja"."""
        folded = unidecode(word).lower()
        candidates = set().union(*(self.by_start.get(folded[:end], ()) for end in range(1, PREFIX_LETTERS + 1)))
        if len(folded) < PREFIX_LETTERS:
            candidates |= self.by_beginning.get(folded, set())
        return any(same_stem(folded, candidate) for candidate in candidates)


@lru_cache(maxsize=64)
def query_stems(query: str, language: str | None) -> QueryStems:
    """The stems of `query` for highlights in `language`: its words where the language has no
    stemmer (:func:`has_grams`), none elsewhere. Cached: the engine highlights every passage it
    shows with the same query."""
    return QueryStems(query if has_grams(language) else "")
