"""One page per curriculum, and the list of curricula.

In: the curricula (checked against the :class:`~praxis.curricula.Library` they cite, their
`practice_query` already resolved to case studies, as the printed export resolves them) and
the interface of the build's language. Out: Markdown sources keyed by their place in the
site: `curricula/index.md` and `curricula/<id>.md` with the outcomes, the schedule table
(scrolling sideways on a phone), each module linked to its methodology page and its
case-study practices, a link to the problem-search page for a module's `practice_query`, and
a print button. Headings are in the reader's language (the page's); the curriculum's own text
keeps its language and says so with `lang`. Every value is escaped.
"""

from pathlib import Path
from urllib.parse import quote

from mkdocs.plugins import get_plugin_logger

from praxis.curricula.library import Library, curriculum_files
from praxis.curricula.model import Curriculum, format_hours, schedule
from praxis.interface import Interface
from site_hooks import markup
from site_hooks.labels import language_name

log = get_plugin_logger(__name__)
INDEX_URI = "curricula/index.md"


def checked_curricula(curricula_dir: Path, library: Library) -> list[Curriculum]:
    """The valid curricula; each problem of the others is a warning (so `mkdocs build --strict` fails)."""
    curricula = []
    for path in curriculum_files([curricula_dir]) if curricula_dir.is_dir() else []:
        curriculum, problems = library.check(path)
        for problem in problems:
            log.warning(f"{problem} (left out of the site; `praxis curriculum validate` lists every problem)")
        if curriculum:
            curricula.append(curriculum)
    return curricula


def curriculum_pages(curricula: list[Curriculum], library: Library, ui: Interface) -> dict[str, str]:
    pages = {f"curricula/{c.id}.md": curriculum_markdown(c, library, ui) for c in curricula}
    pages[INDEX_URI] = index_markdown(curricula, ui)
    return pages


def index_markdown(curricula: list[Curriculum], ui: Interface) -> str:
    rows = "\n".join(
        f"| [{markup.inline(c.title)}]({c.id}.md){{lang={c.language}}} | {language_name(c.language)} | "
        f'<span lang="{c.language}">{markup.inline(c.audience)}</span> | {format_hours(c.hours)} | {len(c.modules)} |'
        for c in curricula
    )
    columns = " | ".join(
        ui.text(f"curricula.{key}") for key in ("curriculum", "language", "audience", "hours", "modules")
    )
    table = f"| {columns} |\n|---|---|---|---|---|\n{rows}" if rows else ""
    title = ui.text("curricula.title")
    return "\n\n".join(
        [
            markup.front_matter({"title": title}),
            f"# {markup.inline(title)}",
            ui.text("curricula.intro", guide="../contributing/curricula.md"),
            table or markup.inline(ui.text("curricula.none")),
        ]
    )


def curriculum_markdown(curriculum: Curriculum, library: Library, ui: Interface) -> str:
    language = curriculum.language
    head = markup.front_matter({"title": curriculum.title, "description": curriculum.audience})
    cases = len({p for module in curriculum.modules for p in module.practices})
    facts = ui.text(
        "curricula.facts",
        audience=f'<span lang="{language}">{markup.inline(curriculum.audience)}</span>',
        hours=format_hours(curriculum.hours),
        modules=len(curriculum.modules),
        cases=cases,
    )
    parts = [
        head,
        f"# {markup.inline(curriculum.title)} {{lang={language}}}",
        f'<p class="praxis-summary">{facts}</p>',
        f'<p><button type="button" class="md-button praxis-print">{markup.attribute(ui.text("curricula.print"))}'
        "</button></p>",
        _heading(ui, "curricula.outcomes"),
        _in_language(language, "\n".join(f"- {markup.inline(outcome)}" for outcome in curriculum.outcomes)),
        _heading(ui, "curricula.schedule"),
        _schedule_table(curriculum, library, ui),
    ]
    for slot in schedule(curriculum):
        parts += _module_section(slot, curriculum, library, ui)
    return "\n\n".join(parts) + "\n"


def _heading(ui: Interface, key: str, level: int = 2) -> str:
    return f"{'#' * level} {markup.inline(ui.text(key))}"


def _in_language(language: str, block: str) -> str:
    """Markdown blocks in the curriculum's language, inside the page in the reader's."""
    return f'<div lang="{language}" markdown>\n\n{block}\n\n</div>'


def _page_link(page: str, text: str, language: str) -> str:
    return f"[{markup.inline(text)}](../{page}.md){{lang={language}}}"


def _practice_link(library: Library, practice_id: str) -> str:
    practice = library.practices[practice_id]
    language = practice.language
    return (
        f"[{markup.inline(practice.title)}](../practices/{practice_id}.md){{hreflang={language} lang={language}}} "
        f"{markup.language_badge(language)}"
    )


def _schedule_table(curriculum: Curriculum, library: Library, ui: Interface) -> str:
    language = curriculum.language
    rows = "\n".join(
        f"| {slot.number} | {format_hours(slot.start)}–{format_hours(slot.end)} | {format_hours(slot.module.hours)} | "
        f"{_page_link(slot.module.page, library.module_title(slot.module, language), language)} | "
        f"{', '.join(_practice_link(library, p) for p in slot.module.practices) or '–'} |"
        for slot in schedule(curriculum)
    )
    columns = " | ".join(
        ui.text(f"curricula.{key}") for key in ("number", "from_start", "duration", "module", "case_studies")
    )
    return f"| {columns} |\n|---|---|---|---|---|\n{rows}"


def _module_section(slot, curriculum: Curriculum, library: Library, ui: Interface) -> list[str]:
    module, language = slot.module, curriculum.language
    title = library.module_title(module, language)
    page = library.page(module.page, language)
    parts = [
        f"## {slot.number}. {markup.inline(title)} ({format_hours(module.hours)} h) {{lang={language}}}",
        f"{markup.inline(ui.text('curricula.methodology'))} {_page_link(module.page, page.title, page.language)}",
    ]
    if module.activities:
        parts.append(_in_language(language, "\n".join(f"- {markup.inline(a)}" for a in module.activities)))
    cases = [f"- {_practice_link(library, p)}" for p in module.practices]
    if module.practice_query:
        search = f"../../search/?problem={quote(module.practice_query)}"
        text = markup.inline(ui.text("curricula.more_cases", query=module.practice_query))
        cases.append(f'- <a href="{markup.attribute(search)}">{text}</a>')
    if cases:
        parts += [_heading(ui, "curricula.case_studies", 3), "\n".join(cases)]
    return parts
