"""Curriculum drafts: from a training topic to modules, case studies and a timetable.

In: a loaded index, the embedder, a :class:`DraftRequest` (topic, audience, hours,
language) and the methodology's teaching order. Out: a :class:`~indexer.curriculum.Curriculum`
the trainer then edits:

- modules: the methodology pages the topic is closest to (one per half day, as the
  methodology is taught, two to six), in the order the methodology overview teaches them;
- case studies: one to three practices per module, found by cross-lingual search on the
  topic and the module, preferring validated practices with stronger evidence, mixing
  languages, and never the same practice twice;
- time: the total split between modules by relevance, in half hours, adding up exactly;
- activities and outcomes: starting points in the curriculum's language.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import engine
from engine.loaded import LoadedIndex
from indexer.embedders import Embedder
from indexer.model import ID_MAX_LENGTH, ID_PATTERN
from indexer.writing import slug
from praxis.curricula.model import Curriculum, Module

HOURS_PER_MODULE = 4
"""The methodology is taught as half-day modules."""
MIN_MODULES, MAX_MODULES = 2, 6
SLOT = 0.5
"""Hours are allocated in half hours."""
CANDIDATES = 20
EVIDENCE_BONUS = {"emerging": 0, "promising": 0.5, "good": 1, "best": 1.5}
VALIDATED_BONUS = 1
OVERVIEW = "methodology/index"

PHRASES = {
    "en": {
        "input": "Input and discussion: {module}",
        "case_study": "Case study: {practice}",
        "exercise": "Group exercise: apply {module} to a case from your own work",
        "outcome": "Participants can apply {module} in their own work",
    },
    "pt": {
        "input": "Apresentação e debate: {module}",
        "case_study": "Estudo de caso: {practice}",
        "exercise": "Exercício em grupo: aplicar {module} a um caso do seu trabalho",
        "outcome": "Os participantes sabem aplicar {module} no seu trabalho",
    },
    "fr": {
        "input": "Exposé et discussion : {module}",
        "case_study": "Étude de cas : {practice}",
        "exercise": "Exercice en groupe : appliquer {module} à un cas de votre pratique",
        "outcome": "Les participants savent appliquer {module} dans leur travail",
    },
    "ro": {
        "input": "Prezentare și discuție: {module}",
        "case_study": "Studiu de caz: {practice}",
        "exercise": "Exercițiu în grup: aplicați {module} pe un caz din propria activitate",
        "outcome": "Participanții pot aplica {module} în propria activitate",
    },
    "it": {
        "input": "Presentazione e discussione: {module}",
        "case_study": "Caso di studio: {practice}",
        "exercise": "Esercizio di gruppo: applicare {module} a un caso del proprio lavoro",
        "outcome": "I partecipanti sanno applicare {module} nel proprio lavoro",
    },
    "el": {
        "input": "Παρουσίαση και συζήτηση: {module}",
        "case_study": "Μελέτη περίπτωσης: {practice}",
        "exercise": "Ομαδική άσκηση: εφαρμογή του θέματος «{module}» σε περίπτωση από τη δική σας δουλειά",
        "outcome": "Οι συμμετέχοντες μπορούν να εφαρμόσουν το θέμα «{module}» στη δουλειά τους",
    },
    "hu": {
        "input": "Előadás és megbeszélés: {module}",
        "case_study": "Esettanulmány: {practice}",
        "exercise": "Csoportmunka: {module} alkalmazása egy saját esetre",
        "outcome": "A résztvevők alkalmazni tudják a saját munkájukban: {module}",
    },
    "pl": {
        "input": "Wykład i dyskusja: {module}",
        "case_study": "Studium przypadku: {practice}",
        "exercise": "Ćwiczenie w grupach: zastosowanie tematu „{module}” do przypadku z własnej pracy",
        "outcome": "Uczestnicy potrafią zastosować temat „{module}” we własnej pracy",
    },
    "es": {
        "input": "Exposición y debate: {module}",
        "case_study": "Estudio de caso: {practice}",
        "exercise": "Ejercicio en grupo: aplicar {module} a un caso del propio trabajo",
        "outcome": "Las personas participantes saben aplicar {module} en su trabajo",
    },
    "de": {
        "input": "Input und Diskussion: {module}",
        "case_study": "Fallstudie: {practice}",
        "exercise": "Gruppenübung: {module} auf einen Fall aus der eigenen Arbeit anwenden",
        "outcome": "Die Teilnehmenden können {module} in ihrer eigenen Arbeit anwenden",
    },
}
"""Activity and outcome starting points per language: input, case study, exercise, outcome."""


@dataclass(frozen=True)
class DraftRequest:
    topic: str
    audience: str
    hours: float
    language: str
    id: str | None = None

    def check(self, languages: tuple[str, ...]) -> None:
        """Raise ValueError naming the field and what to use when the language is not one of
        `languages` (the taxonomy's, which a curriculum must be in) or the id is not a file name a
        curriculum may have; the topic, audience and hours are bounded by whoever asks."""
        if self.language not in languages:
            raise ValueError(f"language '{self.language}': use one of {', '.join(languages)}")
        if self.id is not None and not re.fullmatch(ID_PATTERN, self.id):
            raise ValueError(
                f"id '{self.id}': use 3 to {ID_MAX_LENGTH} lower-case letters, digits and hyphens, "
                "starting and ending with a letter or digit"
            )


class MethodologyMissing(Exception):
    """No draft can be made: the methodology's overview page or its pages in the index are missing
    (a set-up problem, not the request's); the message says which and what to do."""


def methodology_order(docs_dir: Path) -> list[str]:
    """Methodology page ids in the order the overview page first links them (its teaching order)."""
    path = docs_dir / f"{OVERVIEW}.md"
    try:
        overview = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = f"the methodology overview {path} cannot be read ({error}): check PRAXIS_DOCS_DIR"
        raise MethodologyMissing(message) from None
    order = []
    for target in re.findall(r"\]\(([\w-]+)\.md\)", overview):
        page = f"methodology/{target}"
        if page not in order:
            order.append(page)
    return order


def draft(index: LoadedIndex, embedder: Embedder, request: DraftRequest, order: list[str], centre: bool) -> Curriculum:
    pages = _relevant_pages(index, embedder, request, centre)
    if not pages:
        raise MethodologyMissing("the index holds no methodology pages to make modules of: run `praxis index`")
    count = min(max(round(request.hours / HOURS_PER_MODULE), MIN_MODULES), MAX_MODULES, len(pages))
    chosen = sorted(pages[:count], key=lambda hit: _position(order, hit["group_id"]))
    hours = allocate(request.hours, _weights(chosen))
    phrases = PHRASES.get(request.language, PHRASES["en"])
    used: set[str] = set()
    modules = []
    for hit, module_hours in zip(chosen, hours, strict=True):
        text = f"{request.topic}. {hit['title']}"
        practices = _case_studies(index, embedder, text, case_studies_for(module_hours), used, centre)
        used.update(p["group_id"] for p in practices)
        versions = [_version(p, request.language) for p in practices]
        activities = [
            phrases["input"].format(module=hit["title"]),
            *(phrases["case_study"].format(practice=f"{v['title']} ({v['language']})") for v in versions),
            phrases["exercise"].format(module=hit["title"]),
        ]
        modules.append(
            Module(
                page=hit["group_id"], hours=module_hours, activities=activities, practices=[v["id"] for v in versions]
            )
        )
    return Curriculum(
        id=request.id or _draft_id(request),
        title=request.topic,
        audience=request.audience,
        language=request.language,
        hours=request.hours,
        outcomes=[phrases["outcome"].format(module=hit["title"]) for hit in chosen],
        modules=modules,
    )


def _draft_id(request: DraftRequest) -> str:
    """The topic's slug, cut at a word boundary, and the language: room for both in an id."""
    stem = slug(request.topic, "curriculum")
    if len(stem) > 56:
        stem = stem[:56].rsplit("-", 1)[0]
    return f"{stem}-{request.language}"


def _relevant_pages(index: LoadedIndex, embedder: Embedder, request: DraftRequest, centre: bool) -> list[dict]:
    """Methodology pages by meaning alone (keywords would favour pages that quote examples in the
    topic's language), one hit per page, shown in the curriculum's language where it is translated:
    its title names the module in the activities and outcomes. The page's id is its group's."""
    filters = engine.Filters(kinds=["page"])
    query = engine.Query(
        request.topic, "semantic", filters, page_size=50, prefer_language=request.language, centre=centre
    )
    hits = engine.search(index, embedder, query).results
    return [hit for hit in hits if hit["group_id"].startswith("methodology/") and hit["group_id"] != OVERVIEW]


def _weights(pages: list[dict]) -> list[float]:
    """Time weights from 1 (the least relevant module) to 2 (the most): relevance matters, every module counts."""
    scores = [max(hit["explanation"]["dense_score"] or 0.0, 0.0) for hit in pages]
    top = max(scores, default=0.0) or 1.0
    return [1 + score / top for score in scores]


def _position(order: list[str], page: str) -> tuple[int, str]:
    return (order.index(page) if page in order else len(order), page)


def allocate(total: float, weights: list[float]) -> list[float]:
    """`total` hours split in proportion to `weights`, in half hours, at least one slot each,
    adding up exactly (largest remainders get the spare slots)."""
    slots = round(total / SLOT)
    floor = [1] * len(weights)
    spare = slots - len(weights)
    if spare < 0:
        raise ValueError(f"{total} h is too short for {len(weights)} modules of at least {SLOT} h")
    weight_sum = sum(weights) or 1.0
    shares = [spare * w / weight_sum for w in weights]
    given = [int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - given[i], reverse=True)
    for i in by_remainder[: spare - sum(given)]:
        given[i] += 1
    return [(f + g) * SLOT for f, g in zip(floor, given, strict=True)]


def _version(hit: dict, language: str) -> dict:
    """The practice's version in `language` if it has one, else its original (id, title, language)."""
    versions = [{"id": hit["id"], "title": hit["title"], "language": hit["language"]}, *hit["versions"]]
    return next(
        (v for v in versions if v["language"] == language),
        next(v for v in versions if v["id"] == hit["group_id"]),
    )


def case_studies_for(hours: float) -> int:
    """One case study per two hours of a module, one to three."""
    return min(3, max(1, round(hours / 2)))


def _case_studies(
    index: LoadedIndex, embedder: Embedder, text: str, wanted: int, used: set[str], centre: bool
) -> list[dict]:
    """`wanted` practices for a module: relevance first, then validation and evidence, mixing languages."""
    query = engine.Query(text, "hybrid", engine.Filters(kinds=["practice"]), page_size=CANDIDATES, centre=centre)
    hits = [hit for hit in engine.search(index, embedder, query).results if hit["group_id"] not in used]
    ranked = sorted(enumerate(hits), key=lambda pair: pair[0] - _standing(pair[1]))
    mixed, repeats = [], []
    for _, hit in ranked:
        (repeats if hit["language"] in {h["language"] for h in mixed} else mixed).append(hit)
    return (mixed + repeats)[:wanted]


def _standing(hit: dict) -> float:
    """How many places a practice moves up for being validated and for stronger evidence."""
    return VALIDATED_BONUS * (hit["status"] == "validated") + EVIDENCE_BONUS.get(hit["evidence"] or "", 0)


def with_query_practices(curriculum: Curriculum, index: LoadedIndex, embedder: Embedder, centre: bool) -> Curriculum:
    """A copy in which each module's `practice_query` has added its best matches (up to three
    case studies per module, practices already in the curriculum skipped)."""
    used = {p for module in curriculum.modules for p in module.practices}
    group_of = {d.id: d.group_id for d in index.documents}
    used_groups = {group_of.get(p, p) for p in used}
    modules = []
    for module in curriculum.modules:
        practices = list(module.practices)
        if module.practice_query and len(practices) < 3:
            found = _case_studies(index, embedder, module.practice_query, 3 - len(practices), used_groups, centre)
            practices += [_version(hit, curriculum.language)["id"] for hit in found]
            used_groups.update(hit["group_id"] for hit in found)
        modules.append(module.model_copy(update={"practices": practices}))
    return curriculum.model_copy(update={"modules": modules})
