"""Character n-grams of words: the keyword stores' stand-in for the stemmer a language lacks.

Chunks in a language without a Snowball stemmer are indexed, beside their words, as the
n-grams of their words (:func:`word_grams`), and a query in such a language is searched by its
most selective n-grams (:func:`rarest_grams`; each store's ``search_grams``). Measured in
docs/evaluation/projects.md (sixth round).
"""

from unidecode import unidecode

from indexer.stores.base import QUERY_WORD

STEMMED_LANGUAGES = frozenset({"en", "pt", "fr", "ro", "it", "el", "hu", "es", "de", "nl", "da", "fi", "sv", "no"})
"""Languages with a Snowball stemmer (tantivy's list). The others (pl, hr, sk, sl, cs, bg, ...)
are also indexed as character n-grams of their words, the stemmer's stand-in (:func:`word_grams`)."""
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
