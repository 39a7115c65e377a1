"""Stand-ins for the stemmer a language lacks: character n-grams of words, and a same-stem rule.

Chunks in a language without a Snowball stemmer are indexed, beside their words, as the
n-grams of their words (:func:`word_grams`), and a query in such a language is searched by its
most selective n-grams (:func:`rarest_grams`; each store's ``search_grams``). Measured in
docs/evaluation/projects.md (sixth round). Highlights in such a language also mark a word of
the query's with another ending (:func:`inflected`), by the rule the terminology matches its
terms with in every language (:func:`same_stem`).
"""

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


def folded_words(text: str) -> set[str]:
    """The words of `text`, lowercased and folded to ASCII."""
    return set(QUERY_WORD.findall(unidecode(text).lower()))


def inflected(word: str, query_words: set[str]) -> bool:
    """True if `word` is one of the folded `query_words` with another ending (:func:`same_stem`):
    "rodziny" for "rodzinnych", "zapošljavanje" for "zapošljavanja"."""
    folded = unidecode(word).lower()
    return any(same_stem(folded, query_word) for query_word in query_words)
