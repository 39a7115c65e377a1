"""The search API against a real index on each storage engine (faiss + whoosh, and a
three-node Typesense cluster): in process through the ASGI interface, and over real HTTP
(uvicorn on loopback) where the transport matters (hot reload, CORS, streamed bodies, no index)."""

import asyncio
import collections
import json
import shutil
import tempfile
import time

import httpx
import pytest

from indexer.build import build_index
from indexer.facets import KINDS
from search_api.app import HeadAsGet, create_app
from search_api.body_size import MAX_BODY_BYTES
from search_api.models import ErrorResponse
from tests.conftest import (
    FIXTURES,
    ROOT,
    TAXONOMY,
    app_settings,
    build_request,
    engine_stores,
    in_process,
    live_server,
    writable_app_settings,
)


@pytest.fixture(scope="module")
def api(engine_index, hashing):
    with in_process(create_app(app_settings(engine_index), embedder=hashing)) as client:
        yield client


def test_search_get_returns_practices_with_passages_versions_and_explanations(api, engine_index):
    body = api.get("/api/search", params={"q": "locuințe sociale pentru familii rome"}).json()
    top = body["results"][0]
    assert body["query_language"] == "ro" and body["mode"] == "hybrid"
    assert top["group_id"] == "housing-roma-families"
    assert top["versions"] and top["versions"][0]["id"] != top["id"]
    assert top["passage"] == top["passages"][0]["text"] and top["passages"][0]["section"]
    start, end = top["passages"][0]["highlights"][0]
    assert top["passage"][start:end].lower().startswith(("locuin", "famil", "rom", "social"))
    explanation = top["explanation"]
    assert explanation["dense_rank"] == 1 and explanation["keyword_rank"] == 1
    # Score fusion: the fused score is what its parts say, the keyword weight the Romanian share.
    assert explanation["fusion"] == "zscore" and 0 < explanation["query_language_share"] < 1
    assert explanation["keyword_weight"] == pytest.approx(
        app_settings(engine_index).language_share_scale * explanation["query_language_share"], abs=1e-3
    )
    terminology = explanation["terminology_weight"] * (explanation["terminology_z"] or 0.0)
    expected = explanation["dense_z"] + explanation["keyword_weight"] * explanation["keyword_z"] + terminology
    assert explanation["fused_score"] == pytest.approx(expected, abs=1e-3)


def test_an_expanded_search_says_which_concepts_it_searched_in_which_languages(engine_index, hashing):
    """With the terminology weighted, a Hungarian description scores the Portuguese practice by the
    glossary's terms, on either engine; the response names the concepts and the passage says so."""
    query = {"q": "mentorálás és támogatás migránsoknak munkahelyeken", "page_size": 20}
    with in_process(create_app(app_settings(engine_index, terminology_weight=0.5), embedder=hashing)) as client:
        body = client.get("/api/search", params=query).json()
    assert {"mentoring", "migrants"} <= set(body["expansion"]["concepts"]) and "pt" in body["expansion"]["languages"]
    found = next(hit for hit in body["results"] if hit["group_id"] == "mentoring-migrant-workers")
    assert any("terminology" in passage["matched_by"] for passage in found["passages"])
    assert found["explanation"]["terminology_weight"] == 0.5 and found["explanation"]["terminology_z"] is not None


def test_translations_are_one_result(api):
    body = api.get("/api/search", params={"q": "housing social rental flat Roma families", "page_size": 50}).json()
    groups = [hit["group_id"] for hit in body["results"]]
    assert len(groups) == len(set(groups)) == body["total"] and "housing-roma-families" in groups
    housing = body["results"][groups.index("housing-roma-families")]
    assert {housing["language"], *(v["language"] for v in housing["versions"])} == {"en", "ro"}


def test_search_post_with_a_long_description(api):
    description = "Familiile rome din așezări segregate nu au acte și așteaptă ani de zile o locuință socială. " * 30
    response = api.post("/api/search", json={"q": description, "mode": "semantic", "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert (
        body["results"][0]["group_id"] == "housing-roma-families" and body["results"][0]["explanation"]["dense_score"]
    )
    # Only what matches counts: the child-protection and employment practices do not.
    assert body["total"] == len(body["results"]) and {hit["group_id"] for hit in body["results"]} == {
        "housing-roma-families"
    }


def test_keyword_mode_only_returns_keyword_matches(api):
    body = api.get("/api/search", params={"q": "Familienrat", "mode": "keyword"}).json()
    assert [hit["id"] for hit in body["results"]] == ["kinderschutz-familienrat"]
    assert body["results"][0]["explanation"]["dense_rank"] is None


WIDE = "Familienrat families trabalhadores"
"""A query that matches each of the fixture's three practices by keywords in three languages."""


def test_unrelated_queries_match_different_practices_with_their_own_counts(api):
    housing = api.get("/api/search", params={"q": "social housing for Roma families"}).json()
    mentoring = api.get("/api/search", params={"q": "mentores nas empresas"}).json()
    assert housing["total"] >= 1 and mentoring["total"] >= 1
    assert {h["group_id"] for h in housing["results"]}.isdisjoint(h["group_id"] for h in mentoring["results"])
    assert housing["facets"]["themes"] != mentoring["facets"]["themes"]
    assert api.get("/api/search", params={"q": "xylophone quasar", "mode": "keyword"}).json()["total"] == 0


def test_filters_and_facets_over_the_whole_candidate_set(api):
    everything = api.get("/api/search", params={"q": WIDE, "page_size": 1}).json()
    assert everything["total"] == 3 and len(everything["results"]) == 1
    # counted beyond the page; a practice counts under each language it is written in (one has two)
    assert everything["facets"]["language"] == {"en": 1, "ro": 1, "de": 1, "pt": 1}
    filtered = api.get("/api/search", params={"q": WIDE, "themes": ["child-protection", "employment"]}).json()
    assert {hit["id"] for hit in filtered["results"]} == {"kinderschutz-familienrat", "mentoring-migrant-workers"}
    assert filtered["facets"]["themes"]["child-protection"] == 1
    matched = {f for hit in filtered["results"] for f in hit["explanation"]["filters_matched"]}
    assert {"themes=child-protection", "themes=employment"} <= matched
    by_language = api.get("/api/search", params={"q": "families", "lang": "ro"}).json()
    assert [hit["id"] for hit in by_language["results"]] == ["housing-roma-families-ro"]
    by_period = api.get("/api/search", params={"q": "families", "period_from": 2020}).json()
    assert [hit["group_id"] for hit in by_period["results"]] == ["housing-roma-families"]


def test_pagination_is_consistent(api):
    pages = [api.get("/api/search", params={"q": WIDE, "page": n, "page_size": 1}).json() for n in (1, 2, 3, 4)]
    ids = [page["results"][0]["group_id"] for page in pages[:3]]
    assert len(set(ids)) == 3 and pages[3]["results"] == []


def test_prefer_language_shows_that_version(api):
    body = api.get("/api/search", params={"q": "social housing", "prefer_language": "ro"}).json()
    top = body["results"][0]
    assert top["id"] == "housing-roma-families-ro" and top["versions"][0]["language"] == "en"


def test_methodology_pages_on_request(api):
    body = api.get("/api/search", params={"q": "individual development plan", "kind": "page"}).json()
    assert [hit["id"] for hit in body["results"]] == ["case-management"]


def test_practice_detail_and_list(api):
    detail = api.get("/api/practices/housing-roma-families-ro").json()
    assert detail["language"] == "ro" and detail["meta"]["translation_of"] == "housing-roma-families"
    assert [s["key"] for s in detail["sections"]] == ["problem", "approach", "results", "transferability"]
    assert detail["versions"] == [
        {"id": "housing-roma-families", "language": "en", "title": detail["versions"][0]["title"]}
    ]
    listing = api.get("/api/practices", params={"page_size": 2}).json()
    assert listing["total"] == 4 and len(listing["results"]) == 2


def test_similar_lists_translations_apart(api):
    body = api.get("/api/practices/housing-roma-families/similar", params={"k": 5}).json()
    assert [t["id"] for t in body["translations"]] == ["housing-roma-families-ro"]
    similar = [hit["group_id"] for hit in body["similar"]]
    assert "housing-roma-families" not in similar and len(similar) == 2
    assert body["similar"][0]["passage"]


def test_facets_and_health(api, hashing):
    facets = api.get("/api/facets").json()
    assert facets["language"] == {"en": 1, "ro": 1, "pt": 1, "de": 1}
    health = api.get("/api/health").json()
    assert health["status"] == "ok" and health["practices"] == 4 and health["embedder"] == hashing.info.to_dict()


def test_openapi_and_docs(api):
    schema = api.get("/api/openapi.json").json()
    assert {
        "/api/search",
        "/api/practices/{practice_id}",
        "/api/practices/{practice_id}/similar",
        "/api/facets",
        "/api/health",
    } <= set(schema["paths"])
    assert "SearchResponse" in schema["components"]["schemas"]
    assert "swagger" in api.get("/api/docs").text.lower()


def test_the_schema_lists_the_indexers_record_kinds(api):
    schema = api.get("/api/openapi.json").json()
    models = schema["components"]["schemas"]
    export = next(p for p in schema["paths"]["/api/export"]["get"]["parameters"] if p["name"] == "kind")
    enums = [models["SearchHit"]["properties"]["kind"], models["SearchRequest"]["properties"]["kind"]["items"]]
    assert [enum["enum"] for enum in [*enums, export["schema"]["items"]]] == [list(KINDS)] * 3


GET_EXAMPLES = {
    "/api/search": "/api/search?q=housing",
    "/api/practices": "/api/practices",
    "/api/practices/{practice_id}": "/api/practices/housing-roma-families",
    "/api/practices/{practice_id}/similar": "/api/practices/housing-roma-families/similar",
    "/api/projects/{project_id}": "/api/projects/project-ro-0123456789abcdef",
    "/api/export": "/api/export?format=csv",
    "/api/facets": "/api/facets",
    "/api/health": "/api/health",
    "/api/submissions/token": "/api/submissions/token",
}
"""A URL for each GET operation of the schema."""


def test_head_answers_as_get_without_a_body_on_every_get_endpoint(api):
    paths = api.get("/api/openapi.json").json()["paths"]
    assert {path for path, operations in paths.items() if "get" in operations} == set(GET_EXAMPLES)
    assert not any("head" in operations for operations in paths.values())
    for url in [*GET_EXAMPLES.values(), "/api/openapi.json", "/api/docs", "/"]:
        got, head = api.get(url), api.head(url)
        assert (head.status_code, head.headers) == (got.status_code, got.headers), url
    assert api.head("/api/submissions").status_code == 405


def test_head_as_get_sends_the_gets_status_and_headers_without_its_body():
    """At the ASGI level: HTTP clients and servers drop a HEAD answer's body themselves, so only
    here can a body that the middleware let through be seen."""
    seen, sent = [], []

    async def app(scope, receive, send):
        seen.append(scope["method"])
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
        await send({"type": "http.response.body", "body": b"hello"})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(HeadAsGet(app)({"type": "http", "method": "HEAD", "path": "/", "headers": []}, receive, send))
    assert seen == ["GET"] and sent[0]["headers"] == [(b"content-length", b"5")]
    assert [message["body"] for message in sent[1:]] == [b""]


TOKEN = "api-test-token"
WITH_TOKEN = {"Authorization": f"Bearer {TOKEN}"}
TOO_LARGE = {"content": b" " * (MAX_BODY_BYTES + 1), "headers": {"content-type": "application/json"}}
SUBMISSION = {"title": "A copy", "language": "en", "sections": {"problem": "p" * 20, "approach": "a" * 20}}
DRAFT = {"topic": "housing for Roma families", "audience": "social workers", "hours": 8, "language": "en"}
ERRORS_PROVOKED = [
    ("get", "/api/search", "/api/search", {"params": {"q": ""}}, 422),
    ("post", "/api/search", "/api/search", {"json": {"q": ""}}, 422),
    ("post", "/api/search", "/api/search", TOO_LARGE, 413),
    ("get", "/api/practices", "/api/practices", {"params": {"page": 0}}, 422),
    ("get", "/api/practices/{practice_id}", "/api/practices/no-such-practice", {}, 404),
    ("get", "/api/practices/{practice_id}", "/api/practices/Bad_Id!", {}, 422),
    ("get", "/api/practices/{practice_id}/similar", "/api/practices/no-such-practice/similar", {}, 404),
    ("get", "/api/practices/{practice_id}/similar", "/api/practices/housing-roma-families/similar?k=0", {}, 422),
    ("get", "/api/projects/{project_id}", "/api/projects/project-ro-0123456789abcdef", {}, 404),
    ("get", "/api/projects/{project_id}", "/api/projects/housing-roma-families", {}, 422),
    ("get", "/api/export", "/api/export", {"params": {"format": "xml"}}, 422),
    ("get", "/api/submissions/token", "/api/submissions/token", {}, 401),
    ("post", "/api/submissions", "/api/submissions", {"json": SUBMISSION}, 401),
    ("post", "/api/submissions", "/api/submissions", {"json": {}, "headers": WITH_TOKEN}, 422),
    ("post", "/api/submissions", "/api/submissions", TOO_LARGE, 413),
    (
        "post",
        "/api/submissions",
        "/api/submissions",
        {"json": {**SUBMISSION, "id": "housing-roma-families"}, "headers": WITH_TOKEN},
        409,
    ),
    ("post", "/api/curricula/draft", "/api/curricula/draft", {"json": {**DRAFT, "hours": 0}}, 422),
    ("post", "/api/curricula/draft", "/api/curricula/draft", TOO_LARGE, 413),
]
"""(method, route, url, request, the error status it gets) on an app over an index, taking submissions."""
UNAVAILABLE_WITHOUT_INDEX = [
    *(("get", route, url, {}) for route, url in GET_EXAMPLES.items() if not route.startswith("/api/submissions")),
    ("post", "/api/search", "/api/search", {"json": {"q": "housing"}}),
    ("post", "/api/curricula/draft", "/api/curricula/draft", {"json": DRAFT}),
]
"""(method, route, url, request) that get 503 from an app with no index."""


def test_the_schema_declares_the_error_statuses_each_route_answers_with_one_model(engine_index, hashing, tmp_path):
    indexed = create_app(writable_app_settings(engine_index.parent, TOKEN), embedder=hashing)
    unindexed = create_app(app_settings(tmp_path / "missing"), embedder=hashing)
    cases = [(indexed, *case) for case in ERRORS_PROVOKED]
    cases += [(unindexed, *case, 503) for case in UNAVAILABLE_WITHOUT_INDEX]
    provoked = collections.defaultdict(set)
    for app, method, route, url, request, status in cases:
        with in_process(app) as client:
            response = client.request(method, url, **request)
        assert response.status_code == status, (method, url, response.text)
        if route != "/api/health":  # its 503 is a Health
            ErrorResponse.model_validate(response.json())
        provoked[method, route].add(str(status))
    with in_process(indexed) as client:
        paths = client.get("/api/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            declared = {status: answer for status, answer in operation["responses"].items() if status >= "400"}
            # Every route declares 503: the deadline can answer any request (not provoked here).
            assert set(declared) == provoked[method, path] | {"503"}, (method, path)
            assert all("ErrorResponse" in json.dumps(answer["content"]) for answer in declared.values())


ANSWERED = [
    *(("get", route, url, {}) for route, url in GET_EXAMPLES.items()),
    ("get", "/api/submissions/token", "/api/submissions/token", {"headers": WITH_TOKEN}),
    ("get", "/api/export", "/api/export", {}),
    ("get", "/", "/", {}),
    ("post", "/api/search", "/api/search", {"json": {"q": "housing"}}),
    ("post", "/api/submissions", "/api/submissions", {"json": SUBMISSION, "headers": WITH_TOKEN}),
    ("post", "/api/curricula/draft", "/api/curricula/draft", {"json": DRAFT}),
]
"""(method, route, url, request) of the answers that are not errors (or, without a site or an index, are)."""


def test_no_answer_shows_where_the_server_keeps_its_files(engine_index, hashing, tmp_path):
    """Reads are public: whatever the endpoint, error or not, a path is at most relative to its root."""
    corpus = engine_index.parent
    roots = {"practices_dir": corpus / "practices", "docs_dir": corpus / "docs", "taxonomy_file": TAXONOMY}
    writable = {**roots, "submissions_dir": tmp_path / "submissions", "submission_tokens": [f"tester:{TOKEN}"]}
    apps = [
        create_app(app_settings(engine_index, **writable), embedder=hashing),
        create_app(app_settings(tmp_path / "missing", **writable), embedder=hashing),
    ]
    answers = []
    for app in apps:
        with in_process(app) as client:
            cases = [*ANSWERED, *((method, route, url, request) for method, route, url, request, _ in ERRORS_PROVOKED)]
            answers += [client.request(method, url, **request) for method, _, url, request in cases]
    assert {answer.status_code for answer in answers} >= {200, 201, 401, 404, 413, 422, 503}
    for answer in answers:
        assert str(ROOT) not in answer.text and tempfile.gettempdir() not in answer.text, answer.text[:300]
    with in_process(apps[0]) as client:
        practice = client.get("/api/practices/housing-roma-families").json()
        exported = [json.loads(line) for line in client.get("/api/export", params={"kind": "page"}).text.splitlines()]
    assert practice["path"] == "practices/housing-roma-families.md"
    assert [record["path"] for record in exported] == ["docs/case-management.md"]


@pytest.mark.parametrize(
    ("method", "url", "payload", "status"),
    [
        ("get", "/api/search", {"q": ""}, 422),
        ("get", "/api/search", {"q": "x" * 4001}, 422),
        ("get", "/api/search", {"q": "x", "page_size": 51}, 422),
        ("get", "/api/search", {"q": "x", "mode": "magic"}, 422),
        ("get", "/api/search", {"q": "x", "page": 0}, 422),
        ("get", "/api/search", {"q": "   "}, 422),
        ("get", "/api/search", {"q": "x", "lang": "EN"}, 422),
        ("get", "/api/search", {"q": "x", "countries": "R" * 1000}, 422),
        ("get", "/api/search", {"q": "?! \x00"}, 422),
        ("post", "/api/search", {"q": "x", "unknown": 1, "page_size": "many"}, 422),
        ("get", "/api/practices/no-such-practice", None, 404),
        ("get", "/api/practices/..%2F..%2Fetc%2Fpasswd", None, 404),
        ("get", "/api/practices/Bad_Id!", None, 422),
        ("get", "/api/practices/case-management", None, 404),  # a page is not a practice
    ],
)
def test_bad_input_gets_a_clear_4xx(api, method, url, payload, status):
    response = api.get(url, params=payload) if method == "get" else api.post(url, json=payload)
    assert response.status_code == status
    assert "detail" in response.json() and "Traceback" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"q": "\\ud800"}',  # a lone surrogate: no UTF-8 for it
        b'{"q": "housing", "page": 1e400}',
        b'{"q": "housing", "page": Infinity}',
        b'{"q": "housing", "period_from": NaN}',
    ],
)
def test_input_that_json_cannot_echo_is_a_422_not_a_500(api, body):
    response = api.post("/api/search", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_an_unknown_taxonomy_term_in_a_filter_is_named_with_the_known_ones(api):
    asked = api.get("/api/search", params={"q": "housing", "themes": ["housing", "space-travel"]})
    assert asked.status_code == 422
    problem = asked.json()["detail"][0]
    assert problem["loc"] == ["query", "themes"] and "'space-travel'; known themes: " in problem["msg"]
    posted = api.post("/api/search", json={"q": "housing", "evidence": ["excellent"]})
    assert posted.status_code == 422 and posted.json()["detail"][0]["loc"] == ["body", "evidence"]
    assert api.get("/api/search", params={"q": "housing", "themes": "housing", "lang": "en"}).status_code == 200


def test_oversized_body_is_refused(api):
    response = api.post(
        "/api/search", content=b'{"q": "' + b"a" * MAX_BODY_BYTES + b'"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_a_streamed_body_is_counted_as_it_arrives(engine_index, hashing):
    """No Content-Length (chunked transfer): the limit holds on the bytes received, over real HTTP."""

    def pieces(count: int):
        yield b'{"q": "'
        yield from (b"a" * 1024 for _ in range(count))
        yield b'"}'

    with live_server(create_app(app_settings(engine_index), embedder=hashing)) as base:
        headers = {"content-type": "application/json"}
        over = httpx.post(f"{base}/api/search", content=pieces(MAX_BODY_BYTES // 1024 + 1), headers=headers, timeout=30)
        under = httpx.post(f"{base}/api/search", content=pieces(2), headers=headers, timeout=30)
    assert over.status_code == 413 and "bytes" in over.json()["detail"]
    assert under.status_code == 200


def test_limits_come_from_the_settings_given_to_the_app(engine_index, hashing):
    settings = app_settings(engine_index, max_query_chars=20, max_page_size=3)
    with in_process(create_app(settings, embedder=hashing)) as client:
        long_query = client.get("/api/search", params={"q": "a" * 21})
        big_page = client.get("/api/search", params={"q": "housing", "page_size": 4})
        fine = client.get("/api/search", params={"q": "housing", "page_size": 3})
    assert long_query.status_code == 422 and "at most 20 characters" in long_query.json()["detail"][0]["msg"]
    assert big_page.status_code == 422 and "at most 3 results" in big_page.json()["detail"][0]["msg"]
    assert fine.status_code == 200 and len(fine.json()["results"]) <= 3


def test_no_index_is_a_503_saying_what_to_do(tmp_path, hashing):
    with live_server(create_app(app_settings(tmp_path / "missing"), embedder=hashing)) as base:
        response = httpx.get(f"{base}/api/search", params={"q": "x"})
        health = httpx.get(f"{base}/api/health")
    assert response.status_code == 503 and "praxis index" in response.json()["detail"]
    assert health.status_code == 503 and health.json()["status"] == "degraded"


def test_service_picks_up_a_new_index(tmp_path, hashing, engine):
    shutil.copytree(FIXTURES / "practices", tmp_path / "practices")
    shutil.copytree(FIXTURES / "docs", tmp_path / "docs")
    first = build_index(build_request(tmp_path, **engine_stores(engine)), hashing)
    with live_server(create_app(app_settings(tmp_path / "index"), embedder=hashing)) as base:
        assert httpx.get(f"{base}/api/health").json()["index_build"] == first.build
        (tmp_path / "practices" / "mentoring-migrant-workers.md").unlink()
        second = build_index(build_request(tmp_path, **engine_stores(engine)), hashing)
        deadline = time.monotonic() + 5
        while httpx.get(f"{base}/api/health").json()["index_build"] != second.build:
            assert time.monotonic() < deadline, "the service never loaded the new build"
            time.sleep(0.1)
        assert httpx.get(f"{base}/api/health").json()["practices"] == 3


def test_cors_is_configurable(engine_index, hashing):
    app = create_app(app_settings(engine_index, cors_origins=["https://praxis.example"]), embedder=hashing)
    with live_server(app) as base:
        allowed = httpx.get(f"{base}/api/health", headers={"Origin": "https://praxis.example"})
        other = httpx.get(f"{base}/api/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://praxis.example"
    assert "access-control-allow-origin" not in other.headers


def test_highlights_mark_content_words_not_function_words(api):
    query = "În ce fel familiile de romi nu ajung la locuințe sociale și la acte"
    body = api.get("/api/search", params={"q": query, "lang": "ro"}).json()
    passages = [p for hit in body["results"] for p in hit["passages"]]
    marked = {p["text"][start:end].lower() for p in passages for start, end in p["highlights"]}
    assert marked and marked.isdisjoint({"de", "la", "și", "şi", "nu", "în", "ce", "fel"}), marked
    assert any(word.startswith(("locuin", "famil", "soci", "rom", "acte")) for word in marked), marked
