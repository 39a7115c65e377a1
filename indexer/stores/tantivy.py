"""A keyword store on tantivy (Rust, through its official Python bindings).

The same design as the whoosh store, on a compiled engine: one text field per language,
analysed with that language's Snowball stemmer (tantivy has Greek, which whoosh lacks;
neither has Polish) and stop words where tantivy has a list, then folded to ASCII; beside
them ``text_all`` and ``title`` with the language-neutral analyser (lowercase, folding),
for names and acronyms that cross languages as written; ``grams``, the character n-grams of
the chunks in languages without a stemmer (grams.word_grams), for `search_grams`. Scoring is
BM25 per field, summed over the fields a query searches (the title counts double).

A query is analysed here with the same analysers, and reduced to its most selective
words (fewest matching chunks), so a 300-word description costs no more than a short one;
it is never parsed as query syntax.
"""

import gc
import re
from collections.abc import Iterable
from pathlib import Path

import tantivy

from indexer.stores.base import KeywordChunk, KeywordHit, KeywordStore, iso_stop_word, link_copy, rarest_words
from indexer.stores.grams import has_grams, query_stems, rarest_grams, word_grams

STEMMERS = {
    "en": "english",
    "pt": "portuguese",
    "fr": "french",
    "ro": "romanian",
    "it": "italian",
    "el": "greek",
    "hu": "hungarian",
    "es": "spanish",
    "de": "german",
    "nl": "dutch",
    "da": "danish",
    "fi": "finnish",
    "sv": "swedish",
    "no": "norwegian",
}
STOP_WORDS = {"da", "nl", "en", "fi", "fr", "de", "hu", "it", "no", "pt", "es", "sv"}
"""Languages tantivy has a built-in stop word list for."""
OTHER = "other"
ALL_FIELD = "text_all"
GRAMS_FIELD = "grams"
TITLE_BOOST = 2.0
WRITER_HEAP_BYTES = 64_000_000
_WORD = re.compile(r"\w+")


def _analyzer(language: str) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
    if language in STOP_WORDS:
        builder = builder.filter(tantivy.Filter.stopword(STEMMERS[language]))
    if language in STEMMERS:
        builder = builder.filter(tantivy.Filter.stemmer(STEMMERS[language]))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


ANALYZERS = {language: _analyzer(language) for language in (*STEMMERS, OTHER)}


def field_for(language: str | None) -> str:
    return f"text_{language if language in STEMMERS else OTHER}"


def _tokenizer_name(field: str) -> str:
    language = field.removeprefix("text_")
    return f"praxis_{language if language in STEMMERS else OTHER}"


TEXT_FIELDS = [field_for(language) for language in (*STEMMERS, OTHER)]
SEARCHED_FIELDS = ["title", ALL_FIELD, *TEXT_FIELDS]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("doc_id", stored=False, tokenizer_name="raw")
    for name in SEARCHED_FIELDS:
        builder.add_text_field(name, tokenizer_name=_tokenizer_name(name), index_option="freq")
    builder.add_text_field(GRAMS_FIELD, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


def _open(directory: Path) -> tantivy.Index:
    index = tantivy.Index(_schema(), path=str(directory), reuse=True)
    for language, analyzer in ANALYZERS.items():
        index.register_tokenizer(f"praxis_{language}", analyzer)
    return index


class TantivyStore(KeywordStore):
    """BM25 over tantivy segments in a directory; see the module docstring."""

    name = "tantivy"

    def __init__(self, directory: Path):
        self.directory = directory
        self._index = _open(directory)
        self._writer = None

    @classmethod
    def create(cls, directory: Path) -> "TantivyStore":
        directory.mkdir(parents=True)
        return cls(directory)

    @classmethod
    def load(cls, directory: Path) -> "TantivyStore":
        if not (directory / "meta.json").is_file():
            raise FileNotFoundError(f"no tantivy index in {directory}")
        return cls(directory)

    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self._index.writer(WRITER_HEAP_BYTES, 1)
        return self._writer

    def add(self, chunks: Iterable[KeywordChunk]) -> None:
        for chunk in chunks:
            fields = {"chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "title": chunk.title}
            fields |= {ALL_FIELD: chunk.text, field_for(chunk.language): chunk.text}
            if has_grams(chunk.language):
                fields[GRAMS_FIELD] = " ".join(word_grams(chunk.text))
            self.writer.add_document(tantivy.Document(**fields))

    def remove(self, doc_ids: Iterable[str]) -> None:
        for doc_id in doc_ids:
            self.writer.delete_documents_by_term("doc_id", doc_id)

    def save(self, directory: Path | None = None) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
            gc.collect()  # the writer's lock is released when the object is freed
        self._index.reload()
        if directory is not None and directory != self.directory:
            # Segments are immutable and meta.json is replaced, never rewritten: hard links are a safe copy.
            link_copy(self.directory, directory)
            self.directory, self._index = directory, _open(directory)

    def count(self) -> int:
        return self._index.searcher().num_docs

    def search(
        self, text: str, language: str | None, limit: int, allowed_docs: set[str] | None = None, filters=None
    ) -> list[KeywordHit]:
        if allowed_docs is not None and not allowed_docs:
            return []
        searcher = self._index.searcher()
        terms = self._selective_terms(searcher, text, language)
        return self._best_chunks(searcher, terms, limit, allowed_docs)

    def search_grams(self, text: str, limit: int, allowed_docs: set[str] | None = None, filters=None):
        if allowed_docs is not None and not allowed_docs:
            return []
        searcher = self._index.searcher()
        grams = rarest_grams(text, lambda gram: searcher.doc_freq(GRAMS_FIELD, gram))
        return self._best_chunks(searcher, [(GRAMS_FIELD, gram) for gram in grams], limit, allowed_docs)

    def _best_chunks(self, searcher, terms: list[tuple[str, str]], limit: int, allowed_docs) -> list[KeywordHit]:
        """The best `limit` chunks by the summed BM25 of the (field, term) pairs `terms`."""
        if not terms:
            return []
        should = [(tantivy.Occur.Should, self._term_query(field, term)) for field, term in terms]
        query = tantivy.Query.boolean_query(should)
        if allowed_docs is not None:
            restrict = tantivy.Query.term_set_query(self._index.schema, "doc_id", sorted(allowed_docs))
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, restrict)])
        hits = searcher.search(query, limit, count=False).hits
        return [KeywordHit(searcher.doc(address)["chunk_id"][0], float(score)) for score, address in hits]

    def _term_query(self, field: str, term: str) -> tantivy.Query:
        query = tantivy.Query.term_query(self._index.schema, field, term, index_option="freq")
        return tantivy.Query.boost_query(query, TITLE_BOOST) if field == "title" else query

    def _selective_terms(self, searcher, text: str, language: str | None) -> list[tuple[str, str]]:
        """(field, term) pairs of the query's most selective words that occur (base.rarest_words)."""
        fields = list(dict.fromkeys(["title", ALL_FIELD, *([field_for(language)] if language else TEXT_FIELDS)]))
        analyzers = [(field, ANALYZERS[_tokenizer_name(field).removeprefix("praxis_")]) for field in fields]

        def analysed(word: str) -> list[tuple[str, str]]:
            return [(field, term) for field, analyzer in analyzers for term in analyzer.analyze(word)]

        return rarest_words(text, analysed, lambda pair: searcher.doc_freq(*pair))

    def highlight(self, text: str, query: str, language: str | None) -> list[list[int]]:
        # Snowball's stop words are filtered by the analyser where tantivy has a list; stopwords-iso's elsewhere.
        analyzer = ANALYZERS[_tokenizer_name(field_for(language)).removeprefix("praxis_")]
        terms = set(analyzer.analyze(query))
        stems = query_stems(query, language)
        return [
            [m.start(), m.end()]
            for m in _WORD.finditer(text)
            if (terms.intersection(analyzer.analyze(m.group())) or stems.inflected(m.group()))
            and (language in STOP_WORDS or not iso_stop_word(m.group(), language))
        ]
