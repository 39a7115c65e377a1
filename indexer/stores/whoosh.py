"""A keyword store on whoosh (pure Python), with an analyser per language.

One text field per language (``text_ro``, ``text_el``, ...): stemming and stop words
where whoosh has them, light prefix stemming for languages it has no stemmer for (Greek,
Polish, ...), and accent folding everywhere, so "locuință" matches "locuinte" and
"στέγαση" matches "στεγαση". Beside them, ``text_all`` holds every chunk with the
language-neutral analyser, for what crosses languages as written: names, acronyms,
programme titles ("EFOP", "Housing First"). A query is matched against the title, its own
language's field (stemmed) and ``text_all``; when its language is unknown, against every field.
``grams`` holds the character n-grams of the chunks in languages without a Snowball stemmer
(grams.word_grams), for `search_grams`.
"""

import unicodedata
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Filter, LanguageAnalyzer, SpaceSeparatedTokenizer, StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.lang import has_stemmer, has_stopwords, stopwords_for_language
from whoosh.query import Or, Term

from indexer.stores.base import KeywordChunk, KeywordHit, KeywordStore, iso_stop_word, link_copy, rarest_words
from indexer.stores.grams import has_grams, query_stems, rarest_grams, word_grams

LANGUAGES = ("en", "pt", "fr", "ro", "it", "el", "hu", "pl", "es", "de", "nl", "da", "fi", "sv", "no")
OTHER = "other"
PREFIX_LENGTH = 6
ALL_FIELD = "text_all"
GRAMS_FIELD = "grams"
WRITER_MEMORY_MB = 256


class FoldAccents(Filter):
    """Strip diacritics in every script (whoosh's accent_map misses Greek tonos) and fold
    the Greek final sigma, so "Στεγάσεις" and "στεγασεισ" meet."""

    def __call__(self, tokens):
        for token in tokens:
            decomposed = unicodedata.normalize("NFD", token.text)
            token.text = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ς", "σ")
            yield token


class Prefix(Filter):
    """Keep the first letters of long words: a crude stemmer where none exists."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = token.text[:PREFIX_LENGTH]
            yield token


def analyzer_for(language: str):
    """The analyser of one language field."""
    folding = FoldAccents()
    if language != OTHER and has_stemmer(language):
        return LanguageAnalyzer(language) | folding
    if language == OTHER:
        return StandardAnalyzer(stoplist=None, minsize=2) | folding
    return StandardAnalyzer(stoplist=None, minsize=2) | folding | Prefix()


SNOWBALL_STOP_WORDS = {
    language: frozenset(stopwords_for_language(language)) for language in LANGUAGES if has_stopwords(language)
}


def _stop_word(word: str, language: str | None) -> bool:
    """A function word of `language`: Snowball's list (whoosh's) where there is one, else stopwords-iso's."""
    if language in SNOWBALL_STOP_WORDS:
        return word.lower() in SNOWBALL_STOP_WORDS[language]
    return iso_stop_word(word, language)


def field_for(language: str | None) -> str:
    return f"text_{language if language in LANGUAGES else OTHER}"


TEXT_FIELDS = [field_for(language) for language in (*LANGUAGES, OTHER)]


def build_schema() -> Schema:
    fields = {name: TEXT(analyzer=analyzer_for(name.removeprefix("text_"))) for name in TEXT_FIELDS}
    return Schema(
        chunk_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        title=TEXT(analyzer=analyzer_for(OTHER), field_boost=2.0),
        text_all=TEXT(analyzer=analyzer_for(OTHER)),
        grams=TEXT(analyzer=SpaceSeparatedTokenizer()),
        **fields,
    )


class WhooshStore(KeywordStore):
    """BM25F over whoosh segments in a directory; see the module docstring."""

    name = "whoosh"

    def __init__(self, directory: Path, index):
        self.directory = directory
        self._index = index
        self._writer = None

    @classmethod
    def create(cls, directory: Path) -> "WhooshStore":
        directory.mkdir(parents=True)
        return cls(directory, whoosh_index.create_in(str(directory), build_schema()))

    @classmethod
    def load(cls, directory: Path) -> "WhooshStore":
        return cls(directory, whoosh_index.open_dir(str(directory)))

    @property
    def writer(self):
        if self._writer is None:
            self._writer = self._index.writer(limitmb=WRITER_MEMORY_MB)
        return self._writer

    def add(self, chunks: Iterable[KeywordChunk]) -> None:
        for chunk in chunks:
            self.writer.add_document(
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                title=chunk.title,
                **{ALL_FIELD: chunk.text, field_for(chunk.language): chunk.text},
                **({GRAMS_FIELD: " ".join(word_grams(chunk.text))} if has_grams(chunk.language) else {}),
            )

    def remove(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            self.writer.delete_by_term("doc_id", doc_id)

    def save(self, directory: Path | None = None) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer = None
        if directory is not None and directory != self.directory:
            # Hard links: whoosh never rewrites a segment in place, so a copy costs nothing.
            link_copy(self.directory, directory)
            self.directory, self._index = directory, whoosh_index.open_dir(str(directory))

    def count(self) -> int:
        return self._index.doc_count()

    def search(
        self, text: str, language: str | None, limit: int, allowed_docs: set[str] | None = None, filters=None
    ) -> list[KeywordHit]:
        return self._best_chunks(lambda searcher: _keyword_query(searcher, text, language), limit, allowed_docs)

    def search_grams(self, text: str, limit: int, allowed_docs: set[str] | None = None, filters=None):
        def query(searcher) -> Or:
            grams = rarest_grams(text, lambda gram: searcher.doc_frequency(GRAMS_FIELD, gram))
            return Or([Term(GRAMS_FIELD, gram) for gram in grams])

        return self._best_chunks(query, limit, allowed_docs)

    def _best_chunks(self, query_of, limit: int, allowed_docs: set[str] | None) -> list[KeywordHit]:
        """The best `limit` chunks for the query `query_of(searcher)` builds, among `allowed_docs`."""
        restrict = None
        if allowed_docs is not None:
            if not allowed_docs:
                return []
            restrict = Or([Term("doc_id", doc_id) for doc_id in sorted(allowed_docs)])
        with self._index.searcher() as searcher:
            return [
                KeywordHit(hit["chunk_id"], float(hit.score))
                for hit in searcher.search(query_of(searcher), limit=limit, filter=restrict)
            ]

    def highlight(self, text: str, query: str, language: str | None) -> list[list[int]]:
        analyzer = analyzer_for(field_for(language).removeprefix("text_"))
        terms = {token.text for token in analyzer(query)}
        stems = query_stems(query, language)
        return [
            [t.startchar, t.endchar]
            for t in analyzer(text, chars=True, mode="index")
            if (t.text in terms or stems.inflected(text[t.startchar : t.endchar]))
            and not _stop_word(text[t.startchar : t.endchar], language)
        ]


def _keyword_query(searcher, text: str, language: str | None) -> Or:
    """User text as an OR of analysed terms (never parsed as query syntax).

    Fields: the title, ``text_all`` and the query language's field, or every language
    field when the language is unknown. A long description is reduced to its most selective
    words (base.rarest_words): scoring cost grows with every matching chunk, while common
    words add little to BM25.
    """
    fields = list(dict.fromkeys(["title", ALL_FIELD, *([field_for(language)] if language else TEXT_FIELDS)]))

    def analysed(word: str) -> list[tuple[str, str]]:
        return [(name, token.text) for name in fields for token in searcher.schema[name].analyzer(word)]

    chosen = rarest_words(text, analysed, lambda term: searcher.doc_frequency(*term))
    return Or([Term(name, term) for name, term in chosen])
