"""A promising imported project turned into a practice draft, which then goes through review.

In: a project record, the taxonomy, the ids already taken and today's date. Out: (id,
Markdown) of a draft in the project's own language: the metadata the published list gives
(title, countries, period, programme, fund, organisation, themes where a code named them),
its summary as the problem to start from, the sections a reviewer needs headed and marked
as still to write, and a source that links back to the project record and its lists.
"""

import datetime as dt

from pydantic import ValidationError

from indexer.layout import Record
from indexer.model import FUNDS, PracticeMeta
from indexer.taxonomy import Taxonomy
from indexer.writing import SECTION_ORDER, render_practice, sanitise_markdown, slug
from praxis.submissions.intake import SubmissionError

TO_WRITE = "_To write: {section}. Describe it from the project's documents and people, not from the list._"


def promote(project: Record, taxonomy: Taxonomy, taken: set[str], today: dt.date) -> tuple[str, str]:
    if project.kind != "project":
        raise SubmissionError([f"{project.id} is a {project.kind}, not an imported project"])
    language = project.language  # the draft is written in the project's language; headings fall back to English
    practice_id = slug(project.title, "practice")[:60].strip("-") + f"-{project.id[-6:]}"
    if practice_id in taken:
        raise SubmissionError([f"id: '{practice_id}' is already used: {project.id} was promoted before"], conflict=True)
    meta = _front_matter(project, practice_id, language, today)
    try:
        PracticeMeta.model_validate(meta, context={"taxonomy": taxonomy})
    except ValidationError as error:
        raise SubmissionError([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]) from None
    sections = {key: TO_WRITE.format(section=taxonomy.section_label(key, language)) for key in SECTION_ORDER}
    if project.summary:
        sections["problem"] = sanitise_markdown(project.summary) + "\n\n" + sections["problem"]
    return practice_id, render_practice(meta, sections, language, taxonomy)


def _front_matter(project: Record, practice_id: str, language: str, today: dt.date) -> dict:
    facts = project.facts
    period = {key: value for key, value in (facts.get("period") or {}).items() if value}
    funds = [fund for fund in facts.get("funds") or [] if fund in FUNDS]
    sources = [
        {"title": f"Praxis project record {project.id}", "record": project.id},
        *(
            {"title": f"{p['source']}: {p['file']}, row {p['row']}", **({"url": p["url"]} if p.get("url") else {})}
            for p in facts.get("provenance") or []
        ),
    ]
    meta = {
        "id": practice_id,
        "title": sanitise_markdown(project.title)[:300],
        "language": language,
        "summary": sanitise_markdown(project.summary or project.title)[:1500],
        "countries": project.countries,
        "organisation": facts.get("beneficiary"),
        "programme": facts.get("programme"),
        "fund": funds[0] if funds else None,
        "period": period if period.get("start") else None,
        "themes": project.themes,
        "sources": sources,
        "validation": {"status": "submitted", "date": today.isoformat()},
    }
    return {key: value for key, value in meta.items() if value not in (None, [], {})}
