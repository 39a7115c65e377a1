"""Serving while the index is rebuilt: 20 concurrent clients over real HTTP see no error, and
their answers move to the new builds as they are swapped in (on each storage engine)."""

import threading
import time

import httpx

from indexer.build import build_index
from search_api.app import create_app
from tests.conftest import app_settings, build_request, copy_fixture_corpus, engine_stores, live_server

CLIENTS = 20
MAX_REQUESTS_PER_CLIENT = 400
"""A bound on every client's loop: the test stops by itself whatever happens."""


def long_description(root) -> str:
    """A few hundred words of the fixture practices: a long problem description, as staff write them."""
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted((root / "practices").glob("*.md"))).split()
    return " ".join(words[:300])


def run_client(base: str, number: int, description: str, stop: threading.Event, seen: list) -> None:
    requests = [
        ("GET", "/api/search", {"params": {"q": "housing for Roma families"}}),
        ("POST", "/api/search", {"json": {"q": description, "page_size": 3}}),
        ("GET", "/api/practices/housing-roma-families", {}),
        ("GET", "/api/facets", {}),
    ]
    with httpx.Client(base_url=base, timeout=60) as client:
        for count in range(MAX_REQUESTS_PER_CLIENT):
            last_round = stop.is_set()  # set once the newest build is live: this answer must come from it
            method, path, options = requests[(number + count) % len(requests)]
            try:
                response = client.request(method, path, **options)
                build = response.json().get("index_build") if response.status_code == 200 else None
                seen.append((response.status_code, path, build))
            except httpx.HTTPError as error:
                seen.append((type(error).__name__, path, None))
            if last_round and path == "/api/search":
                return


def test_20_clients_with_a_reindex_in_the_middle_see_no_errors_and_switch_builds(tmp_path, hashing, engine):
    root = copy_fixture_corpus(tmp_path)
    builds = [build_index(build_request(root, **engine_stores(engine)), hashing).build]
    description = long_description(root)
    stop, seen = threading.Event(), []
    # Room for every client's search: refusals beyond capacity are tests/test_admission.py's subject.
    settings = app_settings(root / "index", max_queued_searches=CLIENTS)
    with live_server(create_app(settings, embedder=hashing)) as base:
        clients = [threading.Thread(target=run_client, args=(base, n, description, stop, seen)) for n in range(CLIENTS)]
        for client in clients:
            client.start()
        edited = root / "practices" / "housing-roma-families.md"
        for revision in range(2):
            edited.write_text(edited.read_text(encoding="utf-8") + f"\nRevision {revision}.\n", encoding="utf-8")
            builds.append(build_index(build_request(root, **engine_stores(engine)), hashing).build)
        deadline = time.monotonic() + 60
        while httpx.get(f"{base}/api/health").json()["index_build"] != builds[-1] and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        for client in clients:
            client.join()
    errors = [entry for entry in seen if entry[0] != 200]
    assert not errors, errors[:5]
    answered_by = {build for _, path, build in seen if path == "/api/search"}
    assert answered_by <= set(builds) and builds[0] in answered_by and builds[-1] in answered_by
