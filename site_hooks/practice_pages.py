"""The Markdown of practice pages, and of the list of all practices.

In: the catalogue, one write-up, its similar practices (search hits) and the interface of the
build's language. Out: the Markdown source of `practices/<id>.md`: front matter (title,
description, language), the title, the summary, links to the other language versions, a
metadata card, the write-up's own sections as written, and "Similar practices in other
languages". Every value from the front matter is escaped; the write-up's body is rendered as
Markdown and sanitised later (see `sanitise`). The page is in the reader's language: what the
site adds (field names, vocabulary terms, country names, headings) is in it, and the write-up's
own text (title, summary, sections, free-text fields) is marked with the write-up's language.
"""

from praxis.interface import Interface
from site_hooks import markup
from site_hooks.catalogue import Catalogue, WriteUp
from site_hooks.facets import COUNTRIES, EVIDENCE, LANGUAGES, METHODS, TARGET_GROUPS, THEMES, Facet
from site_hooks.labels import Labels, language_name

ALL_PRACTICES_URI = "practices/index.md"


def practice_markdown(catalogue: Catalogue, write_up: WriteUp, similar: list[dict], ui: Interface) -> str:
    labels = Labels(catalogue.taxonomy, ui.language)
    meta = write_up.meta
    language = write_up.language
    # written_in: the hooks mark the table of contents with the write-up's language.
    head = markup.front_matter(
        {"title": write_up.title, "description": meta.summary or write_up.title, "written_in": language}
    )
    parts = [head, f"# {markup.inline(write_up.title)} {{lang={language}}}"]
    if meta.summary:
        parts.append(f"{markup.inline(meta.summary)}\n{{: .praxis-summary lang={language} }}")
    versions = catalogue.versions(write_up)
    if versions:
        parts.append(_versions_line(versions, ui))
    body = f'<div class="praxis-write-up" lang="{language}" markdown>\n\n{write_up.body.strip()}\n\n</div>'
    parts += [_card(write_up, labels, ui), body, _similar_section(similar, ui)]
    return "\n\n".join(parts) + "\n"


def _versions_line(versions: list[WriteUp], ui: Interface) -> str:
    links = " · ".join(
        f"[{markup.inline(language_name(v.language))}]({v.id}.md){{hreflang={v.language} lang={v.language}}}"
        for v in versions
    )
    label = markup.inline(ui.text("practice.also_in"))
    return f'<p class="praxis-versions" markdown="span">{label} {links}</p>'


def _facet_links(facet: Facet, values: list[str], labels: Labels) -> str:
    """Each value linked to its place on the facet's page."""
    return ", ".join(
        f"[{markup.inline(facet.label(labels, value))}](../{facet.src_uri}#{facet.anchor(value)})" for value in values
    )


def _card(write_up: WriteUp, labels: Labels, ui: Interface) -> str:
    """The metadata card: a definition list of what the front matter says, in the reader's language."""
    rows = [(ui.text(f"practice.{key}"), value) for key, value in _card_rows(write_up, labels, ui) if value]
    items = "\n".join(f'<dt>{markup.attribute(name)}</dt>\n<dd markdown="span">{value}</dd>' for name, value in rows)
    return f'<div class="praxis-card" markdown>\n<dl markdown>\n{items}\n</dl>\n</div>'


def _card_rows(write_up: WriteUp, labels: Labels, ui: Interface) -> list[tuple[str, str]]:
    meta = write_up.meta
    countries = _facet_links(COUNTRIES, meta.countries, labels)
    if meta.region:
        countries += f' (<span lang="{write_up.language}">{markup.inline(meta.region)}</span>)'
    return [
        ("countries", countries),
        ("language", _facet_links(LANGUAGES, [write_up.language], labels)),
        ("themes", _facet_links(THEMES, meta.themes, labels)),
        ("target_groups", _facet_links(TARGET_GROUPS, meta.target_groups, labels)),
        ("methods", _facet_links(METHODS, meta.methods, labels)),
        ("evidence", _evidence(write_up, labels, ui)),
        ("validation", _validation(write_up, labels, ui)),
        ("criteria", _criteria(write_up, labels, ui)),
        ("period", _period(write_up)),
        ("organisation", _own(write_up, meta.organisation)),
        ("programme", _programme(write_up)),
        ("cost", _own(write_up, meta.cost)),
        ("outcomes", "; ".join(_own(write_up, outcome) for outcome in meta.outcomes)),
        ("contact", _own(write_up, meta.contact)),
        ("sources", _sources(write_up)),
    ]


def _own(write_up: WriteUp, text: str | None) -> str:
    """Text of the write-up (in its language) inside the card (in the reader's)."""
    return f'<span lang="{write_up.language}">{markup.inline(text)}</span>' if text else ""


def _evidence(write_up: WriteUp, labels: Labels, ui: Interface) -> str:
    evidence = write_up.meta.evidence
    if evidence is None:
        return ""
    text = _facet_links(EVIDENCE, [evidence.level], labels)
    if evidence.native_label:
        label, scale = markup.inline(evidence.native_label), markup.inline(evidence.native_scale or "")
        rated = ui.text("practice.rated_on_scale" if scale else "practice.rated", label=label, scale=scale)
        text += f" ({rated})"
    if evidence.basis:
        text += f"<br>{_own(write_up, evidence.basis)}"
    return text


def _validation(write_up: WriteUp, labels: Labels, ui: Interface) -> str:
    validation = write_up.meta.validation
    if validation is None:
        return ""
    parts = [markup.inline(labels.term("validation_statuses", validation.status))]
    if validation.date:
        parts.append(ui.text("practice.reviewed", date=validation.date.isoformat()))
    if validation.next_review:
        parts.append(ui.text("practice.next_review", date=validation.next_review.isoformat()))
    if validation.reviewers:
        parts.append(ui.text("practice.reviewed_by", names=markup.inline(", ".join(validation.reviewers))))
    return ", ".join(parts)


def _criteria(write_up: WriteUp, labels: Labels, ui: Interface) -> str:
    criteria = write_up.meta.validation.criteria if write_up.meta.validation else {}
    return "; ".join(
        f"{markup.inline(labels.term('criteria', key))}: {markup.inline(ui.text(f'criterion_results.{result}'))}"
        for key, result in criteria.items()
    )


def _period(write_up: WriteUp) -> str:
    period = write_up.meta.period
    if period is None:
        return ""
    return f"{period.start}–{period.end}" if period.end else f"{period.start}–"


def _programme(write_up: WriteUp) -> str:
    meta = write_up.meta
    fund = f" ({markup.inline(meta.fund)})" if meta.fund else ""
    return _own(write_up, meta.programme) + fund if meta.programme else markup.inline(meta.fund or "")


def _sources(write_up: WriteUp) -> str:
    rendered = []
    for source in write_up.meta.sources:
        title = markup.inline(source.title or str(source.url or ""))
        text = f"[{title}]({markup.url(str(source.url))})" if source.url else title
        extra = ", ".join(f"{markup.inline(k)}: {markup.inline(v)}" for k, v in (source.model_extra or {}).items())
        rendered.append(f"{text} ({extra})" if extra else text)
    return "; ".join(rendered)


def _similar_section(similar: list[dict], ui: Interface) -> str:
    heading = f"## {markup.inline(ui.text('practice.similar_heading'))} {{#praxis-similar}}"
    if not similar:
        return f"{heading}\n\n{markup.inline(ui.text('practice.similar_none'))}"
    intro = markup.inline(ui.text("practice.similar_intro"))
    return "\n\n".join([heading, intro, "\n".join(_similar_item(hit) for hit in similar)])


def _similar_item(hit: dict) -> str:
    language = hit["language"]
    passage = hit["passages"][0]
    section = f"*{markup.inline(passage['section'])}*: " if passage["section"] else ""
    return (
        f"- [{markup.inline(hit['title'])}]({hit['id']}.md){{hreflang={language} lang={language}}} "
        f"{markup.language_badge(language)}  \n"
        f'  <span lang="{passage["language"] or language}">{section}'
        f"{markup.inline(markup.excerpt(passage['text']))}</span>"
    )


def all_practices_markdown(catalogue: Catalogue, ui: Interface) -> str:
    """`practices/index.md`: every practice, with its language versions, countries and themes."""
    labels = Labels(catalogue.taxonomy, ui.language)
    rows = "\n".join(_practice_row(practice, labels) for practice in catalogue.practices)
    header = " | ".join(ui.text(f"practice_list.{key}") for key in ("practice", "versions", "countries", "themes"))
    table = f"| {header} |\n|---|---|---|---|\n{rows}" if rows else ""
    counts = {
        "practices": len(catalogue.practices),
        "languages": len(catalogue.languages),
        "write_ups": len(catalogue.write_ups),
    }
    title = ui.text("practice_list.title")
    return "\n\n".join(
        [
            markup.front_matter({"title": title}),
            f"# {markup.inline(title)}",
            ui.text("practice_list.summary", **counts)
            + " "
            + ui.text("practice_list.ways_in", browse="../browse/index.md", search="../search.md"),
            table,
        ]
    )


def _practice_row(practice: list[WriteUp], labels: Labels) -> str:
    original = practice[0]
    versions = " ".join(
        f"[{language_name(w.language)}]({w.id}.md){{hreflang={w.language} lang={w.language}}}" for w in practice
    )
    return (
        f"| [{markup.inline(original.title)}]({original.id}.md){{lang={original.language}}} | {versions} | "
        f"{', '.join(markup.inline(labels.country(c)) for c in original.meta.countries)} | "
        f"{', '.join(markup.inline(THEMES.label(labels, t)) for t in original.meta.themes)} |"
    )
