"""Admission control: a bounded number of searches in flight, encodings one per core, an immediate 503 beyond."""

import threading
import time

import httpx
import pytest

from engine.admission import Admission, Busy, GatedEmbedder
from indexer.embedders.hashing import HashingEmbedder
from search_api.app import create_app
from tests.conftest import app_settings, live_server


class SlowEncoder(HashingEmbedder):
    """The hashing embedder, taking as long as the real model takes for a long description."""

    def embed_queries(self, texts):
        time.sleep(0.5)
        return super().embed_queries(texts)


def test_beyond_capacity_a_request_is_refused_at_once_and_its_slot_is_given_back():
    admission = Admission(capacity=2)
    with admission.slot(), admission.slot():
        # Taken in this very thread: a bound that waited for a free place would never return.
        with pytest.raises(Busy) as refused, admission.slot():
            pass
        assert refused.value.retry_after == 1
    with admission.slot(), admission.slot():  # both places are free again, after success and after refusal
        pass


def test_encodings_beyond_the_concurrent_ones_wait_their_turn():
    gate = GatedEmbedder(SlowEncoder(), concurrent=1, wait_seconds=5.0)
    took = []

    def encode(text):
        started = time.perf_counter()
        gate.embed_queries([text])
        took.append(time.perf_counter() - started)

    threads = [threading.Thread(target=encode, args=(f"query {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Side by side both would take 0.5 s; one after the other, the second waits for most of the first.
    assert max(took) >= 0.75


def test_an_encoding_that_finds_no_free_encoder_in_time_is_refused():
    gate = GatedEmbedder(SlowEncoder(), concurrent=1, wait_seconds=0.1)
    first = threading.Thread(target=gate.embed_queries, args=(["a long description"],))
    first.start()
    time.sleep(0.05)
    with pytest.raises(Busy):
        gate.embed_queries(["another description"])
    first.join()
    assert len(gate.embed_queries(["now there is room"])) == 1


def test_the_api_refuses_searches_beyond_capacity_at_once_and_serves_the_rest(hashing_index):
    settings = app_settings(hashing_index, max_concurrent_encodings=1, max_queued_searches=0)
    answers = []
    with live_server(create_app(settings, embedder=SlowEncoder())) as base:

        def ask(number: int):
            response = httpx.post(f"{base}/api/search", json={"q": f"housing for families {number}"}, timeout=30)
            answers.append((response.status_code, response.headers.get("retry-after")))

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        page = httpx.get(f"{base}/api/practices", timeout=30)  # not a search: never refused by this bound
        after = httpx.get(f"{base}/api/search", params={"q": "housing after the burst"}, timeout=30)
    # Answers in the order they came: the refusals came at once, before the search holding the only place ended.
    assert answers[0] == (503, "1") and (200, None) in answers
    assert set(answers) <= {(200, None), (503, "1")}
    assert page.status_code == 200
    assert after.status_code == 200  # refusals hold nothing: once the burst is over, searches are served


class VerySlowEncoder(HashingEmbedder):
    def embed_queries(self, texts):
        time.sleep(2.0)
        return super().embed_queries(texts)


def test_a_request_not_answered_within_the_deadline_gets_503_and_the_server_goes_on(hashing_index):
    # Encoding takes 2 s; the deadline is 0.2 s: the search is answered 503 long before the encoding ends.
    settings = app_settings(hashing_index, request_timeout_seconds=0.2)
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
