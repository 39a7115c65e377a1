"""One page per curriculum, and the list of curricula.

In: the curricula directory and the :class:`~praxis.curricula.Library` they cite. Out:
Markdown sources keyed by their place in the site: `curricula/index.md` and
`curricula/<id>.md` with the outcomes, the schedule table, and each module linked to its
methodology page and its case-study practices (a module's `practice_query` becomes a link
to the problem-search page with that description). Invalid curricula are left out with a
warning per problem, so `mkdocs build --strict` fails on them. Every value is escaped.
"""

from pathlib import Path
from urllib.parse import quote

from mkdocs.plugins import get_plugin_logger

from praxis.curricula.export import module_title
from praxis.curricula.library import Library, curriculum_files
from praxis.curricula.model import Curriculum, format_hours, schedule
from site_hooks import markup
from site_hooks.labels import language_name

log = get_plugin_logger(__name__)
INDEX_URI = "curricula/index.md"


def curriculum_pages(curricula_dir: Path, library: Library) -> dict[str, str]:
    curricula = []
    for path in curriculum_files([curricula_dir]) if curricula_dir.is_dir() else []:
        curriculum, problems = library.check(path)
        for problem in problems:
            log.warning(f"{problem} (left out of the site; `praxis curriculum validate` lists every problem)")
        if curriculum:
            curricula.append(curriculum)
    pages = {f"curricula/{c.id}.md": curriculum_markdown(c, library) for c in curricula}
    pages[INDEX_URI] = index_markdown(curricula)
    return pages


def index_markdown(curricula: list[Curriculum]) -> str:
    rows = "\n".join(
        f"| [{markup.inline(c.title)}]({c.id}.md){{lang={c.language}}} | {language_name(c.language)} | "
        f"{markup.inline(c.audience)} | {format_hours(c.hours)} | {len(c.modules)} |"
        for c in curricula
    )
    table = "| Curriculum | Language | Audience | Hours | Modules |\n|---|---|---|---|---|\n" + rows if rows else ""
    return "\n\n".join(
        [
            markup.front_matter({"title": "Curricula"}),
            "# Curricula",
            "Training programmes assembled from the methodology modules, with practices from any language as "
            "case studies. Draft your own with `praxis curriculum draft`, edit the file in `curricula/`, and print "
            "it with `praxis curriculum export`; see [curricula for trainers](../contributing/curricula.md).",
            table or "There are no curricula yet.",
        ]
    )


def curriculum_markdown(curriculum: Curriculum, library: Library) -> str:
    head = markup.front_matter(
        {"title": curriculum.title, "description": curriculum.audience, "language": curriculum.language}
    )
    parts = [
        head,
        f"# {markup.inline(curriculum.title)}",
        f"{markup.inline(curriculum.audience)} · {format_hours(curriculum.hours)} h · "
        f"{len(curriculum.modules)} modules\n{{: .praxis-summary }}",
        "## Learning outcomes",
        "\n".join(f"- {markup.inline(outcome)}" for outcome in curriculum.outcomes),
        "## Schedule",
        _schedule_table(curriculum, library),
    ]
    for slot in schedule(curriculum):
        parts += _module_section(slot, library)
    return "\n\n".join(parts) + "\n"


def _page_link(page: str, text: str) -> str:
    return f"[{markup.inline(text)}](../{page}.md)"


def _practice_link(library: Library, practice_id: str) -> str:
    practice = library.practices[practice_id]
    language = practice.language
    return (
        f"[{markup.inline(practice.title)}](../practices/{practice_id}.md){{hreflang={language} lang={language}}} "
        f"{markup.language_badge(language, language_name(language))}"
    )


def _schedule_table(curriculum: Curriculum, library: Library) -> str:
    rows = "\n".join(
        f"| {slot.number} | {format_hours(slot.start)}–{format_hours(slot.end)} | {format_hours(slot.module.hours)} | "
        f"{_page_link(slot.module.page, module_title(slot.module, library))} | "
        f"{', '.join(_practice_link(library, p) for p in slot.module.practices) or '–'} |"
        for slot in schedule(curriculum)
    )
    return "| # | Hours from start | Duration (h) | Module | Case studies |\n|---|---|---|---|---|\n" + rows


def _module_section(slot, library: Library) -> list[str]:
    module = slot.module
    title = module_title(module, library)
    parts = [
        f"## {slot.number}. {markup.inline(title)} ({format_hours(module.hours)} h)",
        f"Methodology: {_page_link(module.page, library.pages[module.page].title)}",
    ]
    if module.activities:
        parts.append("\n".join(f"- {markup.inline(activity)}" for activity in module.activities))
    cases = [f"- {_practice_link(library, p)}" for p in module.practices]
    if module.practice_query:
        search = f"../../search/?q={quote(module.practice_query)}"
        cases.append(
            f'- <a href="{markup.attribute(search)}">More case studies for “{markup.inline(module.practice_query)}”</a>'
        )
    if cases:
        parts += ["**Case studies**", "\n".join(cases)]
    return parts
