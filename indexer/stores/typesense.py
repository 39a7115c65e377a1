"""Vector and keyword stores on a Typesense cluster (Raft-replicated search servers, 0.24 and later).

Each store keeps its chunks in a collection of its own, new for every build
(``<alias>-vectors-<time>-<random>``, ``<alias>-keyword-...``); the build directory holds a
small ``store.json`` naming it, and the vector store also its local copy of the vectors
(:class:`~indexer.stores.base.RowVectors`: the engine reads every vector when it loads a
build, which should not mean exporting them from the cluster). A reader therefore opens the
collection of its own build, whose rows match that build's records. When a build goes live,
the aliases ``<alias>-vectors`` and ``<alias>-keyword`` are pointed at its collections (each
swap is atomic on the server), for operators and other readers; when layout deletes an old
build, its collections are dropped.

Beside each chunk a collection holds its record's filterable fields
(:func:`indexer.facets.record_fields`), so a query's :class:`~indexer.facets.Filters` are
pushed down as ``filter_by``; a list of allowed rows or documents is the fallback when none
are given.

Keyword search is Typesense's own relevance (token matches, typo distance, proximity, field
weights), not BM25: one ``text`` field for every language, because 0.24 has no stemmers and
its default tokeniser already folds diacritics in Latin and Greek script (its locales change
tokenisation for scripts without spaces, which Praxis's languages do not need). Typo
tolerance stands in for stemming ("Familienrats" finds "Familienrat"). User text is reduced to
its words, so nothing in it is query syntax (``-word`` would exclude, quotes make a phrase).
A query of up to eight words is one search, words dropped until enough chunks match the others;
a longer one (a problem description) and the n-grams are searched a token at a time, each chunk
scoring the rarity of the tokens it has (`_any_token`): dropping words kept a description's
first few only. ``grams`` holds the character n-grams of the chunks in languages without a
stemmer (grams.word_grams), matched exactly by `search_grams`.

The connection comes from the environment when a store is first used: ``PRAXIS_TYPESENSE_NODES``
(``host:port,host:port,...``), ``PRAXIS_TYPESENSE_PROTOCOL`` (``http``), ``PRAXIS_TYPESENSE_API_KEY``
(never written to a file, a manifest or a log), ``PRAXIS_TYPESENSE_ALIAS`` (``praxis``) and the
failover bounds below. Stores are opened by name from a build's manifest with only a path, and a
server's address and key are the deployment's, not the build's.

Failover: every request goes to the next healthy node; a node that fails (refused, timed out,
5xx such as "not ready" during an election) is marked unhealthy and the request is retried on
the next one, at most ``PRAXIS_TYPESENSE_RETRIES`` times, ``PRAXIS_TYPESENSE_RETRY_INTERVAL``
seconds apart, each attempt bounded by ``PRAXIS_TYPESENSE_TIMEOUT``: a request fails after at
most retries x (timeout + interval) seconds, never hangs. Writes are upserts and deletes by
filter, so a retried write is harmless.
"""

import contextlib
import datetime as dt
import json
import math
import os
import re
import secrets
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import numpy as np
import typesense
from typesense.exceptions import ObjectAlreadyExists, ObjectNotFound, TypesenseClientError

from indexer.stores.base import (
    MAX_QUERY_WORDS,
    KeywordChunk,
    KeywordHit,
    KeywordStore,
    RowVectors,
    StoreUnavailableError,
    VectorStore,
    iso_stop_word,
)
from indexer.stores.grams import has_grams, query_stems, word_grams

if TYPE_CHECKING:
    from indexer.facets import Filters

INFO_FILE = "store.json"
PAGE_SIZE = 250
"""Typesense's largest page: deeper result lists are fetched as several pages in one multi_search."""
IMPORT_BATCH = 1000
MULTI_SEARCH_MAX = 50
"""Typesense's default `limit_multi_searches`: searches in one multi_search request."""
FILTER_VALUES_MAX = 500
"""Ids per delete-by-filter request, and allowed ids named in one filter."""
SETTLE_SECONDS = 30.0
TITLE_WEIGHT, TEXT_WEIGHT = 2, 1
ANY_WORD_FROM = 9
"""A query of this many words or more matches chunks that have any of them (TypesenseKeywordStore._any_token)."""
CHUNK_IDS = {"include_fields": "chunk_id", "highlight_fields": "none"}
"""What a keyword search asks back: the chunk ids, nothing highlighted (Praxis highlights locally)."""
_WORD = re.compile(r"\w+")
FACT_FIELDS = [
    {"name": "kind", "type": "string"},
    *(
        {"name": name, "type": "string[]", "optional": True}
        for name in ("language", "countries", "themes", "target_groups", "methods", "evidence", "status")
    ),
    {"name": "period_start", "type": "int32"},
    {"name": "period_end", "type": "int32"},
]
"""The filterable fields of a chunk's record (indexer.facets.record_fields), in both collections."""


@dataclass(frozen=True)
class Connection:
    """Where the cluster is and how long to try it; see the module docstring."""

    nodes: tuple[str, ...]
    api_key: str = field(repr=False)
    protocol: str = "http"
    alias: str = "praxis"
    # Measured (benchmarks/failover.py): with 2 s per attempt an overloaded node timed out and 18
    # of 80 requests failed while the leader was killed; with 10 s and 8 retries, none did.
    timeout: float = 10.0
    retries: int = 8
    retry_interval: float = 0.5

    @classmethod
    def from_environment(cls) -> "Connection":
        env = os.environ
        nodes = tuple(node.strip() for node in env.get("PRAXIS_TYPESENSE_NODES", "").split(",") if node.strip())
        if not nodes or not env.get("PRAXIS_TYPESENSE_API_KEY"):
            raise StoreUnavailableError(
                "the typesense stores need PRAXIS_TYPESENSE_NODES (host:port,...) and PRAXIS_TYPESENSE_API_KEY"
            )
        return cls(
            nodes=nodes,
            api_key=env["PRAXIS_TYPESENSE_API_KEY"],
            protocol=env.get("PRAXIS_TYPESENSE_PROTOCOL", cls.protocol),
            alias=env.get("PRAXIS_TYPESENSE_ALIAS", cls.alias),
            timeout=float(env.get("PRAXIS_TYPESENSE_TIMEOUT", cls.timeout)),
            retries=int(env.get("PRAXIS_TYPESENSE_RETRIES", cls.retries)),
            retry_interval=float(env.get("PRAXIS_TYPESENSE_RETRY_INTERVAL", cls.retry_interval)),
        )

    def _node(self, address: str) -> dict:
        host, _, port = address.rpartition(":")
        return {"host": host, "port": int(port), "protocol": self.protocol}

    def client(self, nodes: Sequence[str] | None = None, retries: int | None = None) -> typesense.Client:
        return typesense.Client(
            {
                "nodes": [self._node(address) for address in nodes or self.nodes],
                "api_key": self.api_key,
                "connection_timeout_seconds": self.timeout,
                "num_retries": self.retries if retries is None else retries,
                "retry_interval_seconds": self.retry_interval,
                # A node marked unhealthy is tried again after this long (it may be back).
                "healthcheck_interval_seconds": 2,
            }
        )


@lru_cache(maxsize=8)
def _client(connection: Connection) -> typesense.Client:
    """One client (and connection pool) per connection and process."""
    return connection.client()


class _Collection:
    """One collection of a store on the cluster: writes, reads, copies, aliases, settling."""

    def __init__(self, name: str, connection: Connection):
        self.name = name
        self.connection = connection

    @property
    def client(self) -> typesense.Client:
        return _client(self.connection)

    @classmethod
    def new(cls, role: str, fields: list[dict]) -> "_Collection":
        connection = Connection.from_environment()
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dt%H%M%S")
        collection = cls(f"{connection.alias}-{role}-{stamp}-{secrets.token_hex(3)}", connection)
        # A retried create may find the first attempt's collection: the name is ours alone.
        with contextlib.suppress(ObjectAlreadyExists):
            _call(collection.client.collections.create, {"name": collection.name, "fields": fields})
        return collection

    def write_info(self, directory: Path, **extra) -> None:
        info = {"engine": "typesense", "collection": self.name, **extra}
        (directory / INFO_FILE).write_text(json.dumps(info), encoding="utf-8")

    @staticmethod
    def saved_in(directory: Path) -> bool:
        """Whether `directory` holds a typesense store (other engines write a store.json too)."""
        try:
            return json.loads((directory / INFO_FILE).read_text(encoding="utf-8")).get("engine") == "typesense"
        except (OSError, ValueError):
            return False

    @staticmethod
    def read_info(directory: Path) -> dict:
        try:
            return json.loads((directory / INFO_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"no typesense store in {directory}") from None

    @classmethod
    def of(cls, directory: Path) -> "_Collection":
        return cls(cls.read_info(directory)["collection"], Connection.from_environment())

    def upsert(self, documents: list[dict]) -> None:
        documents_api = self.client.collections[self.name].documents
        for start in range(0, len(documents), IMPORT_BATCH):
            batch = documents[start : start + IMPORT_BATCH]
            results = _call(
                retried_on_empty_reply,
                partial(documents_api.import_, batch, {"action": "upsert"}),
                self.connection.retries,
                self.connection.retry_interval,
            )
            failed = [result for result in results if not result.get("success")]
            if failed:
                raise StoreUnavailableError(f"typesense refused {len(failed)} document(s) of {self.name}: {failed[0]}")

    def delete_where(self, field_name: str, values: Sequence) -> None:
        documents_api = self.client.collections[self.name].documents
        for start in range(0, len(values), FILTER_VALUES_MAX):
            _call(documents_api.delete, {"filter_by": _in(field_name, values[start : start + FILTER_VALUES_MAX])})

    def copy(self, role: str) -> "_Collection":
        """A new collection with this one's schema and documents (Typesense 0.24 has no clone)."""
        schema = _call(self.client.collections[self.name].retrieve)
        fields = [
            {k: v for k, v in f.items() if k in ("name", "type", "optional", "num_dim")} for f in schema["fields"]
        ]
        copy = _Collection.new(role, fields)
        exported = _call(self.client.collections[self.name].documents.export)
        documents = [json.loads(line) for line in exported.splitlines() if line.strip()]
        copy.upsert(documents)
        return copy

    def count(self) -> int:
        return int(_call(self.client.collections[self.name].retrieve)["num_documents"])

    def search(self, searches: list[dict]) -> list[dict]:
        """The results of `searches` on this collection, in multi_search requests of at most
        MULTI_SEARCH_MAX searches each (the server's `limit_multi_searches`)."""
        results = []
        for start in range(0, len(searches), MULTI_SEARCH_MAX):
            body = {
                "searches": [
                    {"collection": self.name, **search} for search in searches[start : start + MULTI_SEARCH_MAX]
                ]
            }
            results += _call(self.client.multi_search.perform, body, {})["results"]
        for result in results:
            if "error" in result:
                raise StoreUnavailableError(f"typesense search on {self.name} failed: {result['error']}")
        return results

    def settle(self) -> None:
        """Wait until every reachable node holds as many documents as the leader.

        The leader acknowledges a write once a majority has it; followers apply it a moment
        later. A store's `save` is a commit: afterwards every node answers with the new state.
        """
        self._until_nodes_agree(self._count_on, f"the documents of {self.name}")

    def _count_on(self, node: typesense.Client) -> int | None:
        try:
            return int(node.collections[self.name].retrieve()["num_documents"])
        except ObjectNotFound:
            return None  # not created on this node yet

    def _until_nodes_agree(self, state_on, what: str) -> None:
        """Poll every node until each reachable one reports the leader's `state_on(node)`."""
        connection = self.connection
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            states = {}
            for address in connection.nodes:
                with contextlib.suppress(*_UNAVAILABLE):
                    node = connection.client([address], retries=0)
                    states[address] = (node.debug.retrieve().get("state"), state_on(node))
            leader = [state for role, state in states.values() if role == 1]
            if leader and all(state == leader[0] for _, state in states.values()):
                return
            if time.monotonic() > deadline:
                raise StoreUnavailableError(f"typesense nodes still disagree on {what} after {SETTLE_SECONDS} s")
            time.sleep(0.05)

    def point_alias(self, alias: str) -> None:
        """Point `alias` at this collection (atomic on the server), and wait until every node resolves it so."""
        _call(self.client.aliases.upsert, alias, {"collection_name": self.name})

        def target(node: typesense.Client) -> str | None:
            try:
                return node.aliases[alias].retrieve()["collection_name"]
            except ObjectNotFound:
                return None

        self._until_nodes_agree(target, f"the alias {alias}")

    def drop(self) -> None:
        """Delete the collection, and wait until no node has it any more."""
        with contextlib.suppress(ObjectNotFound):
            _call(self.client.collections[self.name].delete)
        self._until_nodes_agree(self._count_on, f"deleting {self.name}")


_UNAVAILABLE = (TypesenseClientError, httpx.HTTPError, OSError)
"""What a node that is down, starting or electing a leader raises (after the client's retries)."""


EMPTY_REPLY = "Invalid response -"
"""How the typesense client reports a bulk import answered with an empty body."""


def retried_on_empty_reply(request, retries: int, interval: float):
    """`request()`, again up to `retries` times `interval` seconds apart while the cluster answers
    a bulk import with an empty body, as a replicated cluster now and then does (seen once here,
    building the projects set's index right after a cluster started; reported for clusters in
    typesense-python's pull request 27). The client raises "Invalid response - " and does not
    retry it. Upserts are idempotent, so a repeat is harmless; any other error is raised at once."""
    for attempt in range(retries + 1):
        try:
            return request()
        except TypesenseClientError as error:
            if str(error).strip() != EMPTY_REPLY or attempt == retries:
                raise
        time.sleep(interval)


def _call(function, *args):
    """A client call, with the failover bounds of the connection; an exhausted cluster is
    StoreUnavailableError (a request that was refused as malformed stays what it is)."""
    try:
        return function(*args)
    except (ObjectNotFound, ObjectAlreadyExists):
        raise
    except _UNAVAILABLE as error:
        raise StoreUnavailableError(f"typesense cluster unavailable: {type(error).__name__}: {error}") from error


def _quoted(value) -> str:
    return f"`{value}`" if isinstance(value, str) else str(int(value))


def _in(field_name: str, values: Iterable) -> str:
    return f"{field_name}:=[{','.join(_quoted(v) for v in values)}]"


def filter_by(filters: "Filters") -> str | None:
    """A query's filters in Typesense syntax (the same records as RecordTable.mask), or None when
    no record can pass (no kinds wanted)."""
    if not filters.kinds:
        return None
    clauses = [_in("kind", filters.kinds)]
    clauses += [_in(name, wanted) for name, wanted in filters.values.items() if wanted]
    if filters.period_from is not None or filters.period_to is not None:
        clauses.append("period_start:>=0")  # a record without a period never passes a period filter
        if filters.period_to is not None:
            clauses.append(f"period_start:<={int(filters.period_to)}")
        if filters.period_from is not None:
            clauses.append(f"period_end:>={int(filters.period_from)}")
    return " && ".join(clauses)


def _restriction(filters: "Filters | None", field_name: str, allowed) -> tuple[bool, str | None]:
    """(whether anything can match, the filter_by to send): the declarative filters when given,
    else the allowed ids."""
    if filters is not None:
        clause = filter_by(filters)
        return clause is not None, clause
    if allowed is None:
        return True, None
    allowed = list(allowed)
    return bool(allowed), _in(field_name, allowed) if allowed else None


def _with_filter(search: dict, clause: str | None) -> dict:
    return {**search, "filter_by": clause} if clause else search


def _pages(limit: int) -> range:
    return range(1, (limit + PAGE_SIZE - 1) // PAGE_SIZE + 1)


class _Published:
    """Publishing and releasing a build's collection, the same for both stores: its alias
    (`<alias>-<role>`) is pointed at it when the build goes live, and it is dropped with the build."""

    alias_role: str

    @classmethod
    def publish(cls, path: Path) -> None:
        collection = _Collection.of(path)
        collection.point_alias(f"{collection.connection.alias}-{cls.alias_role}")

    @classmethod
    def release(cls, path: Path) -> None:
        if _Collection.saved_in(path):
            _Collection.of(path).drop()


class TypesenseVectorStore(_Published, VectorStore):
    """Nearest chunks by Typesense's HNSW vector index (cosine); vectors read back locally."""

    name, kind = "typesense", "hnsw"
    alias_role = "vectors"

    def __init__(self, dimension: int, collection: _Collection | None = None, rows: RowVectors | None = None):
        self.dimension = dimension
        self._collection = collection
        self._rows = rows or RowVectors(dimension)

    @property
    def collection(self) -> _Collection:
        if self._collection is None:
            fields = [{"name": "row", "type": "int32"}, *FACT_FIELDS]
            fields.append({"name": "embedding", "type": "float[]", "num_dim": self.dimension})
            self._collection = _Collection.new("vectors", fields)
        return self._collection

    def add(self, ids: np.ndarray, vectors: np.ndarray, facts: Sequence[dict] | None = None) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        facts = facts if facts is not None else [_NO_FACTS] * len(ids)
        documents = [
            {"id": str(row), "row": int(row), "embedding": vector.tolist(), **row_facts}
            for row, vector, row_facts in zip(ids, np.asarray(vectors, dtype=np.float32), facts, strict=True)
        ]
        self.collection.upsert(documents)
        self.collection.settle()  # searches right after see the rows, as with a local store
        self._rows.add(ids, vectors)

    def remove(self, ids: np.ndarray) -> None:
        self.collection.delete_where("row", [int(row) for row in ids])
        self.collection.settle()
        self._rows.remove(ids)

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, filters: "Filters | None" = None):
        found_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        found_ids = np.full((len(queries), k), -1, dtype=np.int64)
        possible, clause = _restriction(filters, "row", None if allowed is None else (int(r) for r in allowed))
        if not possible or k == 0 or not len(queries):
            return found_scores, found_ids
        searches = [
            _with_filter(
                {
                    "q": "*",
                    "vector_query": f"embedding:([{','.join(f'{x:.8g}' for x in query)}], k:{k})",
                    "per_page": PAGE_SIZE,
                    "page": page,
                    "include_fields": "row",
                },
                clause,
            )
            for query in np.asarray(queries, dtype=np.float32)
            for page in _pages(k)
        ]
        results = iter(self.collection.search(searches))
        for number in range(len(queries)):
            hits = [hit for _ in _pages(k) for hit in next(results)["hits"]]
            # With a filter 0.24 answers every matching row, not the k nearest: sort and cut here.
            best = sorted(((1.0 - hit["vector_distance"], hit["document"]["row"]) for hit in hits), reverse=True)[:k]
            for rank, (score, row) in enumerate(best):
                found_scores[number, rank], found_ids[number, rank] = score, row
        return found_scores, found_ids

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        return self._rows.take(ids)

    def count(self) -> int:
        return len(self._rows)

    def save(self, path: Path) -> None:
        self._rows.save(path)
        self.collection.write_info(path, dimension=self.dimension)

    @classmethod
    def load(cls, path: Path) -> "TypesenseVectorStore":
        info = _Collection.read_info(path)
        return cls(info["dimension"], _Collection.of(path), RowVectors.load(path, info["dimension"]))


_NO_FACTS = {"kind": "", "period_start": -1, "period_end": 9999}
"""The fields of a row stored without its record's facts (a store used on its own)."""


class TypesenseKeywordStore(_Published, KeywordStore):
    """Chunks by id in a Typesense collection, searched with Typesense's relevance; see the module docstring."""

    name = "typesense"
    alias_role = "keyword"

    def __init__(self, directory: Path, collection: _Collection):
        self.directory = directory
        self._collection = collection
        self._pending: list[dict] = []

    @classmethod
    def create(cls, directory: Path) -> "TypesenseKeywordStore":
        directory.mkdir(parents=True)
        fields = [
            {"name": "chunk_id", "type": "string"},
            {"name": "doc_id", "type": "string"},
            {"name": "title", "type": "string"},
            {"name": "text", "type": "string"},
            {"name": "grams", "type": "string", "optional": True},
            *FACT_FIELDS,
        ]
        collection = _Collection.new("keyword", fields)
        collection.write_info(directory)  # at once: a build that fails after this can still release it
        return cls(directory, collection)

    @classmethod
    def load(cls, directory: Path) -> "TypesenseKeywordStore":
        return cls(directory, _Collection.of(directory))

    def add(self, chunks: Iterable[KeywordChunk]) -> None:
        for chunk in chunks:
            document = {"id": chunk.chunk_id, "chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id}
            document |= {"title": chunk.title, "text": chunk.text, **(_NO_FACTS | chunk.facts)}
            if has_grams(chunk.language):
                document["grams"] = " ".join(word_grams(chunk.text))
            self._pending.append(document)

    def _flush(self) -> None:
        if self._pending:
            self._collection.upsert(self._pending)
            self._pending = []

    def remove(self, doc_ids: Iterable[str]) -> None:
        self._flush()  # changes apply in the order they were asked for
        self._collection.delete_where("doc_id", sorted(set(doc_ids)))

    def save(self, directory: Path | None = None) -> None:
        self._flush()
        if directory is not None and directory != self.directory:
            directory.mkdir(parents=True)
            self._collection = self._collection.copy("keyword")
            self._collection.write_info(directory)
            self.directory = directory
        self._collection.settle()

    def count(self) -> int:
        return self._collection.count()

    def search(
        self,
        text: str,
        language: str | None,
        limit: int,
        allowed_docs: set[str] | None = None,
        filters: "Filters | None" = None,
    ) -> list[KeywordHit]:
        words = query_words(text)
        fields = {"query_by": "title,text", "query_by_weights": f"{TITLE_WEIGHT},{TEXT_WEIGHT}"}
        if len(words) >= ANY_WORD_FROM:
            # Typos and the last word's prefix stand in for the stemming 0.24 lacks.
            return self._any_token(words, fields | {"typo_tokens_threshold": PAGE_SIZE}, limit, allowed_docs, filters)
        # Without these, all words must match exactly (the last as a prefix); with them, words are
        # dropped and then matched with typos until `limit` chunks match: for a few words the nearest
        # 0.24 has to an OR of them, and typos stand in for the stemming it lacks.
        return self._best_chunks(words, fields | {"typo_tokens_threshold": limit}, limit, allowed_docs, filters)

    def _any_token(self, tokens: list[str], search: dict, limit: int, allowed_docs, filters) -> list[KeywordHit]:
        """The best `limit` chunks for any of `tokens`, each searched alone as `search` says: a chunk
        scores the sum of the inverse document frequencies (BM25's, from each search's `found`
        among the searched chunks) of the tokens it is among the first PAGE_SIZE chunks of. Dropping
        tokens until enough chunks match all the others, as a query of a few words is searched,
        kept a long description's first few words only."""
        possible, clause = _restriction(filters, "doc_id", None if allowed_docs is None else sorted(allowed_docs))
        if not tokens or not possible or limit <= 0:
            return []
        search = search | CHUNK_IDS | {"drop_tokens_threshold": 0, "per_page": PAGE_SIZE, "page": 1}
        every = _with_filter({"q": "*", "per_page": 0}, clause)  # how many chunks are searched
        alone = [_with_filter({**search, "q": token}, clause) for token in tokens]
        searched, *results = self._collection.search([every, *alone])
        chunks = searched["found"]
        scores: dict[str, float] = defaultdict(float)
        for result in results:
            found = result["found"]
            rarity = math.log(1 + (chunks - found + 0.5) / (found + 0.5))
            for hit in result["hits"]:
                scores[hit["document"]["chunk_id"]] += rarity
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [KeywordHit(chunk_id, score) for chunk_id, score in best]

    def search_grams(self, text: str, limit: int, allowed_docs: set[str] | None = None, filters=None):
        # The grams of the query's words (query_words: no document frequencies to pick the rarest by),
        # matched exactly: a gram with a typo is another gram.
        grams = list(dict.fromkeys(word_grams(" ".join(query_words(text)))))
        search = {"query_by": "grams", "num_typos": 0, "prefix": False}
        return self._any_token(grams, search, limit, allowed_docs, filters)

    def _best_chunks(self, tokens: list[str], search: dict, limit: int, allowed_docs, filters) -> list[KeywordHit]:
        """The best `limit` chunks for the `tokens`, searched as `search` says, tokens dropped until `limit` match."""
        possible, clause = _restriction(filters, "doc_id", None if allowed_docs is None else sorted(allowed_docs))
        if not tokens or not possible or limit <= 0:
            return []
        search |= CHUNK_IDS | {"q": " ".join(tokens), "drop_tokens_threshold": limit, "per_page": PAGE_SIZE}
        results = self._collection.search([_with_filter({**search, "page": page}, clause) for page in _pages(limit)])
        hits = [hit for result in results for hit in result["hits"]][:limit]
        return [KeywordHit(hit["document"]["chunk_id"], float(hit["text_match"])) for hit in hits]

    def highlight(self, text: str, query: str, language: str | None) -> list[list[int]]:
        # Locally, as Typesense matches (folded words, the query's words as prefixes): the engine
        # asks for every passage it shows, often dense matches, and a request each would cost a round trip.
        # Function words are never marked: stopwords-iso's list of the passage's language (this
        # engine has no Snowball lists, which the others prefer where they have one).
        words = {_fold(word) for word in query_words(query) if not iso_stop_word(word, language)}
        stems = query_stems(query, language)
        return [
            [match.start(), match.end()]
            for match in _WORD.finditer(text)
            if any(_matches(_fold(match.group()), word) for word in words)
            or (stems.inflected(match.group()) and not iso_stop_word(match.group(), language))
        ]


def _matches(word: str, query_word: str) -> bool:
    """Whether a folded word of the text matches a folded query word: equal, or (3 letters or more) its prefix."""
    return word == query_word or (len(query_word) >= 3 and word.startswith(query_word))


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ς", "σ")


def query_words(text: str) -> list[str]:
    """The words of user text (never query syntax), each once; a long description keeps its
    `MAX_QUERY_WORDS` longest words (long words are the rarer ones; Typesense gives no document
    frequencies to choose the rarest by, as base.rarest_words does), in their order."""
    words = list(dict.fromkeys(_WORD.findall(text.casefold())))
    if len(words) > MAX_QUERY_WORDS:
        kept = set(sorted(words, key=lambda w: (-len(w), w))[:MAX_QUERY_WORDS])
        words = [word for word in words if word in kept]
    return words
