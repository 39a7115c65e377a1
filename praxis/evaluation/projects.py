"""The second evaluation set: problem descriptions judged against real imported project records.

In: ``evaluation/projects.yml`` (queries with graded judgments against project ids, and the
pool each was judged on), ``evaluation/projects-corpus.txt`` (the ids of the evaluation
corpus: every judged record and a seeded sample of distractors), and the published lists
of operations in ``../shared/opendata`` (or an imports store that already holds them).
Out: the queries as :class:`ProjectQuery`, and an evaluation index of exactly the listed
records, built the normal way (``indexer.build.build_index``) from a filtered imports store.

The records themselves are never copied into the repository: only their ids are.
"""

import datetime as dt
import json
import random
import shutil
from pathlib import Path

from pydantic import Field

from indexer.build import BuildRequest, build_index
from indexer.embedders import Embedder
from indexer.imports.mapping import find_mapping
from indexer.imports.run import import_files
from indexer.imports.store import ImportsStore
from indexer.layout import Record
from indexer.taxonomy import DEFAULT_TAXONOMY
from praxis.evaluation.metrics import EvaluationQuery, load_query_set

EVALUATION_DIR = Path(__file__).resolve().parents[2] / "evaluation"
QUERIES = EVALUATION_DIR / "projects.yml"
EXAMPLE = "evaluation/projects.yml"
"""Where a judged set's author finds the format, as the repository names it."""
CORPUS = EVALUATION_DIR / "projects-corpus.txt"
SITUATIONS = ("same-language", "cross-language")

SOURCES = (
    "be-flanders-erdf-2007-2013",
    "dk-erdf-esf-2007-2013",
    "dk-erdf-esf-2014-2020",
    "fr-feder-fse-iej-2014-2020",
    "hr-esif-2007-2020",
    "hu-nft-esf-2004-2006",
    "ie-esf-peil-2014-2020",
    "ie-se-erdf-2007-2013",
    "mt-esif-2007-2013",
    "mt-opi-erdf-2014-2020",
    "mt-opii-esf-2014-2020",
    "nl-erdf-esf-2007-2013-europaomdehoek",
    "nl-esf-2007-2013",
    "nl-esf-2014-2020",
    "pl-esf-2014-2020",
    "se-erdf-2014-2020",
    "si-esif-2014-2020",
    "sk-itms-2014-2020",
)
"""The lists the set draws on: every list with summaries (nl, hr, sv, sk, da, en, sl) and three
ESF lists with titles only (pl, hu, fr)."""


class ProjectQuery(EvaluationQuery):
    situation: str = Field(pattern=r"^(same-language|cross-language)$")
    length: str = Field(pattern=r"^(short|long)$")
    judged: list[str] = Field(description="Every pooled record that was judged, relevant or not (grade 0)")


def load_project_queries(path: Path = QUERIES) -> list[ProjectQuery]:
    """The queries of the projects set (validated; metrics.QuerySetError names any bad one)."""
    return load_query_set(path, ProjectQuery, EXAMPLE)


def load_judged_queries(path: Path, language_of: dict[str, str]) -> list[ProjectQuery]:
    """A judged set of one's own, in the projects set's format (`evaluation/projects.yml`), for
    `praxis eval --set projects --queries FILE --index DIR`. Its queries may leave out
    `situation`, `length` and `judged`; they are then computed as the projects set's were: the
    situation from the judgments and `language_of` (record id -> language, from the index),
    the length from the words, the judged records as the relevant ones.

    Raises metrics.QuerySetError naming the file and, for each bad query, its number, id and field."""
    return load_query_set(path, ProjectQuery, EXAMPLE, lambda item: _completed(item, language_of))


def _completed(item: dict, language_of: dict[str, str]) -> dict:
    """A query of a judged set with its situation, length and judged records filled in where absent
    (without a language the query is refused for that alone)."""
    relevant = item.get("relevant") if isinstance(item.get("relevant"), dict) else {}
    language = item.get("language") if isinstance(item.get("language"), str) else ""
    filled = {"judged": sorted(relevant), "length": length_of(str(item.get("text", "")))}
    return filled | {"situation": situation(language, relevant, language_of)} | item


def length_of(text: str) -> str:
    """ "short" under 20 words, else "long" (the projects set's split of its queries)."""
    return "short" if len(text.split()) < 20 else "long"


def situation(query_language: str, relevant: dict[str, int], language_of: dict[str, str]) -> str:
    """ "same-language" when most records graded 2 or 3 are in the query's language, else "cross-language"."""
    # A grade that is not a number is refused by the query's model, not here.
    useful = [record for record, grade in relevant.items() if isinstance(grade, int) and grade >= 2] or list(relevant)
    same = sum(language_of.get(record) == query_language for record in useful)
    return "same-language" if useful and same > len(useful) / 2 else "cross-language"


def read_corpus_ids(path: Path = CORPUS) -> set[str]:
    """The ids listed in a corpus file (one a line; blank lines and # comments ignored)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def import_sources(opendata_dir: Path, imports_dir: Path, sources=SOURCES) -> ImportsStore:
    """Import the built-in sources' files from `opendata_dir` into an imports store at `imports_dir`."""
    store = ImportsStore(imports_dir)
    for source in sources:
        mapping = find_mapping(source)
        files = [opendata_dir / name for name in mapping.files]
        import_files(mapping, files, store, dt.date.today().isoformat(), lambda rows: None)
    return store


def filtered_store(source: ImportsStore, ids: set[str] | None, directory: Path, sources=SOURCES) -> ImportsStore:
    """A new imports store at `directory` with only the records of `sources` whose id is in
    `ids` (all of them when `ids` is None), each record once."""
    kept = ImportsStore(directory)
    seen: set[str] = set()
    for stored in source.files():
        if stored.source not in sources:
            continue
        records = [r for r in _records(stored.path) if (ids is None or r.id in ids) and r.id not in seen]
        seen.update(r.id for r in records)
        kept.write(stored.source, Path(stored.file), stored.sha256, stored.imported, stored.rows, records)
    return kept


def _records(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as handle:
        next(handle)
        return [Record.from_json(json.loads(line)) for line in handle]


def build_evaluation_index(
    workdir: Path,
    embedder: Embedder,
    cache_dir: Path,
    ids: set[str] | None = None,
    opendata_dir: Path | None = None,
    imports_dir: Path | None = None,
    stores: tuple[str, str] = ("faiss", "tantivy"),
) -> Path:
    """Build an index of the listed project records (no practices, no pages) at `workdir`/index,
    in the (vector, keyword) `stores` (("typesense", "typesense") puts both on the cluster that
    PRAXIS_TYPESENSE_NODES names).

    The records come from `imports_dir` when that imports store holds every source, or else are
    imported from `opendata_dir` into `workdir`/imports first (once). Returns the index path. The
    build is incremental and the embedding cache at `cache_dir` makes a second build almost free.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    source = _source_store(workdir, imports_dir, opendata_dir)
    corpus = workdir / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    kept = filtered_store(source, ids, corpus)
    empty = workdir / "no-practices"
    empty.mkdir(exist_ok=True)
    request = BuildRequest(
        practices_dir=empty,
        docs_dir=None,
        index_path=workdir / "index",
        cache_dir=cache_dir,
        taxonomy_file=DEFAULT_TAXONOMY,
        imports_dir=kept.directory,
        vector_store=stores[0],
        keyword_store=stores[1],
    )
    build_index(request, embedder)
    return request.index_path


def _source_store(workdir: Path, imports_dir: Path | None, opendata_dir: Path | None) -> ImportsStore:
    """An imports store holding every source: the given one if it does, else one imported into `workdir`."""
    if imports_dir is not None and set(SOURCES) <= {f.source for f in ImportsStore(imports_dir).files()}:
        return ImportsStore(imports_dir)
    if opendata_dir is None or not opendata_dir.is_dir():
        raise FileNotFoundError(f"the lists of operations are not in {opendata_dir} and no imports store has them")
    return import_sources(opendata_dir, workdir / "imports")


def sample_distractors(candidates: list[str], judged: set[str], total: int, seed: int = 16) -> list[str]:
    """`total - len(judged)` ids drawn (seeded) from `candidates` outside `judged`, sorted."""
    pool = sorted(set(candidates) - judged)
    return sorted(random.Random(seed).sample(pool, max(0, min(len(pool), total - len(judged)))))
