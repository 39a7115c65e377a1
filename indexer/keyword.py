"""The keyword half of the index: whoosh, with an analyser per language.

In: chunks with their document's metadata. Out: a whoosh index with one text field per
language (``text_ro``, ``text_el``, ...): stemming and stop words where whoosh has them,
light prefix stemming for languages it has no stemmer for (Greek, Polish, ...), and
accent folding everywhere, so "locuință" matches "locuinte" and "στέγαση" matches
"στεγαση". Filter and facet fields are stored beside the text.

Beside them, ``text_all`` holds every chunk with the language-neutral analyser, for
what crosses languages as written: names, acronyms, programme titles ("EFOP", "Housing
First"). A query is matched against its own language's field (stemmed) and ``text_all``;
when its language is unknown, against every field.
"""

import os
import shutil
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Filter, LanguageAnalyzer, StandardAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.lang import has_stemmer
from whoosh.query import Or, Term

SCHEMA_VERSION = 2
"""Bump on any change to fields or analysers: builds made with another version are not reused."""
LANGUAGES = ("en", "pt", "fr", "ro", "it", "el", "hu", "pl", "es", "de", "nl", "da", "fi", "sv", "no")
OTHER = "other"
PREFIX_LENGTH = 6


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


def field_for(language: str | None) -> str:
    return f"text_{language if language in LANGUAGES else OTHER}"


TEXT_FIELDS = [field_for(language) for language in (*LANGUAGES, OTHER)]
ALL_FIELD = "text_all"
MAX_QUERY_TERMS = 32
"""Terms kept from a query (the most selective): a 300-word description stays fast."""


def build_schema() -> Schema:
    fields = {name: TEXT(analyzer=analyzer_for(name.removeprefix("text_"))) for name in TEXT_FIELDS}
    return Schema(
        chunk_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        group_id=ID(stored=True),
        kind=ID(stored=True),
        language=ID(stored=True),
        countries=KEYWORD(stored=True, commas=True),
        themes=KEYWORD(stored=True, commas=True),
        target_groups=KEYWORD(stored=True, commas=True),
        methods=KEYWORD(stored=True, commas=True),
        evidence=ID(stored=True),
        status=ID(stored=True),
        period_start=NUMERIC(stored=True),
        title=TEXT(analyzer=analyzer_for(OTHER), field_boost=2.0),
        text_all=TEXT(analyzer=analyzer_for(OTHER)),
        text_stored=STORED,
        **fields,
    )


def chunk_fields(chunk: dict, document: dict) -> dict:
    """The whoosh fields of one chunk of one document (both as stored in the index files)."""
    meta = document.get("meta") or {}
    language = chunk.get("language") or document["language"]
    return {
        "chunk_id": chunk["id"],
        "doc_id": document["id"],
        "group_id": document["group_id"],
        "kind": document["kind"],
        "language": document["language"],
        "countries": ",".join(meta.get("countries", [])),
        "themes": ",".join(meta.get("themes", [])),
        "target_groups": ",".join(meta.get("target_groups", [])),
        "methods": ",".join(meta.get("methods", [])),
        "evidence": (meta.get("evidence") or {}).get("level", ""),
        "status": (meta.get("validation") or {}).get("status", ""),
        "period_start": (meta.get("period") or {}).get("start") or 0,
        "title": document["title"],
        "text_stored": chunk["text"],
        ALL_FIELD: f"{chunk['context']}\n{chunk['text']}",
        field_for(language): f"{chunk['context']}\n{chunk['text']}",
    }


def write_keyword(directory: Path, rows: Iterable[dict], previous: Path | None = None, remove: Iterable[str] = ()):
    """Write a keyword index of `rows` (chunk_fields dicts) into `directory`.

    With `previous`, start from a copy of that index (hard links: whoosh never rewrites a
    segment in place), drop the chunks of documents in `remove`, and add only `rows`.
    """
    if previous is not None:
        shutil.copytree(previous, directory, copy_function=_link_or_copy)
        index = whoosh_index.open_dir(str(directory))
    else:
        directory.mkdir(parents=True)
        index = whoosh_index.create_in(str(directory), build_schema())
    writer = index.writer(limitmb=256)
    for doc_id in remove:
        writer.delete_by_term("doc_id", doc_id)
    for row in rows:
        writer.add_document(**row)
    writer.commit()


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def open_keyword(directory: Path):
    return whoosh_index.open_dir(str(directory))


def keyword_query(searcher, text: str, language: str | None, max_terms: int = MAX_QUERY_TERMS) -> Or:
    """User text as an OR of analysed terms (never parsed as query syntax).

    Fields: the title, ``text_all`` and the query language's field, or every language
    field when the language is unknown. A long description is reduced to its `max_terms`
    most selective terms (fewest matching chunks, so highest IDF): scoring cost grows with
    every matching chunk, while common terms add little to BM25.
    """
    fields = ["title", ALL_FIELD, *([field_for(language)] if language else TEXT_FIELDS)]
    candidates = {
        (name, token.text) for name in dict.fromkeys(fields) for token in searcher.schema[name].analyzer(text)
    }
    frequencies = {term: searcher.doc_frequency(*term) for term in candidates}
    present = sorted((term for term, count in frequencies.items() if count), key=lambda t: (frequencies[t], t))
    return Or([Term(name, term) for name, term in present[:max_terms]])
