"""The problem-search and submission pages, with their forms, in the build's language.

In: the catalogue (for the filters' choices: vocabulary terms, countries and languages in use)
and the interface of the build's language. Out: the Markdown of `search.md` and
`contributing/submission-form.md`: an introduction, the form (labels, choices and the limits
the API enforces, all in the reader's language), and the places where the scripts
(`problem-search.js`, `submission-form.js`) show results and messages. Choices are written into
the page, so the filters are there before any script runs.
"""

from html import escape

from praxis.interface import Interface
from site_hooks import markup
from site_hooks.catalogue import Catalogue
from site_hooks.facets import COUNTRIES, EVIDENCE, METHODS, TARGET_GROUPS, THEMES, Facet
from site_hooks.labels import Labels, language_name

SEARCH_URI = "search.md"
Q_TO_PROBLEM = """<script>
/* The theme's keyword search reads ?q= too and opens over the page: hand a shared link's ?q= over
   as ?problem= here, in the page, before the theme's script (at the end of the page) starts. */
(function () {
  var parameters = new URLSearchParams(location.search);
  if (!parameters.has("q")) return;
  parameters.set("problem", parameters.get("q"));
  parameters.delete("q");
  history.replaceState(null, "", location.pathname + "?" + parameters + location.hash);
})();
</script>"""
SUBMISSION_URI = "contributing/submission-form.md"
FILTERS = (
    (THEMES, "themes", "theme", "any_theme"),
    (TARGET_GROUPS, "target_groups", "target_group", "any_target_group"),
    (METHODS, "methods", "method", "any_method"),
    (COUNTRIES, "countries", "country", "any_country"),
)
"""The single-choice filters of the search page: facet, API parameter, label and "any" keys."""
SECTIONS = (
    ("problem", 6, 20_000, True),
    ("approach", 8, 20_000, True),
    ("results", 5, 20_000, False),
    ("transferability", 4, 20_000, False),
    ("resources", 3, 20_000, False),
)
"""The submission form's sections: name, rows, maximum length, required (as the API checks them)."""


def form_pages(catalogue: Catalogue, ui: Interface) -> dict[str, str]:
    return {SEARCH_URI: search_markdown(catalogue, ui), SUBMISSION_URI: submission_markdown(catalogue, ui)}


def _options(facet: Facet, values: list[str], labels: Labels) -> str:
    return "".join(f'<option value="{escape(v)}">{escape(facet.label(labels, v))}</option>' for v in values)


def _select(name: str, label: str, options: str, multiple: bool = False) -> str:
    size = ' multiple size="6"' if multiple else ""
    field = name.split("-", 1)[1]
    return f'<label for="{name}">{escape(label)}</label>\n<select id="{name}" name="{field}"{size}>{options}</select>'


def search_markdown(catalogue: Catalogue, ui: Interface) -> str:
    labels = Labels(catalogue.taxonomy, ui.language)
    text = lambda key: escape(ui.text(f"search.{key}"))  # noqa: E731
    languages = "".join(
        f'<label for="praxis-lang-{code}" lang="{code}"><input type="checkbox" name="lang" value="{code}" '
        f'id="praxis-lang-{code}"> {escape(language_name(code))} <span class="praxis-count" data-lang="{code}"></span>'
        "</label>"
        for code in catalogue.languages
    )
    selects = "\n".join(
        _select(
            f"praxis-{parameter}",
            ui.text(f"search.{label}"),
            f'<option value="">{text(any_key)}</option>' + _options(facet, facet.known_values(catalogue), labels),
        )
        for facet, parameter, label, any_key in FILTERS
    )
    evidence = f'<option value="">{text("any_evidence")}</option>' + _options(
        EVIDENCE, catalogue.taxonomy.terms("evidence_levels"), labels
    )
    modes = "".join(
        f'<option value="{mode}">{text(f"mode_{mode}")}</option>' for mode in ("hybrid", "semantic", "keyword")
    )
    form = f"""{Q_TO_PROBLEM}
<form id="praxis-search" class="praxis-form" role="search" novalidate>
<label for="praxis-q">{text("your_problem")}</label>
<textarea id="praxis-q" name="problem" rows="4" maxlength="4000" required
 placeholder="{text("placeholder")}"></textarea>
<details class="praxis-filters">
<summary>{text("filters")}</summary>
<fieldset><legend>{text("written_in")}</legend>
<div id="praxis-filter-lang" class="praxis-choices">{languages}</div></fieldset>
{selects}
{_select("praxis-evidence", ui.text("search.evidence"), evidence)}
<label for="praxis-period-from">{text("period_from")}</label>
<input id="praxis-period-from" name="period_from" type="number" min="1900" max="2100" inputmode="numeric">
<label for="praxis-period-to">{text("period_to")}</label>
<input id="praxis-period-to" name="period_to" type="number" min="1900" max="2100" inputmode="numeric">
{_select("praxis-mode", ui.text("search.match"), modes)}
<button type="button" id="praxis-clear" class="md-button">{text("clear")}</button>
</details>
<button type="submit" class="md-button md-button--primary">{text("submit")}</button>
</form>

<p id="praxis-status" role="status" aria-live="polite"></p>
<div id="praxis-facets" class="praxis-facets" aria-label="{text("facets")}"></div>
<ol id="praxis-results" class="praxis-results"></ol>

<noscript markdown="span">{ui.text("search.noscript", browse="browse/index.md")}</noscript>"""
    title = ui.text("search.title")
    return "\n\n".join(
        [
            markup.front_matter({"title": title, "description": ui.text("search.intro"), "hide": ["toc"]}),
            f"# {markup.inline(title)}",
            ui.text("search.intro"),
            form,
        ]
    )


def submission_markdown(catalogue: Catalogue, ui: Interface) -> str:
    labels = Labels(catalogue.taxonomy, ui.language)
    text = lambda key: escape(ui.text(f"submission.{key}"))  # noqa: E731
    languages = "".join(
        f'<option value="{code}" lang="{code}">{escape(language_name(code))}</option>'
        for code in catalogue.taxonomy.languages
    )
    choices = "\n".join(
        _select(
            f"sub-{facet.key}",
            ui.text(f"submission.{facet.key}"),
            _options(facet, facet.known_values(catalogue), labels),
            True,
        )
        for facet in (THEMES, TARGET_GROUPS, METHODS)
    )
    evidence = f'<option value="">{text("no_evidence")}</option>' + _options(
        EVIDENCE, catalogue.taxonomy.terms("evidence_levels"), labels
    )
    required = ' required minlength="20"'
    sections = "\n".join(
        f'<label for="sub-{name}">{text(name)}</label>\n<textarea id="sub-{name}" name="{name}" rows="{rows}" '
        f'maxlength="{limit}"{required if needed else ""}></textarea>'
        for name, rows, limit, needed in SECTIONS
    )
    form = f"""<form id="praxis-submission" class="praxis-form" novalidate>
<fieldset class="praxis-token">
<legend>{text("token")}</legend>
<p>{text("token_needed")}</p>
<input id="sub-token" name="token" type="password" autocomplete="off" required aria-label="{text("token")}">
<button type="button" id="sub-check-token" class="md-button">{text("check_token")}</button>
<p id="sub-token-status" role="status" aria-live="polite"></p>
</fieldset>
<label for="sub-title">{text("title_field")}</label>
<input id="sub-title" name="title" minlength="3" maxlength="300" required>
<label for="sub-language">{text("language")}</label>
<select id="sub-language" name="language" required>{languages}</select>
<label for="sub-summary">{text("summary")}</label>
<textarea id="sub-summary" name="summary" rows="3" maxlength="1500"></textarea>
<label for="sub-countries">{text("countries")}</label>
<input id="sub-countries" name="countries" maxlength="200">
<label for="sub-region">{text("region")}</label>
<input id="sub-region" name="region" maxlength="300">
<label for="sub-organisation">{text("organisation")}</label>
<input id="sub-organisation" name="organisation" maxlength="300">
<p class="praxis-hint">{text("multiple")}</p>
{choices}
<label for="sub-period-start">{text("period_start")}</label>
<input id="sub-period-start" name="period_start" type="number" min="1950" max="2100" inputmode="numeric">
<label for="sub-period-end">{text("period_end")}</label>
<input id="sub-period-end" name="period_end" type="number" min="1950" max="2100" inputmode="numeric">
{_select("sub-evidence", ui.text("submission.evidence"), evidence)}
{sections}
<label for="sub-sources">{text("sources")}</label>
<textarea id="sub-sources" name="sources" rows="3" maxlength="10000"></textarea>
<label for="sub-contact">{text("contact")}</label>
<input id="sub-contact" name="contact" maxlength="300">
<button type="submit" class="md-button md-button--primary">{text("send")}</button>
</form>

<div id="praxis-submission-status" role="status" aria-live="polite"></div>"""
    title = ui.text("submission.title")
    intro = ui.text("submission.intro", guide="submitting-a-practice.md", format="practice-format.md")
    return "\n\n".join(
        [markup.front_matter({"title": title, "description": title}), f"# {markup.inline(title)}", intro, form]
    )
