"""A curriculum as one printable, self-contained HTML document.

In: a curriculum (practice queries already resolved to ids) and the :class:`Library` it
cites. Out: HTML with its styles inline (print styles included: A4, page breaks between
modules, link targets printed), no scripts and no external resources: the programme,
the learning outcomes, the schedule, each module with its methodology summary, activities
and case studies, and a reference list that cites every practice used (organisation,
programme, period, language, sources, and its file in the Praxis repository). Every
value is HTML-escaped.
"""

from html import escape

from indexer.corpus import Document
from praxis.curricula.library import Library
from praxis.curricula.model import Curriculum, format_hours, schedule

STYLE = """
body { font: 11pt/1.45 "DejaVu Sans", Arial, sans-serif; color: #111; max-width: 48rem; margin: 2rem auto; }
h1 { font-size: 20pt; margin-bottom: 0.2rem; } h2 { font-size: 14pt; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; }
th { background: #eee; text-align: left; } .meta { color: #444; } .case { margin: 0.3rem 0 0.6rem 1rem; }
.ref { margin-bottom: 0.5rem; } a { color: #1a3a8a; }
@page { size: A4; margin: 18mm; }
@media print {
  body { margin: 0; max-width: none; } section.module { break-before: page; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 9pt; color: #444; }
  table, .case, .ref { break-inside: avoid; }
}
"""


def render_html(curriculum: Curriculum, library: Library) -> str:
    cited = _cited(curriculum)
    number = {practice_id: n for n, practice_id in enumerate(cited, 1)}
    body = [
        f"<h1>{escape(curriculum.title)}</h1>",
        f'<p class="meta">{escape(curriculum.audience)} · {format_hours(curriculum.hours)} h · '
        f"{len(curriculum.modules)} modules · {len(cited)} case studies</p>",
        "<h2>Learning outcomes</h2>",
        _list(curriculum.outcomes),
        "<h2>Schedule</h2>",
        _schedule_table(curriculum, library),
        *(_module(slot, library, number) for slot in schedule(curriculum)),
        '<section class="module"><h2>Practices cited</h2>',
        *(_reference(n, library.practices[practice_id]) for practice_id, n in number.items()),
        "</section>",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(curriculum.language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(curriculum.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _cited(curriculum: Curriculum) -> list[str]:
    return list(dict.fromkeys(p for module in curriculum.modules for p in module.practices))


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def module_title(module, library: Library) -> str:
    return module.title or library.pages[module.page].title


def _schedule_table(curriculum: Curriculum, library: Library) -> str:
    rows = "".join(
        f"<tr><td>{slot.number}</td><td>{format_hours(slot.start)}–{format_hours(slot.end)}</td>"
        f"<td>{format_hours(slot.module.hours)}</td><td>{escape(module_title(slot.module, library))}</td>"
        f"<td>{len(slot.module.practices)}</td></tr>"
        for slot in schedule(curriculum)
    )
    head = "<tr><th>#</th><th>Hours from start</th><th>Duration (h)</th><th>Module</th><th>Case studies</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"


def _module(slot, library: Library, number: dict[str, int]) -> str:
    module = slot.module
    page = library.pages[module.page]
    description = page.extra.get("description") or ""
    cases = "".join(_case(library.practices[p], number[p]) for p in module.practices)
    return (
        f'<section class="module"><h2>{slot.number}. {escape(module_title(module, library))} '
        f"({format_hours(module.hours)} h)</h2>"
        f'<p class="meta">Methodology: {escape(page.title)} ({escape(module.page)}.md). {escape(description)}</p>'
        + ("<h3>Activities</h3>" + _list(module.activities) if module.activities else "")
        + ("<h3>Case studies</h3>" + cases if cases else "")
        + "</section>"
    )


def _case(practice: Document, n: int) -> str:
    meta = practice.meta
    where = ", ".join(meta.countries)
    return (
        f'<div class="case" lang="{escape(practice.language)}"><strong>{escape(practice.title)}</strong> '
        f'[{n}] <span class="meta">({escape(practice.language)}{", " + escape(where) if where else ""})</span>'
        f"<br>{escape(meta.summary or '')}</div>"
    )


def _reference(n: int, practice: Document) -> str:
    meta = practice.meta
    period = f"{meta.period.start}–{meta.period.end or ''}" if meta.period else ""
    facts = [meta.organisation, meta.programme, meta.fund, period, f"language: {practice.language}"]
    sources = "; ".join(
        f'<a href="{escape(str(s.url))}">{escape(s.title or str(s.url))}</a>' if s.url else escape(s.title or "")
        for s in meta.sources
    )
    return (
        f'<p class="ref">[{n}] <strong lang="{escape(practice.language)}">{escape(practice.title)}</strong>. '
        f"{escape('. '.join(str(f) for f in facts if f))}. Praxis: practices/{escape(practice.id)}.md."
        + (f" Sources: {sources}." if sources else "")
        + "</p>"
    )
