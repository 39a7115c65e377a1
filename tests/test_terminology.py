"""Query expansion through the field's terminology: the glossary, matching a query's words to its
concepts, and hybrid search scoring a record in another language by the expansion's terms."""

import pytest
import yaml

from engine.loaded import LoadedIndex
from engine.search import Query, search
from engine.terminology import GLOSSARY, default_terminology, load_terminology


def glossary() -> dict:
    return yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))


def test_every_concept_has_a_note_and_terms_in_every_language_of_the_glossary():
    raw = glossary()
    languages = raw["languages"]
    assert len(languages) == 22 and len(raw["concepts"]) >= 100
    for key, entry in raw["concepts"].items():
        assert entry["note"].strip(), key
        assert set(entry) - {"note"} == set(languages), key
        for language in languages:
            terms = entry[language]
            assert 1 <= len(terms) <= 4 and all(t.strip() for t in terms), (key, language)
            assert len({t.casefold() for t in terms}) == len(terms), (key, language)


def test_a_query_names_concepts_in_its_language_and_gets_their_terms_in_every_other():
    expansion = default_terminology().expand("Fallmanagement für Langzeitarbeitslose in der Kommune", "de")
    assert {"case-management", "long-term-unemployment"} <= set(expansion.concepts)
    assert expansion.concepts["case-management"] == "fallmanagement"
    concepts = glossary()["concepts"]
    for language in ("hu", "ro", "nl", "sk"):
        assert set(concepts["case-management"][language]) <= set(expansion.terms[language])
    assert expansion.explained()["languages"] == sorted(expansion.terms)


@pytest.mark.parametrize(
    ("text", "language", "named", "not_named"),
    [
        # inflected forms: the words differ only at their end
        ("apoio a desempregados de longa duração", "pt", "long-term-unemployment", None),
        ("mentorálás a migránsoknak", "hu", "migrants", None),
        # a match inside a longer one is left out
        ("long-term unemployment in rural areas", "en", "long-term-unemployment", "unemployment"),
        # German compounds that only begin alike are different concepts
        ("mehr Sozialwohnungen in der Stadt", "de", "social-housing", "social-enterprise"),
        # "case" is in stopwords-iso's English list, but not a function word here
        ("case management for families", "en", "case-management", None),
    ],
)
def test_matching_tolerates_endings_but_not_other_words(text, language, named, not_named):
    concepts = default_terminology().expand(text, language).concepts
    assert named in concepts
    assert not_named is None or not_named not in concepts


def test_the_taxonomy_labels_are_concepts_too():
    expansion = default_terminology().expand("Incluziunea romilor în școli", "ro")
    assert "themes:roma-inclusion" in expansion.concepts
    assert "Roma integráció" in expansion.terms["hu"]


def test_a_text_naming_no_concept_expands_to_nothing():
    expansion = default_terminology().expand("the weather was fine on Tuesday", "en")
    assert expansion.concepts == {} and expansion.terms == {}


def test_a_bad_glossary_is_refused_naming_the_file_and_the_concept(tmp_path):
    bad = tmp_path / "terminology.yml"
    bad.write_text("concepts:\n  mentoring:\n    note: a mentor\n    en: mentoring\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"terminology\.yml: concept 'mentoring'"):
        load_terminology(bad)


QUERY = "mentorálás és támogatás migránsoknak munkahelyeken"
"""Hungarian: no fixture practice is in Hungarian, and none shares a word with it as written."""


def test_the_expansion_scores_a_record_in_another_language_adds_no_match_and_says_so(hashing_index, hashing):
    index = LoadedIndex.open(hashing_index, hashing)
    assert not search(index, hashing, Query(QUERY, "keyword")).results  # its own words match nothing
    expanded = search(index, hashing, Query(QUERY, "hybrid", terminology_weight=0.5, page_size=20))
    plain = search(index, hashing, Query(QUERY, "hybrid", page_size=20))
    assert {hit["id"] for hit in expanded.results} == {hit["id"] for hit in plain.results}
    assert expanded.total == plain.total and expanded.facets == plain.facets
    assert {"mentoring", "migrants"} <= set(expanded.expansion["concepts"])
    found = next(hit for hit in expanded.results if hit["id"] == "mentoring-migrant-workers")
    assert found["explanation"]["terminology_z"] is not None and found["explanation"]["terminology_weight"] == 0.5
    passage = next(p for p in found["passages"] if "terminology" in p["matched_by"])
    highlighted = {passage["text"][start:end].lower() for start, end in passage["highlights"]}
    assert highlighted & {"mentoria", "mentor", "mentores", "migrantes", "imigrantes"}
    assert plain.expansion is None
    assert all(hit["explanation"]["terminology_z"] is None for hit in plain.results)


def test_the_expansion_raises_the_record_it_matches(hashing_index, hashing):
    index = LoadedIndex.open(hashing_index, hashing)

    def place(weight: float) -> int:
        results = search(index, hashing, Query(QUERY, "hybrid", terminology_weight=weight, page_size=50)).results
        return [hit["group_id"] for hit in results].index("mentoring-migrant-workers")

    assert place(2.0) <= place(0.0) and place(2.0) == 0
