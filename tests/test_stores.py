"""The two storage interfaces, tested the same way for every engine behind them."""

import random

import numpy as np
import pytest
from unidecode import unidecode

from indexer.stores import KeywordChunk, create_vector_store, keyword_store_class
from indexer.stores.base import MAX_QUERY_WORDS, QUERY_WORD
from indexer.stores.factory import KEYWORD_STORES, SERVER_STORES
from indexer.stores.grams import STEMMED_LANGUAGES, QueryStems, has_grams, rarest_grams, same_stem, word_grams
from indexer.stores.tantivy import STEMMERS
from tests.conftest import ROOT

CHUNKS = [
    KeywordChunk("ro#0", "ro", "ro", "Locuințe sociale", "Familiile rome primesc locuințe sociale în Cluj."),
    KeywordChunk("ro#1", "ro", "ro", "Locuințe sociale", "Mediatorii comunitari însoțesc familiile la primărie."),
    KeywordChunk("el#0", "el", "el", "Στέγαση", "Η στέγαση των μεταναστών στην Αθήνα."),
    KeywordChunk("en#0", "en", "en", "Housing First", "Homeless people move straight into houses of their own."),
    KeywordChunk("de#0", "de", "de", "Familienrat", "Der Familienrat plant mit der Familie, nicht für sie."),
    KeywordChunk("hr#0", "hr", "hr", "Zapošljavanje mladih", "Zapošljavanje mladih u Splitu uz mentora."),
]


def needs_server(request, name: str) -> None:
    """Start the session's search cluster for an engine that lives on one."""
    if name in SERVER_STORES:
        request.getfixturevalue("typesense_cluster")


@pytest.fixture(params=KEYWORD_STORES)
def keyword_store(request, tmp_path):
    needs_server(request, request.param)
    store = keyword_store_class(request.param).create(tmp_path / "keyword")
    store.add(CHUNKS)
    store.save()
    return keyword_store_class(request.param).load(tmp_path / "keyword")


def hit_ids(store, text, language=None, allowed=None) -> list[str]:
    return [hit.chunk_id for hit in store.search(text, language, 10, allowed)]


def test_saved_chunks_are_loaded_and_found_best_first(keyword_store):
    assert keyword_store.count() == len(CHUNKS)
    hits = keyword_store.search("familiile rome locuințe", "ro", 10)
    assert hits[0].chunk_id == "ro#0" and hits[0].score >= hits[-1].score > 0


def test_accents_are_folded_in_every_script(keyword_store):
    assert "ro#0" in hit_ids(keyword_store, "locuinte sociale", "ro")
    assert "el#0" in hit_ids(keyword_store, "στεγαση μεταναστων", "el")


def test_words_are_stemmed_in_their_language(keyword_store):
    assert "en#0" in hit_ids(keyword_store, "house", "en")
    assert "de#0" in hit_ids(keyword_store, "Familienrats", "de")


def test_names_match_across_languages_as_written(keyword_store):
    assert "en#0" in hit_ids(keyword_store, "Housing First", "ro")  # a Romanian query naming the programme


def test_allowed_documents_restrict_the_hits(keyword_store):
    assert set(hit_ids(keyword_store, "familiile familie", None, {"de"})) == {"de#0"}
    assert hit_ids(keyword_store, "familiile", "ro", set()) == []


def made_up_words(count: int) -> list[str]:
    """Words of nine random letters, no two within Typesense's two typos of each other."""
    rng = random.Random(7)
    return ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)) for _ in range(count)]


def notes(words: list[str]) -> list[KeywordChunk]:
    return [KeywordChunk(f"en#{i}", f"d{i}", "en", "Notes", f"A note about {word}.") for i, word in enumerate(words)]


@pytest.mark.parametrize("name", KEYWORD_STORES)
def test_a_long_description_keeps_its_most_selective_words_in_every_field(name, tmp_path, request):
    """The limit is on words, not on (field, term) pairs: a word searched in three fields counts once.
    (Typesense keeps the longest words, having no document frequencies to choose the rarest by.)"""
    needs_server(request, name)
    words = made_up_words(MAX_QUERY_WORDS + 8)
    store = keyword_store_class(name).create(tmp_path / "long")
    store.add(notes(words))
    store.save()
    assert len(store.search(" ".join(words), "en", 100)) == MAX_QUERY_WORDS


@pytest.mark.parametrize("name", KEYWORD_STORES)
def test_a_long_description_matches_chunks_with_any_of_its_words_most_first(name, tmp_path, request):
    needs_server(request, name)
    words = made_up_words(12)
    store = keyword_store_class(name).create(tmp_path / "long")
    store.add([*notes(words), KeywordChunk("en#both", "both", "en", "Notes", f"About {words[3]} and {words[5]}.")])
    store.save()
    hits = [hit.chunk_id for hit in store.search(" ".join(words), "en", 100)]
    assert hits[0] == "en#both" and len(hits) == 13 and set(hits) == {f"en#{i}" for i in range(12)} | {"en#both"}


def test_words_without_a_stemmer_match_their_inflections_by_character_grams(keyword_store):
    """Croatian has no Snowball stemmer: "zapošljavanja mladima" shares most 4-grams with
    "Zapošljavanje mladih". Chunks in stemmed languages are not in the grams at all."""
    hits = keyword_store.search_grams("zapošljavanja mladima", 10)
    assert [hit.chunk_id for hit in hits][:1] == ["hr#0"] and hits[0].score > 0
    assert keyword_store.search_grams("Familienrat Familie", 10) == []
    assert keyword_store.search_grams("zapošljavanja", 10, {"ro"}) == []
    long = " ".join(chunk.text for chunk in CHUNKS[:5]) + " Tražimo programe zapošljavanja mladih."
    assert "hr#0" in [hit.chunk_id for hit in keyword_store.search_grams(long, 10)]


def test_the_languages_matched_by_grams_are_those_without_a_snowball_stemmer():
    assert set(STEMMERS) == STEMMED_LANGUAGES
    assert has_grams("hr") and has_grams("pl") and not has_grams("nl") and not has_grams(None)


def test_highlights_in_a_language_without_a_stemmer_mark_the_querys_words_with_other_endings(keyword_store):
    text = "Asystent rodziny odwiedza dom, a praca trwa rok."
    spans = keyword_store.highlight(text, "asystentów rodzinnych prawo", "pl")
    assert {text[start:end] for start, end in spans} == {"Asystent", "rodziny"}  # not "praca" for "prawo"


def test_query_stems_find_by_beginnings_what_comparing_every_pair_finds():
    """On two Polish write-ups, one as the query: the words found through the beginnings' index
    are exactly those same_stem pairs with some query word (short words and long ones alike)."""
    query = (ROOT / "practices" / "centrum-integracji-spolecznej.md").read_text(encoding="utf-8")
    text = (ROOT / "practices" / "asystent-rodziny.md").read_text(encoding="utf-8")
    query_words, text_words = (set(QUERY_WORD.findall(unidecode(t).lower())) for t in (query, text))
    expected = {word for word in text_words if any(same_stem(word, other) for other in query_words)}
    stems = QueryStems(query)
    assert {word for word in text_words if stems.inflected(word)} == expected
    assert expected - query_words and any(len(word) < 6 for word in expected)


def test_grams_mark_word_ends_fold_accents_and_keep_the_rarest_that_occur():
    assert word_grams("Šola a") == ["#sol", "sola", "ola#", "#a#"]
    frequency = {"#sol": 5, "sola": 1, "ola#": 0, "#a#": 9}.get
    assert rarest_grams("Šola a", frequency, limit=2) == ["sola", "#sol"]


@pytest.mark.parametrize("text", ["title:x AND (", '"unclosed', "*", "OR NOT", "-", "a" * 300])
def test_user_text_is_never_parsed_as_query_syntax(keyword_store, text):
    assert isinstance(keyword_store.search(text, "en", 10), list)
    assert isinstance(keyword_store.search_grams(text, 10), list)


def test_highlights_are_spans_of_matching_words(keyword_store):
    text = CHUNKS[0].text
    spans = keyword_store.highlight(text, "locuinte rome", "ro")
    assert {text[start:end].lower() for start, end in spans} == {"rome", "locuințe"}


def test_removed_documents_are_gone_and_a_saved_copy_takes_the_changes(keyword_store, tmp_path):
    original = keyword_store.directory
    keyword_store.save(tmp_path / "copy")
    keyword_store.remove(["ro"])
    keyword_store.add([KeywordChunk("pl#0", "pl", "pl", "Asystent rodziny", "Asystent rodziny odwiedza dom.")])
    keyword_store.save()
    assert "ro#0" not in hit_ids(keyword_store, "locuințe", "ro") and hit_ids(keyword_store, "asystent", "pl")
    assert keyword_store.count() == len(CHUNKS) - 1
    before = type(keyword_store).load(original)
    assert "ro#0" in hit_ids(before, "locuințe", "ro") and before.count() == len(CHUNKS)


def unit_vectors(rows: int, dimension: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((rows, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("name", ["faiss-flat", "faiss-hnsw", "typesense"])
def test_vector_store_contract(name, tmp_path, request):
    needs_server(request, name)
    vectors = unit_vectors(500)
    store = create_vector_store(name, 32)
    store.add(np.arange(500), vectors)
    assert store.count() == 500
    scores, ids = store.search(vectors[[7, 42]], 5)
    assert ids[:, 0].tolist() == [7, 42] and scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    allowed = np.arange(100, 120)
    _, restricted = store.search(vectors[[7]], 5, allowed)
    assert set(restricted[0]) <= set(allowed)
    np.testing.assert_array_equal(store.vectors(np.array([3, 1])), vectors[[3, 1]])
    store.save(tmp_path / "dense")
    loaded = type(store).load(tmp_path / "dense")
    assert loaded.count() == 500 and loaded.kind == store.kind
    np.testing.assert_array_equal(loaded.search(vectors[:3], 5)[1], store.search(vectors[:3], 5)[1])
    loaded.remove(np.array([7]))
    assert loaded.count() == 499 and 7 not in loaded.search(vectors[[7]], 5)[1][0]
    np.testing.assert_array_equal(loaded.vectors(np.array([8])), vectors[[8]])


@pytest.mark.parametrize("name", ["faiss-flat", "faiss-hnsw"])
def test_a_search_among_few_allowed_rows_finds_their_exact_best(name):
    # An HNSW walk that may stop at only 1% of its nodes misses most of them; the store must not.
    vectors = unit_vectors(5000)
    store = create_vector_store(name, 32)
    store.add(np.arange(5000), vectors)
    allowed = np.arange(0, 5000, 100)
    queries = unit_vectors(20, seed=1)
    exact = allowed[np.argsort(-(queries @ vectors[allowed].T), axis=1)[:, :10]]
    scores, found = store.search(queries, 10, allowed)
    np.testing.assert_array_equal(found, exact)
    assert (np.diff(scores, axis=1) <= 1e-6).all()


@pytest.mark.parametrize(
    ("text", "language", "marked"),
    [
        ("Familiile și copiii nu au acte de identitate", "ro", {"Familiile", "copiii", "acte", "identitate"}),
        ("Familiile şi copiii", "ro", {"Familiile", "copiii"}),  # "şi" with a cedilla is the same word
        ("În satele noastre", "ro", {"satele"}),
        ("the case of the families", "en", {"case", "families"}),  # stopwords-iso's English list has "case"
        ("μετανάστες και πρόσφυγες", "el", {"μετανάστες", "πρόσφυγες"}),
        ("pomoc dla rodzin, które się przeprowadzają", "pl", {"pomoc", "rodzin", "przeprowadzają"}),
        ("Hilfe für die Familien und Kinder", "de", {"Hilfe", "Familien", "Kinder"}),
    ],
)
def test_highlights_mark_content_words_only(keyword_store, text, language, marked):
    if keyword_store.name == "typesense" and language == "en":
        pytest.xfail("the typesense store has no Snowball list; stopwords-iso's English one holds 'case'")
    spans = keyword_store.highlight(text, text, language)
    assert {text[start:end] for start, end in spans} == marked


def test_unknown_engines_are_clear_errors():
    with pytest.raises(ValueError, match="unknown keyword store 'lucene'"):
        keyword_store_class("lucene")
    with pytest.raises(ValueError, match="unknown vector store 'annoy'"):
        create_vector_store("annoy", 8)
