"""Pieces of the engine on their own: rank fusion, filters (the period's edges), facet counts."""

import threading
import time
from collections import Counter

import pytest

from engine.filters import RecordTable
from engine.fusion import (
    RRF_K,
    Scored,
    best_per_practice,
    language_share_weight,
    ranks,
    reciprocal_rank_fusion,
    score_fusion,
    zscores,
)
from engine.loaded import LoadedIndex
from engine.search import MATCH_Z, Query, query_language, search
from indexer.facets import FACETS, Filters, facet_values
from indexer.layout import Record


def record(record_id: str, group_id: str | None = None, language: str = "en", **meta) -> Record:
    return Record(
        id=record_id,
        group_id=group_id or record_id,
        kind="practice",
        path=f"practices/{record_id}.md",
        title=record_id,
        language=language,
        detected_language=None,
        content_hash="",
        meta=meta,
        extra={},
        sections=[],
    )


def test_ranks_order_by_descending_score():
    assert ranks({"a": 0.2, "b": 0.9, "c": 0.5}) == {"b": 1, "c": 2, "a": 3}


def test_rank_fusion_adds_weighted_reciprocal_ranks_and_counts_one_list_alone():
    fused = reciprocal_rank_fusion({"a": 1, "b": 2}, {"b": 1, "c": 3}, dense_weight=4.0, keyword_weight=1.0)
    assert fused["a"] == pytest.approx(4 / (RRF_K + 1))
    assert fused["b"] == pytest.approx(4 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert fused["c"] == pytest.approx(1 / (RRF_K + 3))
    assert sorted(fused, key=lambda key: -fused[key]) == ["b", "a", "c"]


def test_zscores_centre_and_scale_each_list_and_a_constant_list_gives_zeros():
    z = zscores({"a": 1.0, "b": 2.0, "c": 3.0})
    assert sum(z.values()) == pytest.approx(0.0) and z["c"] == pytest.approx(-z["a"]) and z["c"] > 1.0
    assert zscores({"a": 5.0, "b": 5.0}) == {"a": 0.0, "b": 0.0} and zscores({}) == {}


def test_score_fusion_adds_weighted_zscores_and_gives_an_absent_practice_the_lists_floor():
    dense, keyword = {"a": 0.9, "b": 0.5, "c": 0.4}, {"b": 30.0, "d": 10.0}
    lists = {"dense": dense, "keyword": keyword, "terminology": {}}
    fused, z = score_fusion(lists, {"dense": 1.0, "keyword": 0.5, "terminology": 3.0})
    assert fused["b"] == pytest.approx(z["dense"]["b"] + 0.5 * z["keyword"]["b"])
    assert fused["a"] == pytest.approx(z["dense"]["a"] + 0.5 * z["keyword"]["d"])  # "a" has no keyword hit
    assert fused["d"] == pytest.approx(z["dense"]["c"] + 0.5 * z["keyword"]["d"])  # "d" no dense match
    assert z["terminology"] == {}  # an empty list adds nothing, whatever its weight
    assert score_fusion(lists, {"dense": 1.0, "keyword": 0.0, "terminology": 0.0})[0]["a"] == pytest.approx(
        z["dense"]["a"]
    )
    # A strong keyword hit overtakes a dense leader only with enough weight.
    heavy = score_fusion(lists, {"dense": 1.0, "keyword": 4.0, "terminology": 0.0})[0]
    assert max(fused, key=fused.get) == "a" and max(heavy, key=heavy.get) == "b"


def test_keyword_weight_follows_the_query_languages_share_of_the_searched_records():
    assert language_share_weight(0.0, 1.0) == 0.0
    assert language_share_weight(0.25, 2.0) == pytest.approx(0.5)
    assert language_share_weight(1.5, 1.0) == 1.0


def test_hybrid_with_no_searched_record_in_the_query_language_is_semantic(engine_index, hashing):
    """Score fusion: a query in a language none of the filtered records is written in gives
    keywords no weight, so hybrid orders as semantic does; with records in it, the explanation
    reports the share and the weight it gives."""
    index = LoadedIndex.open(engine_index, hashing)
    text = "locuințe sociale pentru familii rome"
    only_english = Filters(values={"language": ["en"]})
    hybrid = search(index, hashing, Query(text, "hybrid", only_english, page_size=50))
    semantic = search(index, hashing, Query(text, "semantic", only_english, page_size=50))
    dense_only = [hit["group_id"] for hit in semantic.results]
    assert [hit["group_id"] for hit in hybrid.results][: len(dense_only)] == dense_only
    assert all(hit["explanation"]["keyword_weight"] == 0.0 for hit in hybrid.results)
    everything = search(index, hashing, Query(text, "hybrid", page_size=50)).results
    shares = {hit["explanation"]["query_language_share"] for hit in everything}
    assert len(shares) == 1 and 0 < shares.pop() < 1


def test_rank_fusion_is_still_available_and_explained(engine_index, hashing):
    index = LoadedIndex.open(engine_index, hashing)
    query = Query("Roma housing", "hybrid", fusion="rrf", dense_weight=2.0, keyword_weight=1.0)
    top = search(index, hashing, query).results[0]["explanation"]
    assert top["fusion"] == "rrf" and top["dense_weight"] == 2.0 and "dense_z" not in top
    expected = (2.0 / (RRF_K + top["dense_rank"]) if top["dense_rank"] else 0.0) + (
        1.0 / (RRF_K + top["keyword_rank"]) if top["keyword_rank"] else 0.0
    )
    assert top["fused_score"] == pytest.approx(expected, abs=1e-6)


def test_a_practice_scores_by_its_best_language_version():
    documents = [record("p", "p"), record("p-ro", "p", "ro"), record("q")]
    scored = Scored()
    for doc, row, score in ((0, 0, 0.3), (1, 1, 0.8), (1, 2, 0.5), (2, 3, 0.6)):
        scored.add(doc, row, score)
    assert scored.row[1] == 1  # the best chunk is kept, not the last one seen
    assert best_per_practice(scored, documents) == {"p": 0.8, "q": 0.6}


@pytest.mark.parametrize(
    ("period", "wanted", "passes"),
    [
        ({"start": 2010, "end": 2014}, (2014, None), True),  # ends in the first wanted year
        ({"start": 2010, "end": 2014}, (2015, None), False),  # ended the year before
        ({"start": 2016, "end": 2020}, (None, 2016), True),  # starts in the last wanted year
        ({"start": 2016, "end": 2020}, (None, 2015), False),  # starts the year after
        ({"start": 2016, "end": "ongoing"}, (2030, None), True),  # still running
        ({"start": 2016}, (2030, 2031), True),  # no end given: still running
        ({}, (2000, None), False),  # no start: cannot be placed in time
        ({"start": 2012, "end": 2013}, (2010, 2020), True),
    ],
)
def test_the_period_filter_keeps_what_ran_within_the_years(period, wanted, passes):
    matched = Filters(period_from=wanted[0], period_to=wanted[1]).matched(record("p", period=period))
    assert (matched is not None) == passes
    if passes:
        assert matched[-1].startswith(f"period={period['start']}-")


def test_filters_match_any_value_within_a_facet_and_every_facet():
    practice = record("p", language="ro", countries=["RO", "HU"], themes=["housing"])
    assert Filters({"countries": ["HU", "PL"]}).matched(practice) == ["countries=HU"]
    assert Filters({"countries": ["HU"], "themes": ["health"]}).matched(practice) is None
    assert Filters({"language": ["ro"], "themes": []}).matched(practice) == ["language=ro"]
    assert Filters(kinds=["page"]).matched(practice) is None


def test_every_facet_reads_its_values_from_the_record():
    practice = record(
        "p", language="el", countries=["EL"], themes=["health"], target_groups=["roma"], methods=["mediation"],
        evidence={"level": "good"}, validation={"status": "validated"},
    )  # fmt: skip
    assert facet_values(practice) == {
        "language": ["el"],
        "countries": ["EL"],
        "themes": ["health"],
        "target_groups": ["roma"],
        "methods": ["mediation"],
        "evidence": ["good"],
        "status": ["validated"],
    }
    assert len({facet.parameter for facet in FACETS}) == len(FACETS)


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_facet_counts_and_total_agree_with_a_brute_force_count_over_the_results(hashing_index, hashing, mode):
    index = LoadedIndex.open(hashing_index, hashing)
    result = search(index, hashing, Query("Roma families housing", mode, page_size=50))
    assert result.total == len(result.results)
    for facet in FACETS:
        expected: dict[str, int] = {}
        for hit in result.results:  # a practice counts once per value of any of its versions
            versions = index.versions[hit["group_id"]]
            for value in {v for version in versions for v in facet.values(index.by_id[version])}:
                expected[value] = expected.get(value, 0) + 1
        assert result.facets[facet.name] == expected, facet.name


def brute_force_matches(index: LoadedIndex, embedder, query: Query) -> tuple[set[str], dict[str, Counter]]:
    """The matching practices and their facet counts, computed the slow way: every record checked
    with `Filters.matched`, every chunk scored exactly, every keyword hit taken, counts by Counter."""
    passing = {n for n, document in enumerate(index.documents) if query.filters.matched(document) is not None}
    rows = [row for row in range(len(index.chunks)) if index.doc_of_row[row] in passing]
    vector = embedder.embed_queries([query.text])[0]
    similarity = index.vectors @ vector
    sample = [row for row in index.similarity_sample if row in set(rows)]
    background = similarity[sample if len(sample) >= 256 else rows]
    threshold = background.mean() + MATCH_Z * background.std()
    matched = set()
    if query.mode != "keyword":
        matched |= {int(index.doc_of_row[row]) for row in rows if similarity[row] >= threshold}
    if query.mode != "semantic":
        for hit in index.keyword_store.search(query.text, query_language(query.text), len(index.chunks)):
            matched |= {index.position[index.chunks[index.chunk_rows[hit.chunk_id]].doc_id]} & passing
    groups = {index.documents[doc].group_id for doc in matched}
    counts = {facet.name: Counter() for facet in FACETS}
    for group in groups:
        versions = [index.by_id[v] for v in index.versions[group] if index.position[v] in passing]
        for facet in FACETS:
            counts[facet.name].update({value for version in versions for value in facet.values(version)})
    return groups, counts


QUERIES = [
    ("social housing for Roma families", "hybrid", Filters()),
    ("Familienrat families trabalhadores", "hybrid", Filters()),
    ("Familienrat families trabalhadores", "semantic", Filters({"themes": ["child-protection", "housing"]})),
    ("mentores nas empresas trabalhadores", "keyword", Filters(period_from=2015, period_to=2030)),
    ("families", "hybrid", Filters({"language": ["ro", "de"]})),
]


@pytest.mark.parametrize(("text", "mode", "filters"), QUERIES)
def test_totals_and_facet_counts_equal_a_brute_force_count(hashing_index, hashing, text, mode, filters):
    index = LoadedIndex.open(hashing_index, hashing)
    result = search(index, hashing, Query(text, mode, filters, page_size=50))
    groups, counts = brute_force_matches(index, hashing, Query(text, mode, filters))
    assert result.total == len(groups) == len(result.results)
    assert {hit["group_id"] for hit in result.results} == groups
    assert result.facets == {name: dict(counter) for name, counter in counts.items()}


def test_unrelated_queries_have_different_totals_and_facets(hashing_index, hashing):
    index = LoadedIndex.open(hashing_index, hashing)
    housing = search(index, hashing, Query("social housing for Roma families"))
    everything = search(index, hashing, Query("Familienrat families trabalhadores"))
    assert (housing.total, everything.total) == (1, 3)
    assert housing.facets["themes"] != everything.facets["themes"]


def test_the_record_table_filters_as_filters_matched_does(hashing_index, hashing):
    index = LoadedIndex.open(hashing_index, hashing)
    table = RecordTable(index.documents)
    for filters in [
        Filters(),
        Filters({"countries": ["RO", "DE"]}, kinds=["practice", "page"]),
        Filters({"themes": ["housing"], "language": ["en"]}),
        Filters(period_from=2021),
        Filters(period_to=2016, kinds=["practice", "project", "page"]),
        Filters({"evidence": ["emerging"], "status": ["nonexistent"]}),
    ]:
        expected = [filters.matched(document) is not None for document in index.documents]
        assert table.mask(filters).tolist() == expected, filters


def test_a_new_build_loads_in_the_background_while_the_old_one_answers(tmp_path, hashing, monkeypatch):
    import engine.loaded as loaded_module
    from indexer.build import build_index
    from tests.conftest import build_request, copy_fixture_corpus

    root = copy_fixture_corpus(tmp_path)
    first = build_index(build_request(root), hashing)
    holder = loaded_module.IndexHolder(root / "index", hashing)
    assert holder.current().build_id == first.build
    (root / "practices" / "mentoring-migrant-workers.md").unlink()
    second = build_index(build_request(root), hashing)
    opened, slow_open = threading.Event(), LoadedIndex.open

    def open_after_a_while(*args):
        opened.wait(5)  # the new build is "still loading" until the test says so
        return slow_open(*args)

    monkeypatch.setattr(loaded_module.LoadedIndex, "open", staticmethod(open_after_a_while))
    monkeypatch.setattr(loaded_module, "RELOAD_CHECK_SECONDS", 0.0)
    assert holder.current().build_id == first.build  # answered at once by the old build
    opened.set()
    deadline = time.monotonic() + 5
    while holder.current().build_id != second.build:
        assert time.monotonic() < deadline, "the new build never went live"
        time.sleep(0.05)


def test_a_replaced_build_is_freed_without_a_garbage_collection(tmp_path, hashing, monkeypatch):
    # Live objects are frozen out of the collector (engine.loaded.settle_heap), so the old build
    # must go by reference counting alone: a reference cycle in it would keep it in memory for good.
    import gc
    import weakref

    import engine.loaded as loaded_module
    from indexer.build import build_index
    from tests.conftest import build_request, copy_fixture_corpus

    root = copy_fixture_corpus(tmp_path)
    first = build_index(build_request(root), hashing)
    holder = loaded_module.IndexHolder(root / "index", hashing)
    old = holder.current()
    search(old, hashing, Query("housing for Roma families", centre=True))  # fill its caches
    old_build = weakref.ref(old)
    del old
    (root / "practices" / "mentoring-migrant-workers.md").unlink()
    build_index(build_request(root), hashing)
    monkeypatch.setattr(loaded_module, "RELOAD_CHECK_SECONDS", 0.0)
    gc.disable()
    try:
        deadline = time.monotonic() + 10
        while holder.current().build_id == first.build:
            assert time.monotonic() < deadline, "the new build never went live"
            time.sleep(0.05)
        loading = holder._loading
        if loading is not None:
            loading.join()
        assert old_build() is None
    finally:
        gc.enable()
        gc.unfreeze()


def test_feedback_moves_the_query_toward_its_best_matches_and_only_hybrid_uses_it(hashing_index, hashing):
    from engine.search import FEEDBACK_RECORDS, Probe, dense_scores, with_feedback

    index = LoadedIndex.open(hashing_index, hashing)
    allowed = index.table.mask(Filters())
    text = "housing for Roma families in segregated settlements"
    first = dense_scores(index, hashing, text, "en", allowed, centre=True)
    raw = hashing.embed_queries([text])[0]
    probe = Probe(raw, index.centre(raw, "en"))
    moved = with_feedback(index, probe, first, centre=True)
    best = sorted(first.score, key=lambda doc: -first.score[doc])[:FEEDBACK_RECORDS]
    centroid = index.centred_vectors[[first.row[doc] for doc in best]].mean(axis=0)
    assert moved.scoring @ centroid > probe.scoring @ centroid  # nearer to what matched best
    assert moved.scoring @ probe.scoring > 0.8  # and still the query
    second = dense_scores(index, hashing, text, "en", allowed, centre=True, feedback=True)
    assert second.score and second.score != first.score
    explained = {
        mode: search(index, hashing, Query(text, mode, centre=True)).results[0]["explanation"]["dense_feedback"]
        for mode in ("hybrid", "semantic")
    }
    assert explained == {"hybrid": True, "semantic": False}
    plain = search(index, hashing, Query(text, "hybrid", centre=True, feedback=False)).results[0]
    assert plain["explanation"]["dense_feedback"] is False


def test_the_raw_similarity_mix_puts_project_rows_back_on_the_centred_scale():
    import numpy as np

    from engine.search import Background, Probe

    rng = np.random.default_rng(1)
    centred_background, raw_background = rng.normal(size=(300, 8)), rng.normal(size=(300, 8))
    probe = Probe(rng.normal(size=8), rng.normal(size=8))
    background = Background(True, centred_background, raw_background, project_raw_similarity=1.0)
    centred, raw, projects = np.array([0.3, 0.3]), np.array([0.9, 0.9]), np.array([True, False])
    mixed = background.mixed(centred, raw, projects, centred_background @ probe.scoring, raw_background @ probe.raw)
    mean_c, spread_c = (centred_background @ probe.scoring).mean(), (centred_background @ probe.scoring).std()
    z_raw = (0.9 - (raw_background @ probe.raw).mean()) / (raw_background @ probe.raw).std()
    assert mixed[0] == pytest.approx(mean_c + spread_c * z_raw)  # a project: all raw, on the centred scale
    assert mixed[1] == pytest.approx(0.3)  # not a project: as it was
