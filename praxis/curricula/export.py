"""A curriculum as one printable, self-contained HTML document.

In: a curriculum (practice queries already resolved to ids), the :class:`Library` it cites and
the address of the Praxis site. Out: HTML in the curriculum's language (its headings from the
interface catalogue, the module titles from the methodology pages in that language where they
are translated), with its styles inline (print styles included: A4, page breaks between
modules, link targets printed), no scripts and no external resources: the programme, the
learning outcomes, the schedule, each module with its methodology summary, activities and
case studies, and a reference list that cites every practice used (organisation, programme,
period, language, sources, and its page on the site). Every value is HTML-escaped.
"""

from html import escape

from indexer.corpus import Document
from praxis.curricula.library import Library
from praxis.curricula.model import Curriculum, format_hours, schedule
from praxis.interface import Interface, site_path

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


class _Document:
    """What one export needs at hand: the curriculum, the library, its words and where the site is."""

    def __init__(self, curriculum: Curriculum, library: Library, site_url: str):
        self.curriculum, self.library = curriculum, library
        self.ui = Interface(curriculum.language)
        self.site_url = site_url.rstrip("/") + "/"
        self.cited = list(dict.fromkeys(p for module in curriculum.modules for p in module.practices))
        self.number = {practice_id: n for n, practice_id in enumerate(self.cited, 1)}

    def url(self, path: str) -> str:
        """The address of a page of the site in the curriculum's language ("methodology/x" -> .../ro/methodology/x/)."""
        return self.site_url + site_path(self.curriculum.language, f"{path}/")

    def title(self, module) -> str:
        return self.library.module_title(module, self.curriculum.language)

    def text(self, key: str, **values) -> str:
        return escape(self.ui.text(key, **values))


def render_html(curriculum: Curriculum, library: Library, site_url: str) -> str:
    doc = _Document(curriculum, library, site_url)
    facts = doc.text(
        "curricula.facts",
        audience=curriculum.audience,
        hours=format_hours(curriculum.hours),
        modules=len(curriculum.modules),
        cases=len(doc.cited),
    )
    body = [
        f"<h1>{escape(curriculum.title)}</h1>",
        f'<p class="meta">{facts}</p>',
        f"<h2>{doc.text('curricula.outcomes')}</h2>",
        _list(curriculum.outcomes),
        f"<h2>{doc.text('curricula.schedule')}</h2>",
        _schedule_table(doc),
        *(_module(slot, doc) for slot in schedule(curriculum)),
        f'<section class="module"><h2>{doc.text("curricula.practices_cited")}</h2>',
        *(_reference(n, library.practices[practice_id], doc) for practice_id, n in doc.number.items()),
        "</section>",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(curriculum.language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(curriculum.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def _schedule_table(doc: _Document) -> str:
    rows = "".join(
        f"<tr><td>{slot.number}</td><td>{format_hours(slot.start)}–{format_hours(slot.end)}</td>"
        f"<td>{format_hours(slot.module.hours)}</td><td>{escape(doc.title(slot.module))}</td>"
        f"<td>{len(slot.module.practices)}</td></tr>"
        for slot in schedule(doc.curriculum)
    )
    columns = ("number", "from_start", "duration", "module", "case_studies")
    head = "<tr>" + "".join(f"<th>{doc.text(f'curricula.{key}')}</th>" for key in columns) + "</tr>"
    return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"


def _module(slot, doc: _Document) -> str:
    module = slot.module
    page = doc.library.page(module.page, doc.curriculum.language)
    description = page.extra.get("description") or ""
    cases = "".join(_case(doc.library.practices[p], doc.number[p]) for p in module.practices)
    link = f'<a href="{escape(doc.url(module.page))}">{escape(page.title)}</a>'
    return (
        f'<section class="module"><h2>{slot.number}. {escape(doc.title(module))} '
        f"({format_hours(module.hours)} h)</h2>"
        f'<p class="meta">{doc.text("curricula.methodology")} {link}. {escape(description)}</p>'
        + (f"<h3>{doc.text('curricula.activities')}</h3>" + _list(module.activities) if module.activities else "")
        + (f"<h3>{doc.text('curricula.case_studies')}</h3>" + cases if cases else "")
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


def _reference(n: int, practice: Document, doc: _Document) -> str:
    meta = practice.meta
    period = f"{meta.period.start}–{meta.period.end or ''}" if meta.period else ""
    language = doc.ui.text("curricula.practice_language", language=practice.language)
    facts = [meta.organisation, meta.programme, meta.fund, period, language]
    sources = "; ".join(
        f'<a href="{escape(str(s.url))}">{escape(s.title or str(s.url))}</a>' if s.url else escape(s.title or "")
        for s in meta.sources
    )
    url = escape(doc.url(f"practices/{practice.id}"))
    return (
        f'<p class="ref">[{n}] <strong lang="{escape(practice.language)}">{escape(practice.title)}</strong>. '
        f"{escape('. '.join(str(f) for f in facts if f))}. {doc.text('curricula.on_praxis')} "
        f'<a href="{url}">{url}</a>.' + (f" {doc.text('curricula.sources')} {sources}." if sources else "") + "</p>"
    )
