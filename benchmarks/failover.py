"""Fault trials of the Typesense engine: a three-node cluster on loopback behind `praxis serve`.

    python -m benchmarks.failover [--clients 20] [--seconds 30] [--embedder hashing] [--out FILE]

It starts a three-node cluster (tests/typesense.py), indexes a copy of the corpus on it
(PRAXIS_ENGINE=typesense), starts `praxis serve`, and runs three trials:
1. leader killed under load: N clients search and read (the load test's request mix) while a
   writer upserts numbered documents into a collection of its own through the same bounded
   failover; a third of the way in, the Raft leader gets `kill -9`. Reported: failed requests
   (after Praxis's bounded retry), the longest request and the gap from the kill until the first
   request sent after it succeeded, the writer's acknowledged writes and how many of them are
   missing afterwards (goal: none), and how long the writer could not write;
2. a node killed during an index build: `praxis index` runs after an edit and, half a second
   in, a node gets `kill -9`; the build must complete or fail cleanly while the old build
   keeps serving (failed requests during it);
3. the killed nodes restarted: they rejoin, catch up, and answer the same hits as the others
   for every query (checked on each node directly).
Every address is 127.0.0.1; every process is stopped by its pid.
"""

import argparse
import asyncio
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks.common import ROOT, emit
from benchmarks.load_test import Deployment, PhaseResult, request_mix
from benchmarks.search_latency import SHORT_QUERIES, long_queries
from tests.typesense import running_cluster


async def _timed_client(base, stop, result: PhaseResult, log: list, practice_ids, descriptions) -> None:
    """A load client that also logs (start, end, ok) of every request."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while not stop.is_set():
            method, path, options = request_mix(practice_ids, descriptions)
            started = time.monotonic()
            try:
                response = await client.request(method, path, **options)
                ok = response.status_code == 200
                if not ok:
                    result.errors.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
            except httpx.HTTPError as error:
                ok = False
                result.errors.append(f"{method} {path}: {type(error).__name__}")
            result.latencies.append(time.monotonic() - started)
            log.append((started, time.monotonic(), ok))


async def load_with(
    deployment: Deployment, clients: int, seconds: float, action, at: float
) -> tuple[PhaseResult, list]:
    """Run the load for `seconds`, calling `action` (in a thread) after `at` seconds."""
    stop, result, log = asyncio.Event(), PhaseResult(), []
    asyncio.get_running_loop().call_later(seconds, stop.set)
    practice_ids, descriptions = deployment.practice_ids(), long_queries(20)
    started = time.monotonic()
    clients_done = asyncio.gather(
        *(_timed_client(deployment.base, stop, result, log, practice_ids, descriptions) for _ in range(clients))
    )
    await asyncio.sleep(at)
    await asyncio.to_thread(action)
    await clients_done
    result.seconds = time.monotonic() - started
    return result, log


class Writer(threading.Thread):
    """Upserts numbered documents into a collection of its own; remembers which were acknowledged."""

    def __init__(self):
        super().__init__(daemon=True)
        from indexer.stores.typesense import _Collection

        self.collection = _Collection.new("writes", [{"name": "n", "type": "int32"}])
        self.acknowledged: list[int] = []
        self.failures: list[tuple[float, str]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        number = 0
        while not self.stop.is_set():
            try:
                self.collection.upsert([{"id": str(number), "n": number}])
                self.acknowledged.append(number)
                number += 1
            except Exception as error:  # counted, and the same number tried again
                self.failures.append((time.monotonic(), type(error).__name__))
            time.sleep(0.01)

    def missing(self) -> int:
        self.collection.settle()
        exported = self.collection.client.collections[self.collection.name].documents.export()
        stored = {int(line.split('"n":')[1].split(",")[0].rstrip("}")) for line in exported.splitlines() if line}
        return len(set(self.acknowledged) - stored)


def _gap_after(log: list, moment: float) -> float | None:
    """Seconds from `moment` until the first request sent after it that succeeded ended."""
    ends = [end for start, end, ok in log if start >= moment and ok]
    return round(min(ends) - moment, 2) if ends else None


def leader_trial(deployment, cluster, clients: int, seconds: float) -> dict:
    writer = Writer()
    writer.start()
    killed = {}

    def kill_leader():
        leader = cluster.leader()
        killed["node"], killed["at"] = leader, time.monotonic()
        cluster.kill(leader)

    result, log = asyncio.run(load_with(deployment, clients, seconds, kill_leader, seconds / 3))
    writer.stop.set()
    writer.join()
    in_flight = [end - start for start, end, _ in log if start <= killed["at"] <= end]
    summary = result.summary()
    summary["requests"] = summary.pop("answered")  # this trial's clients log every request, answered or not
    return {
        **summary,
        "killed_node": killed["node"].number,
        "new_leader": getattr(cluster.leader(), "number", None),
        "first_success_after_kill_s": _gap_after(log, killed["at"]),
        "longest_request_in_flight_at_kill_s": round(max(in_flight, default=0.0), 2),
        "writes_acknowledged": len(writer.acknowledged),
        "acknowledged_writes_missing": writer.missing(),
        "write_attempts_failed": len(writer.failures),
        "writes_blocked_s": round(writer.failures[-1][0] - writer.failures[0][0], 2) if writer.failures else 0.0,
    }, killed["node"]


def build_trial(deployment, cluster, clients: int, seconds: float) -> dict:
    before = httpx.get(f"{deployment.base}/api/health").json()["index_build"]
    outcome = {}

    def rebuild_and_kill():
        victim = next(node for node in cluster.nodes if node.pid is not None and node is not cluster.leader())
        timer = threading.Timer(0.5, cluster.kill, args=(victim,))
        timer.start()
        started = time.monotonic()
        try:
            deployment.edit_and_reindex(0)
            outcome["build"] = "completed"
        except Exception as error:
            outcome["build"] = f"failed: {type(error).__name__}"
        outcome["build_seconds"] = round(time.monotonic() - started, 2)
        timer.join()
        outcome["killed_node"] = victim.number

    result, _ = asyncio.run(load_with(deployment, clients, seconds, rebuild_and_kill, 1.0))
    # The server loads a new build in the background: wait (30 s at most) until it answers from it.
    waited, after = time.monotonic(), httpx.get(f"{deployment.base}/api/health").json()["index_build"]
    while after == before and outcome.get("build") == "completed" and time.monotonic() - waited < 30:
        time.sleep(0.5)
        after = httpx.get(f"{deployment.base}/api/health").json()["index_build"]
    outcome["live_after_s"] = round(time.monotonic() - waited, 2)
    summary = result.summary()
    return {
        **outcome,
        "requests": summary["answered"],
        "errors": summary["errors"],
        "error_samples": summary["error_samples"],
        "builds_seen": summary["builds_seen"],
        "live_before": before,
        "live_after": after,
    }


def restart_trial(deployment, cluster) -> dict:
    from indexer.layout import open_index
    from indexer.stores.typesense import Connection

    down = [node for node in cluster.nodes if node.pid is None]
    started = time.monotonic()
    for node in down:
        cluster.start(node)
    cluster.wait_healthy()
    healthy_after = round(time.monotonic() - started, 2)
    files = open_index(deployment.work / "index")
    keyword = files.keyword_store()
    keyword._collection.settle()
    connection = Connection.from_environment()
    same = 0
    for query in SHORT_QUERIES:
        answers = []
        for node in cluster.nodes:
            client = connection.client([f"127.0.0.1:{node.api_port}"], retries=0)
            search = {"collection": keyword._collection.name, "q": query, "query_by": "title,text"}
            search |= {"drop_tokens_threshold": 50, "per_page": 50, "include_fields": "chunk_id"}
            hits = client.multi_search.perform({"searches": [search]}, {})["results"][0]["hits"]
            answers.append([hit["document"]["chunk_id"] for hit in hits])
        same += all(answer == answers[0] for answer in answers)
    return {
        "restarted_nodes": [node.number for node in down],
        "healthy_after_s": healthy_after,
        "queries": len(SHORT_QUERIES),
        "same_hits_on_every_node": same,
    }


def failover(clients: int, seconds: float, embedder: str) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_cluster(Path(tmp) / "cluster", 3, secrets.token_hex(16)) as cluster,
    ):
        os.environ.update(
            PRAXIS_ENGINE="typesense",
            PRAXIS_TYPESENSE_NODES=cluster.nodes_setting,
            PRAXIS_TYPESENSE_API_KEY=cluster.api_key,
        )
        work = Path(tmp) / "work"
        work.mkdir()
        with Deployment(work, ROOT / "practices", ROOT / "docs", embedder) as deployment:
            leader, _ = leader_trial(deployment, cluster, clients, seconds)
            restart_after_leader = restart_trial(deployment, cluster)
            build = build_trial(deployment, cluster, clients, seconds)
            restart = restart_trial(deployment, cluster)
    return {
        "clients": clients,
        "seconds": seconds,
        "embedder": embedder,
        "leader_killed_under_load": leader,
        "restart_after_leader_kill": restart_after_leader,
        "node_killed_during_build": build,
        "restart_after_build_kill": restart,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--embedder", default="hashing")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    emit(failover(args.clients, args.seconds, args.embedder), args.out)


if __name__ == "__main__":
    main()
