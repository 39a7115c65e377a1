"""The Markdown of practice pages, and of the list of all practices.

In: the catalogue, one write-up, and its similar practices (search hits). Out: the
Markdown source of `practices/<id>.md`: front matter (title, description, language), the
title, the summary, links to the other language versions, a metadata card, the write-up's
own sections as written, and "Similar practices in other languages". Every value from the
front matter is escaped; the write-up's body is rendered as Markdown and sanitised later
(see `sanitise`). Vocabulary terms and country names are in the write-up's language; the
site's own words (field names, headings it adds) are English and marked `lang="en"`.
"""

from site_hooks import markup
from site_hooks.catalogue import Catalogue, WriteUp
from site_hooks.facets import COUNTRIES, EVIDENCE, LANGUAGES, METHODS, TARGET_GROUPS, THEMES, Facet
from site_hooks.labels import Labels, language_name

ALL_PRACTICES_URI = "practices/index.md"


def practice_markdown(catalogue: Catalogue, write_up: WriteUp, similar: list[dict]) -> str:
    labels = Labels(catalogue.taxonomy, write_up.language)
    meta = write_up.meta
    head = markup.front_matter(
        {"title": write_up.title, "description": meta.summary or write_up.title, "language": write_up.language}
    )
    parts = [head, f"# {markup.inline(write_up.title)}"]
    if meta.summary:
        parts.append(f"{markup.inline(meta.summary)}\n{{: .praxis-summary }}")
    versions = catalogue.versions(write_up)
    if versions:
        parts.append(_versions_line(versions))
    parts += [_card(write_up, labels), write_up.body.strip(), _similar_section(similar)]
    return "\n\n".join(parts) + "\n"


def _versions_line(versions: list[WriteUp]) -> str:
    links = " · ".join(
        f"[{markup.inline(language_name(v.language))}]({v.id}.md){{hreflang={v.language} lang={v.language}}}"
        for v in versions
    )
    return f'<p class="praxis-versions" markdown="span"><span lang="en">Also in:</span> {links}</p>'


def _facet_links(facet: Facet, values: list[str], labels: Labels) -> str:
    """Each value linked to its place on the facet's page."""
    return ", ".join(
        f"[{markup.inline(facet.label(labels, value))}](../{facet.src_uri}#{facet.anchor(value)})" for value in values
    )


def _card(write_up: WriteUp, labels: Labels) -> str:
    """The metadata card: a definition list of what the front matter says."""
    rows = [(name, value) for name, value in _card_rows(write_up, labels) if value]
    items = "\n".join(f'<dt lang="en">{name}</dt>\n<dd markdown="span">{value}</dd>' for name, value in rows)
    return f'<div class="praxis-card" markdown>\n<dl markdown>\n{items}\n</dl>\n</div>'


def _card_rows(write_up: WriteUp, labels: Labels) -> list[tuple[str, str]]:
    meta = write_up.meta
    countries = _facet_links(COUNTRIES, meta.countries, labels)
    if meta.region:
        countries += f" ({markup.inline(meta.region)})"
    return [
        ("Countries", countries),
        ("Language", _facet_links(LANGUAGES, [write_up.language], labels)),
        ("Themes", _facet_links(THEMES, meta.themes, labels)),
        ("Target groups", _facet_links(TARGET_GROUPS, meta.target_groups, labels)),
        ("Methods", _facet_links(METHODS, meta.methods, labels)),
        ("Evidence", _evidence(write_up, labels)),
        ("Validation", _validation(write_up, labels)),
        ("Criteria", _criteria(write_up, labels)),
        ("Period", _period(write_up)),
        ("Organisation", markup.inline(meta.organisation or "")),
        ("Programme", _programme(write_up)),
        ("Cost", markup.inline(meta.cost or "")),
        ("Outcomes", "; ".join(markup.inline(outcome) for outcome in meta.outcomes)),
        ("Contact", markup.inline(meta.contact or "")),
        ("Sources", _sources(write_up)),
    ]


def _evidence(write_up: WriteUp, labels: Labels) -> str:
    evidence = write_up.meta.evidence
    if evidence is None:
        return ""
    text = _facet_links(EVIDENCE, [evidence.level], labels)
    if evidence.native_label:
        scale = f" on the {markup.inline(evidence.native_scale)} scale" if evidence.native_scale else ""
        text += f' <span lang="en">(rated “{markup.inline(evidence.native_label)}”{scale})</span>'
    if evidence.basis:
        text += f"<br>{markup.inline(evidence.basis)}"
    return text


def _validation(write_up: WriteUp, labels: Labels) -> str:
    validation = write_up.meta.validation
    if validation is None:
        return ""
    parts = [markup.inline(labels.term("validation_statuses", validation.status))]
    if validation.date:
        parts.append(f'<span lang="en">reviewed</span> {validation.date.isoformat()}')
    if validation.next_review:
        parts.append(f'<span lang="en">next review</span> {validation.next_review.isoformat()}')
    if validation.reviewers:
        parts.append(f'<span lang="en">by</span> {markup.inline(", ".join(validation.reviewers))}')
    return ", ".join(parts)


def _criteria(write_up: WriteUp, labels: Labels) -> str:
    criteria = write_up.meta.validation.criteria if write_up.meta.validation else {}
    return "; ".join(
        f'{markup.inline(labels.term("criteria", key))}: <span lang="en">{markup.inline(result)}</span>'
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
    return markup.inline(meta.programme) + fund if meta.programme else markup.inline(meta.fund or "")


def _sources(write_up: WriteUp) -> str:
    rendered = []
    for source in write_up.meta.sources:
        title = markup.inline(source.title or str(source.url or ""))
        text = f"[{title}]({markup.url(str(source.url))})" if source.url else title
        extra = ", ".join(f"{markup.inline(k)}: {markup.inline(v)}" for k, v in (source.model_extra or {}).items())
        rendered.append(f"{text} ({extra})" if extra else text)
    return "; ".join(rendered)


def _similar_section(similar: list[dict]) -> str:
    heading = "## Similar practices in other languages {#praxis-similar lang=en}"
    if not similar:
        return f"{heading}\n\nNo similar practice in another language yet.\n{{: lang=en }}"
    intro = (
        "The practices whose text is closest in meaning to this one, found by the search index "
        "in every language.\n{: lang=en }"
    )
    return "\n\n".join([heading, intro, "\n".join(_similar_item(hit) for hit in similar)])


def _similar_item(hit: dict) -> str:
    language = hit["language"]
    passage = hit["passages"][0]
    section = f"*{markup.inline(passage['section'])}*: " if passage["section"] else ""
    return (
        f"- [{markup.inline(hit['title'])}]({hit['id']}.md){{hreflang={language} lang={language}}} "
        f"{markup.language_badge(language, language_name(language))}  \n"
        f'  <span lang="{passage["language"] or language}">{section}'
        f"{markup.inline(markup.excerpt(passage['text']))}</span>"
    )


def all_practices_markdown(catalogue: Catalogue) -> str:
    """`practices/index.md`: every practice, with its language versions, countries and themes."""
    labels = Labels(catalogue.taxonomy)
    count = len(catalogue.practices)
    rows = "\n".join(_practice_row(practice, labels) for practice in catalogue.practices)
    table = "| Practice | Versions | Countries | Themes |\n|---|---|---|---|\n" + rows if rows else ""
    return "\n\n".join(
        [
            markup.front_matter({"title": "All practices"}),
            "# All practices",
            f"{count} practices in {len(catalogue.languages)} languages, {len(catalogue.write_ups)} write-ups "
            "in all. [Browse them](../browse/index.md) by theme, target group, method, country, language or "
            "evidence level, or [describe your problem](../search.md) in your own language.",
            table,
        ]
    )


def _practice_row(practice: list[WriteUp], labels: Labels) -> str:
    original = practice[0]
    versions = " ".join(
        f'[{w.language}]({w.id}.md){{hreflang={w.language} title="{language_name(w.language)}"}}' for w in practice
    )
    return (
        f"| [{markup.inline(original.title)}]({original.id}.md){{lang={original.language}}} | {versions} | "
        f"{', '.join(original.meta.countries)} | "
        f"{', '.join(markup.inline(THEMES.label(labels, t)) for t in original.meta.themes)} |"
    )
