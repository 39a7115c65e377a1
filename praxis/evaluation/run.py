"""`praxis eval` as one function: evaluate an index on a query set, optionally tuning first.

In: a loaded index, the embedder, the queries (metrics.load_queries), which split to report, whether to
tune fusion and centring on the tune split, whether to run the translation set, the
settings in force, and a progress wrapper. Out: the results as a JSON-ready dict (what
`--report` writes as results.json).
"""

from collections.abc import Callable, Iterable

from engine.loaded import LoadedIndex
from praxis.evaluation import metrics

TUNING_DENSE_WEIGHTS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
TUNING_SCALES = (0.5, 1.0, 2.0, 4.0)
"""Score fusion: keyword weights per unit of the query language's share of the searched records."""
Progress = Callable[[Iterable, str], Iterable]


def run_evaluation(
    index: LoadedIndex,
    model,
    every: list[metrics.EvaluationQuery],
    split: str,
    current: metrics.Settings,
    tune: bool = False,
    translation: bool = False,
    progress: Progress = lambda items, label: items,
) -> dict:
    chosen = metrics.of_split(every, split)
    results: dict = {
        "queries": {
            "test": sum(q.split == "test" for q in every),
            "tune": sum(q.split == "tune" for q in every),
            "reported": len(chosen),
        }
    }
    if tune:
        grid = [
            metrics.Settings(dense, 1.0, centre, feedback=current.feedback)
            for centre in (False, True)
            for dense in TUNING_DENSE_WEIGHTS
        ]
        grid += [
            metrics.Settings(64.0, 1.0, centre, "zscore", scale, current.feedback)
            for centre in (False, True)
            for scale in TUNING_SCALES
        ]
        tuning = metrics.tune(index, model, [q for q in every if q.split == "tune"], progress(grid, "tuning"))
        results["tuning"] = tuning
        current = metrics.Settings(**tuning[0]["settings"])
    results["settings"] = current.__dict__
    results["index"] = {
        "practices": sum(d.kind == "practice" for d in index.documents),
        "embedder": f"{index.files.embedder.name} {index.files.embedder.version}",
    }
    results["test"] = metrics.evaluate_index(index, model, chosen, current).__dict__
    if translation:
        results["translation"] = translation_results(model, progress)
    return results


def translation_results(model, progress: Progress) -> dict:
    """Translation retrieval per language, and the mean over languages."""
    files = sorted(metrics.TRANSLATION_DIR.glob("*.tsv"))
    per_language = {
        path.name.split("-")[0]: metrics.translation_retrieval(model, path) for path in progress(files, "translation")
    }
    per_language["mean"] = {
        variant: {
            key: round(sum(r[variant][key] for r in per_language.values()) / len(files), 4)
            for key in ("accuracy_at_1", "same_language_share_top10")
        }
        for variant in ("raw", "centred")
    }
    return per_language


def projects_systems(current: metrics.Settings) -> dict[str, tuple[str, metrics.Settings]]:
    """The systems reported on the projects set: each mode with the settings in force, and the
    baseline equal-weight reciprocal rank fusion (hybrid, both weights 1)."""
    equal = metrics.Settings(dense_weight=1.0, keyword_weight=1.0, centre=current.centre, fusion="rrf")
    previous = metrics.Settings(dense_weight=64.0, keyword_weight=1.0, centre=current.centre, fusion="rrf")
    return {mode: (mode, current) for mode in metrics.MODES} | {
        "rank fusion 1:1": ("hybrid", equal),
        "rank fusion 64:1 (before)": ("hybrid", previous),
    }


def judged_records(index: LoadedIndex, queries: list) -> tuple[tuple[str, ...], list[str]]:
    """The kinds of the index's records that `queries` judge (what is searched: a judged set of
    funded projects is not searched among the repository's practices), and the judged ids the
    index does not hold (they count as not found)."""
    judged = {record for query in queries for record in (*query.judged, *query.relevant)}
    kinds = {document.kind for document in index.documents if document.group_id in judged}
    held = {document.group_id for document in index.documents}
    return tuple(sorted(kinds)), sorted(judged - held)


def run_projects_evaluation(
    index: LoadedIndex,
    model,
    every: list,
    split: str,
    current: metrics.Settings,
    progress: Progress = lambda items, label: items,
) -> dict:
    """The projects set (or a judged set of one's own, praxis.evaluation.projects.load_judged_queries)
    on its index: every system's scores on the chosen split of the queries `every`, overall and per
    situation (same-language, cross-language), as a JSON-ready dict."""
    from praxis.evaluation.projects import SITUATIONS

    chosen = metrics.of_split(every, split)
    languages = metrics.record_languages(index)
    kinds, missing = judged_records(index, every)
    groups = {"all": chosen} | {name: [q for q in chosen if q.situation == name] for name in SITUATIONS}
    systems = {}
    for name, (mode, settings) in progress(list(projects_systems(current).items()), "systems"):
        produced = metrics.run_queries(index, model, chosen, mode, settings, kinds=kinds)
        systems[name] = {group: metrics.score(qs, produced, languages).__dict__ for group, qs in groups.items() if qs}
    return {
        "set": "projects",
        "split": split,
        "queries": {group: len(qs) for group, qs in groups.items()},
        "settings": current.__dict__,
        "index": {
            "records": sum(d.kind in kinds for d in index.documents),
            "kinds": list(kinds),
            "judged_records_missing": len(missing),
            "embedder": f"{index.files.embedder.name} {index.files.embedder.version}",
        },
        "systems": systems,
    }
