"""Builds on a three-node Typesense cluster: a collection per store and build, aliases swapped
when a build goes live, old collections dropped with their builds, failed builds leaving nothing,
and a node that restarts catching up."""

import numpy as np
import pytest
import typesense
from typesense.exceptions import TypesenseClientError
from typesense.sync.documents import Documents

from indexer import layout
from indexer.build import build_index
from indexer.stores.typesense import EMPTY_REPLY, Connection, TypesenseKeywordStore, retried_on_empty_reply
from tests.conftest import build_request, copy_fixture_corpus, engine_stores


@pytest.fixture
def client(typesense_cluster) -> typesense.Client:
    return Connection.from_environment().client()


def build_collections(index_path) -> set[str]:
    """The collections named by every build still on disk."""
    names = set()
    for build in layout.builds_dir(index_path).iterdir():
        for store in (layout.DENSE, layout.KEYWORD):
            names.add(layout.json.loads((build / store / "store.json").read_text())["collection"])
    return names


def test_each_build_gets_new_collections_the_aliases_follow_and_old_ones_go(tmp_path, hashing, client):
    root = copy_fixture_corpus(tmp_path)
    edited = root / "practices" / "housing-roma-families.md"
    for revision in range(layout.KEEP_BUILDS + 1):
        edited.write_text(edited.read_text(encoding="utf-8") + f"\nRevision {revision}.\n", encoding="utf-8")
        build_index(build_request(root, **engine_stores("typesense")), hashing)
        live = layout.open_index(root / "index")
        aliases = {alias["name"]: alias["collection_name"] for alias in client.aliases.retrieve()["aliases"]}
        for store in (layout.DENSE, layout.KEYWORD):
            collection = layout.json.loads((live.path / store / "store.json").read_text())["collection"]
            role = "vectors" if store == layout.DENSE else "keyword"
            assert aliases[f"praxis-{role}"] == collection
    kept = build_collections(root / "index")
    existing = {c["name"] for c in client.collections.retrieve()}
    assert len(kept) == 2 * layout.KEEP_BUILDS and kept <= existing
    assert not any(name in existing for name in dropped_names(kept, existing))


def dropped_names(kept: set[str], existing: set[str]) -> list[str]:
    """Collections of this test's index that no kept build names (there must be none)."""
    stamps = {name.rsplit("-", 1)[1] for name in kept}
    return [name for name in existing if name not in kept and name.rsplit("-", 1)[1] in stamps]


def test_a_build_that_fails_leaves_no_collection_and_the_live_index_serving(tmp_path, hashing, client, monkeypatch):
    root = copy_fixture_corpus(tmp_path)
    first = build_index(build_request(root, **engine_stores("typesense")), hashing)
    before = {c["name"] for c in client.collections.retrieve()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("indexer.build.keyword_chunks", broken)  # fails while the stores are being written
    (root / "practices" / "mentoring-migrant-workers.md").unlink()
    with pytest.raises(OSError, match="disk full"):
        build_index(build_request(root, **engine_stores("typesense")), hashing)
    assert {c["name"] for c in client.collections.retrieve()} == before
    assert layout.open_index(root / "index").build_id == first.build
    assert [p.suffix for p in layout.builds_dir(root / "index").iterdir()] == [""]


def test_a_bulk_import_answered_with_an_empty_body_is_sent_again_and_nothing_is_lost(
    typesense_cluster, tmp_path, hashing, monkeypatch
):
    """A node forwarding to a leader being elected can answer an import with an empty body; the
    store sends the batch again (an upsert) and the build ends with every chunk on the cluster."""
    real_import, empty_replies = Documents.import_, []

    def first_reply_empty(self, *args, **kwargs):
        if not empty_replies:
            empty_replies.append(1)
            raise TypesenseClientError(f"{EMPTY_REPLY} ")
        return real_import(self, *args, **kwargs)

    monkeypatch.setattr(Documents, "import_", first_reply_empty)
    root = copy_fixture_corpus(tmp_path)
    summary = build_index(build_request(root, **engine_stores("typesense")), hashing)
    keyword = TypesenseKeywordStore.load(layout.open_index(root / "index").path / layout.KEYWORD)
    assert empty_replies == [1] and keyword.count() == summary.chunks > 0


def test_an_empty_reply_is_retried_up_to_the_bound_and_any_other_error_at_once():
    calls = []

    def failing(message: str):
        def request():
            calls.append(message)
            raise TypesenseClientError(message)

        return request

    with pytest.raises(TypesenseClientError):
        retried_on_empty_reply(failing("Invalid response - {not json"), retries=3, interval=0.0)
    assert len(calls) == 1
    with pytest.raises(TypesenseClientError):
        retried_on_empty_reply(failing(f"{EMPTY_REPLY} "), retries=2, interval=0.0)
    assert len(calls) == 1 + 3


def test_a_restarted_node_catches_up_and_answers_the_same(typesense_cluster, tmp_path, hashing):
    from indexer.stores import create_vector_store

    cluster = typesense_cluster
    follower = next(node for node in cluster.nodes if node is not cluster.leader())
    cluster.kill(follower)
    vectors = np.random.default_rng(0).standard_normal((200, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = create_vector_store("typesense", 16)
    store.add(np.arange(200), vectors)  # written while the node is down
    cluster.start(follower)
    cluster.wait_healthy()
    store.collection.settle()
    only_follower = Connection.from_environment().client([f"127.0.0.1:{follower.api_port}"], retries=0)
    name = store.collection.name
    assert only_follower.collections[name].retrieve()["num_documents"] == 200
    vector = ",".join(f"{x:.8g}" for x in vectors[5])
    search = {"collection": name, "q": "*", "vector_query": f"embedding:([{vector}], k:5)", "include_fields": "row"}
    rows = [
        h["document"]["row"]
        for h in only_follower.multi_search.perform({"searches": [search]}, {})["results"][0]["hits"]
    ]
    assert rows[:5] == store.search(vectors[[5]], 5)[1][0].tolist() and rows[0] == 5
