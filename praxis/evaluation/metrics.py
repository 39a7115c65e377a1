"""Search quality: nDCG@10, recall@10 and MRR per mode, query language and language pair.

In: an evaluation set (``evaluation/queries.yml``: problem descriptions with graded
relevance judgments against practice ids), a loaded index and the embedder. Out: an
:class:`EvaluationReport` with metrics (computed by ranx) for keyword, semantic and
hybrid search: overall, per query language, per (query language, practice language)
pair, and the language bias: the share of the top 10 written in the query's language,
against the share of the relevant practices that can be read in it (see :func:`_bias`).

Judgments name practice group ids (the original's id): a practice found through any of
its language versions counts once.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError
from ranx import Qrels, Run, evaluate

import engine
from engine.loaded import LoadedIndex

METRICS = ["ndcg@10", "recall@10", "mrr"]
MODES = ("keyword", "semantic", "hybrid")
RUN_DEPTH = 100


class EvaluationQuery(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    language: str = Field(pattern=r"^[a-z]{2}$")
    split: str = Field(pattern=r"^(tune|test)$")
    text: str = Field(min_length=3)
    relevant: dict[str, int] = Field(description="Practice id to grade: 3 exact fit, 2 useful, 1 related")


def of_split(queries: list, split: str) -> list:
    """The queries of `split` ("tune" or "test"), or all of them for "all"."""
    return [query for query in queries if split in ("all", query.split)]


class QuerySetError(ValueError):
    """A query set that cannot be evaluated; the message names every problem."""


def load_queries(path: Path) -> list[EvaluationQuery]:
    """The queries of a practices set (evaluation/queries.yml's format); QuerySetError if unusable."""
    return load_query_set(path, EvaluationQuery, "evaluation/queries.yml")


def load_query_set(
    path: Path, model: type[BaseModel], example: str, complete: Callable[[dict], dict] = lambda item: item
) -> list:
    """The queries listed under `queries:` in the YAML file `path`, each made a `model` after
    `complete` fills in what it may leave out. Raises QuerySetError naming the file and, for each
    bad query, its number, id and field, and pointing to `example`, a file in the set's format;
    nothing is evaluated until all are mended."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        message = f"{path}: cannot be read as YAML ({error}); write it in {example}'s format"
        raise QuerySetError(message) from None
    items = raw.get("queries") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise QuerySetError(f"{path}: no queries; write them as a list under `queries:` (see {example})")
    queries, problems = [], []
    for number, item in enumerate(items, start=1):
        try:
            queries.append(model.model_validate(complete(item) if isinstance(item, dict) else item))
        except ValidationError as error:
            name = item.get("id", "?") if isinstance(item, dict) else "?"
            for detail in error.errors():
                field = ".".join(str(part) for part in detail["loc"]) or "(the query)"
                problems.append(f"{path}: query {number} ({name}): {field}: {detail['msg']}")
    if problems:
        raise QuerySetError("\n".join([*problems, "Mend these queries and run again; nothing was evaluated."]))
    return queries


@dataclass
class Settings:
    """Search parameters under evaluation."""

    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    centre: bool = False
    fusion: str = "rrf"
    language_share_scale: float = 0.5
    feedback: bool = False
    """hybrid: the second dense pass with pseudo-relevance feedback (off for the plain baselines)."""
    terminology_weight: float = 0.0
    """hybrid: the weight of the query's expansion through the terminology (off for the baselines)."""
    project_raw_similarity: float = 0.0
    """hybrid: the raw similarity's share in project records' dense scores (off for the baselines)."""
    grams_scale: float = 0.0
    """hybrid: the weight of character n-gram matches per unit of language share (off for the baselines)."""

    def query(
        self, text: str, mode: str, kinds: list[str], depth: int, languages: list[str] | None = None
    ) -> engine.Query:
        """The engine query for `text` with these parameters (named as the query's own), over
        records of `kinds` (and of `languages`, when given), `depth` hits."""
        filters = engine.Filters(values={"language": list(languages)} if languages else {}, kinds=list(kinds))
        return engine.Query(text, mode, filters, page_size=depth, **asdict(self))


@dataclass
class EvaluationReport:
    queries: int
    overall: dict[str, dict[str, float]] = field(default_factory=dict)
    by_query_language: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    by_language_pair: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    language_bias: dict[str, dict[str, float]] = field(default_factory=dict)


def run_queries(
    index: LoadedIndex,
    embedder,
    queries: list[EvaluationQuery],
    mode: str,
    settings: Settings,
    kinds: tuple[str, ...] = ("practice",),
    within: list[str] | None = None,
) -> dict:
    """{query id: {group id: score}} for the top RUN_DEPTH records of `kinds` (written in the
    languages `within`, when given), with the languages of each query's top 10."""
    ranked = {}
    for query in queries:
        result = engine.search(index, embedder, settings.query(query.text, mode, kinds, RUN_DEPTH, within))
        ranked[query.id] = [(hit["group_id"], hit["language"]) for hit in result.results]
    return ranked_run(ranked)


def ranked_run(ranked: dict[str, list[tuple[str, str]]]) -> dict:
    """What run_queries returns, from each query id's ranked (group id, language shown) hits, best
    first: the run (a higher score for a better rank) and the languages of the top 10."""
    return {
        "run": {q: {group: float(len(hits) - n) for n, (group, _) in enumerate(hits)} for q, hits in ranked.items()},
        "top10_languages": {q: [language for _, language in hits[:10]] for q, hits in ranked.items()},
    }


def _metrics(qrels: dict, run: dict) -> dict[str, float]:
    judged = {q: r for q, r in qrels.items() if r}
    if not judged:
        return {}
    scores = evaluate(Qrels.from_dict(judged), Run.from_dict({q: run[q] or {"-": 0.0} for q in judged}), METRICS)
    return {name: round(float(value), 4) for name, value in scores.items()}


@dataclass(frozen=True)
class RecordLanguages:
    """The languages of an index's records by group id: the original's (`original`), and every
    language one of its versions is written in (`readable`: the original's and its translations')."""

    original: dict[str, str]
    readable: dict[str, frozenset[str]]


def record_languages(index: LoadedIndex) -> RecordLanguages:
    """The languages of every record of the index (see RecordLanguages)."""
    readable = defaultdict(set)
    for document in index.documents:
        readable[document.group_id].add(document.language)
    return RecordLanguages(
        original={d.group_id: d.language for d in index.documents if d.id == d.group_id},
        readable={group: frozenset(languages) for group, languages in readable.items()},
    )


@dataclass
class Scores:
    """One system's figures on a set of queries: overall, per query language, per language pair, bias."""

    overall: dict[str, float]
    by_query_language: dict[str, dict[str, float]]
    by_language_pair: dict[str, dict[str, float]]
    language_bias: dict[str, float]


def score(queries: list[EvaluationQuery], produced: dict, languages: RecordLanguages) -> Scores:
    """Score a run (what :func:`run_queries` returned) on `queries`, which may be a subset of its
    queries; language pairs are by the original's language."""
    qrels = {q.id: q.relevant for q in queries}
    run = produced["run"]
    by_language = defaultdict(list)
    for query in queries:
        by_language[query.language].append(query.id)
    pairs = defaultdict(dict)
    for query in queries:
        for record, grade in query.relevant.items():
            pairs[(query.language, languages.original.get(record, "?"))].setdefault(query.id, {})[record] = grade
    return Scores(
        overall=_metrics(qrels, run),
        by_query_language={
            language: _metrics({q: qrels[q] for q in ids}, run) | {"queries": len(ids)}
            for language, ids in sorted(by_language.items())
        },
        by_language_pair={
            f"{ql}->{rl}": _metrics(pair_qrels, run) | {"queries": len(pair_qrels)}
            for (ql, rl), pair_qrels in sorted(pairs.items())
        },
        language_bias=_bias(queries, produced["top10_languages"], languages),
    )


def evaluate_index(
    index: LoadedIndex, embedder, queries: list[EvaluationQuery], settings: Settings, modes=MODES
) -> EvaluationReport:
    languages = record_languages(index)
    report = EvaluationReport(queries=len(queries))
    for mode in modes:
        scores = score(queries, run_queries(index, embedder, queries, mode, settings), languages)
        report.overall[mode] = scores.overall
        report.by_query_language[mode] = scores.by_query_language
        report.by_language_pair[mode] = scores.by_language_pair
        report.language_bias[mode] = scores.language_bias
    return report


def _bias(queries: list[EvaluationQuery], top10: dict, languages: RecordLanguages) -> dict[str, float]:
    """Share of the top 10 in the query's language, against the share of the relevant records
    that can be read in it (that have a version in it), each a mean over the queries.

    Both sides count what a reader sees: a hit is in the language of the version shown, and a
    search shows a practice's version in the query's language when that version matches best.
    Counting the relevant practices by their original's language instead made a perfect ranking
    look biased whenever a relevant practice had a translation in the query's language."""
    shown, expected = [], []
    for query in queries:
        if top10[query.id]:
            shown.append(np.mean([language == query.language for language in top10[query.id]]))
        readable = [query.language in languages.readable.get(record, ()) for record in query.relevant]
        expected.append(np.mean(readable) if readable else 0.0)
    share, base = float(np.mean(shown)), float(np.mean(expected))
    return {
        "top10_share_in_query_language": round(share, 4),
        "relevant_share_in_query_language": round(base, 4),
        "excess": round(share - base, 4),
    }


TRANSLATION_DIR = Path(__file__).resolve().parents[2] / "evaluation" / "translation"


def translation_retrieval(embedder, path: Path, pairs: int = 200) -> dict[str, dict[str, float]]:
    """Cross-lingual retrieval of translations in a pool mixed with unrelated same-language text.

    The pool holds `pairs` English sentences and `pairs` *other* sentences in the query's
    language; each query must find its English translation. Reported raw and with
    per-language centring (each side's pool mean subtracted): accuracy@1 and the share of
    the top 10 in the query's language (the relevant item is English: lower is fairer).
    """
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
    pairs = min(pairs, len(rows) // 2)
    queries = embedder.embed_queries([foreign for foreign, _ in rows[:pairs]])
    english = embedder.embed_passages([en for _, en in rows[:pairs]])
    unrelated = embedder.embed_passages([foreign for foreign, _ in rows[pairs : 2 * pairs]])
    same_language = np.array([False] * pairs + [True] * pairs)

    def measure(query_vectors, pool):
        top10 = np.argsort(-(query_vectors @ pool.T), axis=1)[:, :10]
        return {
            "accuracy_at_1": round(float(np.mean(top10[:, 0] == np.arange(pairs))), 4),
            "same_language_share_top10": round(float(same_language[top10].mean()), 4),
        }

    def centred(vectors, mean):
        shifted = vectors - mean
        return shifted / np.linalg.norm(shifted, axis=1, keepdims=True)

    english_mean, foreign_mean = english.mean(axis=0), unrelated.mean(axis=0)
    return {
        "raw": measure(queries, np.vstack([english, unrelated])),
        "centred": measure(
            centred(queries, foreign_mean),
            np.vstack([centred(english, english_mean), centred(unrelated, foreign_mean)]),
        ),
    }


def tune(index: LoadedIndex, embedder, queries: list[EvaluationQuery], grid: list[Settings]) -> list[dict]:
    """Hybrid nDCG@10 of each candidate setting on `queries` (the tuning split), best first."""
    qrels = {q.id: q.relevant for q in queries}
    rows = []
    for candidate in grid:
        run = run_queries(index, embedder, queries, "hybrid", candidate)["run"]
        rows.append({"settings": candidate.__dict__, **_metrics(qrels, run)})
    return sorted(rows, key=lambda row: -row["ndcg@10"])
