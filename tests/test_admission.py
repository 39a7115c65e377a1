"""Admission control: a bounded number of query encodings, a short queue, and an immediate 503 beyond it."""

import threading
import time

import httpx
import pytest

from engine.admission import Busy, GatedEmbedder
from indexer.embedders.hashing import HashingEmbedder
from search_api.app import create_app
from tests.conftest import app_settings, live_server


class SlowEncoder(HashingEmbedder):
    """The hashing embedder, taking as long as the real model takes for a long description."""

    def embed_queries(self, texts):
        time.sleep(0.5)
        return super().embed_queries(texts)


def test_beyond_the_running_and_waiting_slots_a_query_is_refused_at_once():
    gate = GatedEmbedder(SlowEncoder(), concurrent=1, waiting=1, wait_seconds=2.0)
    outcomes = []

    def encode(text):
        started = time.perf_counter()
        try:
            gate.embed_queries([text])
            outcomes.append(("ok", time.perf_counter() - started))
        except Busy as busy:
            outcomes.append(("busy", busy.retry_after))

    threads = [threading.Thread(target=encode, args=(f"query {n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["busy", "ok", "ok"]
    assert [value for kind, value in outcomes if kind == "busy"] == [2]


def test_a_query_that_waits_too_long_is_refused():
    gate = GatedEmbedder(SlowEncoder(), concurrent=1, waiting=1, wait_seconds=0.1)
    first = threading.Thread(target=gate.embed_queries, args=(["a long description"],))
    first.start()
    time.sleep(0.05)
    with pytest.raises(Busy):
        gate.embed_queries(["another description"])
    first.join()
    assert len(gate.embed_queries(["now there is room"])) == 1


def test_the_api_answers_503_with_retry_after_and_serves_the_rest(hashing_index):
    settings = app_settings(hashing_index, max_concurrent_encodings=1, max_waiting_encodings=0)
    statuses = []
    with live_server(create_app(settings, embedder=SlowEncoder())) as base:

        def ask(number: int):
            response = httpx.post(f"{base}/api/search", json={"q": f"housing for families {number}"}, timeout=30)
            statuses.append((response.status_code, response.headers.get("retry-after")))

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        after = httpx.get(f"{base}/api/search", params={"q": "housing after the burst"}, timeout=30)
    assert (200, None) in statuses and (503, "2") in statuses
    assert {status for status, _ in statuses} <= {200, 503}
    assert after.status_code == 200  # refusals hold nothing: once the burst is over, searches are served


class VerySlowEncoder(HashingEmbedder):
    def embed_queries(self, texts):
        time.sleep(2.0)
        return super().embed_queries(texts)


def test_a_request_not_answered_within_the_deadline_gets_503_and_the_server_goes_on(hashing_index):
    # Encoding takes 2 s; the deadline is 0.2 s: the search is answered 503 long before the encoding ends.
    settings = app_settings(hashing_index, request_timeout_seconds=0.2, encoding_wait_seconds=5.0)
    with live_server(create_app(settings, embedder=VerySlowEncoder())) as base:
        started = time.perf_counter()
        slow = httpx.get(f"{base}/api/search", params={"q": "housing for Roma families"}, timeout=30)
        took = time.perf_counter() - started
        health = httpx.get(f"{base}/api/health", timeout=30)
        time.sleep(2.5)
        cached = httpx.get(f"{base}/api/search", params={"q": "housing for Roma families"}, timeout=30)
    assert slow.status_code == 503 and slow.headers["retry-after"] == "1" and took < 1.5
    assert health.status_code == 200
    # The timed-out request's work finished in its thread: its query vector is cached, so this one is quick.
    assert cached.status_code == 200
