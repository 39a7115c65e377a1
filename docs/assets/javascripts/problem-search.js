/* "Describe your problem": sends the description to POST /api/search, in the reader's language
 * (prefer_language), and shows practices in any language with the passage that matched, its
 * highlighted words, the languages' names, filters and clickable facet counts. Everything from the
 * API is inserted as text; every word of the interface comes from the catalogue (Praxis.t). */
(function () {
  "use strict";
  const form = document.getElementById("praxis-search");
  if (!form) return;
  const { element, t, label, languageName, callApi, ApiUnreachable, languageRoot } = window.Praxis;
  const status = document.getElementById("praxis-status");
  const results = document.getElementById("praxis-results");
  const facetsBox = document.getElementById("praxis-facets");
  const EVIDENCE_ORDER = ["emerging", "promising", "good", "best"];
  const SELECTS = { themes: "themes", target_groups: "target_groups", methods: "methods", countries: "countries" };
  const VOCABULARIES = { themes: "themes", target_groups: "target_groups", methods: "methods" };

  // A shared link carries the description as ?problem=... (the page itself turns an older ?q= into it,
  // before the theme's keyword search could take it: site_hooks/forms.py).
  const given = new URLSearchParams(window.location.search).get("problem");

  function request() {
    const data = new FormData(form);
    const body = {
      q: (data.get("problem") || "").trim(),
      mode: data.get("mode") || "hybrid",
      page_size: 10,
      kind: ["practice", "project"],
      prefer_language: window.Praxis.readerLanguage(),
    };
    const languages = data.getAll("lang");
    if (languages.length) body.lang = languages;
    for (const [name, parameter] of Object.entries(SELECTS)) {
      if (data.get(name)) body[parameter] = [data.get(name)];
    }
    const minimum = data.get("evidence");
    if (minimum) body.evidence = EVIDENCE_ORDER.slice(EVIDENCE_ORDER.indexOf(minimum));
    for (const name of ["period_from", "period_to"]) {
      const year = parseInt(data.get(name), 10);
      if (year) body[name] = year;
    }
    return body;
  }

  /** The passage with its matched spans in <mark>. */
  function highlighted(passage) {
    const node = element("blockquote", { class: "praxis-passage", lang: passage.language || null });
    if (passage.section) node.append(element("span", { class: "praxis-section" }, passage.section), " ");
    let at = 0;
    for (const [start, end] of passage.highlights) {
      node.append(passage.text.slice(at, start), element("mark", {}, passage.text.slice(start, end)));
      at = end;
    }
    node.append(passage.text.slice(at));
    return node;
  }

  function badge(code) {
    return element("span", { class: "praxis-lang", lang: code, "data-lang": code }, languageName(code));
  }

  function practiceLink(id, text, code) {
    const href = new URL(`practices/${encodeURIComponent(id)}/`, languageRoot).href;
    return element("a", { href, hreflang: code, lang: code }, text);
  }

  function why(explanation, passage) {
    const parts = [];
    if (explanation.dense_rank) {
      parts.push(t("search.why_meaning", { rank: explanation.dense_rank, score: explanation.dense_score.toFixed(3) }));
    }
    if (explanation.keyword_rank) parts.push(t("search.why_keywords", { rank: explanation.keyword_rank }));
    if (explanation.filters_matched.length) {
      parts.push(t("search.why_filters", { filters: explanation.filters_matched.join(", ") }));
    }
    const how = passage.matched_by.map((name) => t(name === "semantic" ? "search.by_meaning" : "search.by_keywords"));
    parts.push(t("search.why_passage", { how: how.join(` ${t("search.and")} `) }));
    return element("p", { class: "praxis-why" }, `${t("search.why")} ${parts.join("; ")}`);
  }

  /** An imported project: its title (linked to the publisher's page where the list gives one), marked as what it is. */
  function projectHeading(hit) {
    const url = (hit.project.provenance.find((source) => source.url) || {}).url;
    const title = url && /^https?:/.test(url)
      ? element("a", { href: url, lang: hit.language }, hit.title)
      : element("span", { lang: hit.language }, hit.title);
    const kind = element("span", { class: "praxis-kind-project" }, t("search.project_badge"));
    return element("h2", {}, title, " ", badge(hit.language), " ", kind);
  }

  function projectFacts(hit) {
    const sources = [...new Set(hit.project.provenance.map((source) => source.source))].join(", ");
    const facts = [hit.project.beneficiary, hit.project.programme, hit.project.funds.join(", ")];
    facts.push(t("search.project_source", { source: sources }));
    return element("p", { class: "praxis-facts" }, facts.filter(Boolean).join(" · "));
  }

  function result(hit) {
    const passage = hit.passages[0];
    const project = hit.kind === "project";
    const heading = project
      ? projectHeading(hit)
      : element("h2", {}, practiceLink(hit.id, hit.title, hit.language), " ", badge(hit.language));
    const attributes = { class: `praxis-result praxis-${hit.kind}`, "data-id": hit.id, "data-kind": hit.kind };
    const item = element("li", { ...attributes, "data-language": hit.language }, heading);
    if (project) item.append(projectFacts(hit));
    const facts = [hit.countries.join(", "), hit.themes.map((theme) => label("themes", theme)).join(", ")];
    if (hit.evidence) facts.push(t("search.evidence_fact", { level: label("evidence_levels", hit.evidence) }));
    item.append(element("p", { class: "praxis-facts" }, facts.filter(Boolean).join(" · ")));
    if (passage) item.append(highlighted(passage));
    if (hit.versions.length) {
      const versions = element("p", { class: "praxis-versions" }, `${t("search.also_in")} `);
      hit.versions.forEach((v, i) => versions.append(i ? " · " : "", practiceLink(v.id, v.title, v.language), " ", badge(v.language)));
      item.append(versions);
    }
    if (passage) item.append(why(hit.explanation, passage));
    return item;
  }

  /** The name of a facet value as the filters show it. */
  function facetValue(facet, value) {
    if (facet === "language") return languageName(value);
    const option = form.querySelector(`select[name="${facet}"] option[value="${CSS.escape(value)}"]`);
    return option ? option.textContent : label(VOCABULARIES[facet] || facet, value);
  }

  /** Counts beside the language boxes, and each facet value as a button that filters on it. */
  function showFacets(facets) {
    for (const span of document.querySelectorAll(".praxis-count[data-lang]")) {
      const count = (facets.language || {})[span.dataset.lang];
      span.textContent = count ? `(${count})` : "";
    }
    facetsBox.replaceChildren();
    for (const facet of ["language", ...Object.keys(SELECTS)]) {
      for (const [value, count] of Object.entries(facets[facet] || {})) {
        const name = facetValue(facet, value);
        const button = element(
          "button",
          { type: "button", class: "praxis-facet", "data-facet": facet, "data-value": value, title: t("search.facet_filter", { value: name }) },
          `${name} (${count})`
        );
        button.addEventListener("click", () => filterOn(facet, value));
        facetsBox.append(button);
      }
    }
  }

  function filterOn(facet, value) {
    if (facet === "language") {
      const box = document.getElementById(`praxis-lang-${value}`);
      if (box) box.checked = true;
    } else {
      form.elements[facet].value = value;
    }
    form.requestSubmit();
  }

  function clearFilters() {
    for (const box of form.querySelectorAll('input[name="lang"]')) box.checked = false;
    for (const name of [...Object.keys(SELECTS), "evidence", "period_from", "period_to"]) form.elements[name].value = "";
    if (form.elements.problem.value.trim()) form.requestSubmit();
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("praxis-error", Boolean(isError));
  }

  async function search(event) {
    event.preventDefault();
    const body = request();
    if (!body.q) {
      say(t("search.empty_query"), true);
      return;
    }
    const shared = new URLSearchParams({ problem: body.q });
    history.replaceState(null, "", `${window.location.pathname}?${shared}`);
    say(t("search.searching"));
    results.replaceChildren();
    try {
      const { status: code, body: answer } = await callApi("search", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (code !== 200) {
        const detail = Array.isArray(answer.detail) ? answer.detail.map((item) => item.msg || item).join("; ") : answer.detail;
        say(t("search.refused", { problems: detail }), true);
        return;
      }
      const languages = new Set(answer.results.map((hit) => hit.language));
      let text = answer.total
        ? t("search.found", { total: answer.total, shown: answer.results.length, languages: languages.size })
        : t("search.none_found");
      if (answer.total && answer.query_language) text += ` ${t("search.reads_as", { language: languageName(answer.query_language) })}`;
      say(text);
      status.dataset.queryLanguage = answer.query_language || "";
      results.replaceChildren(...answer.results.map(result));
      showFacets(answer.facets);
    } catch (error) {
      say(error instanceof ApiUnreachable ? t("search.unreachable") : t("search.failed", { error: error.message }), true);
    }
  }

  form.addEventListener("submit", search);
  document.getElementById("praxis-clear").addEventListener("click", clearFilters);
  window.Praxis.load().then(() => {
    form.dataset.ready = "true";
    if (given) {
      form.elements.problem.value = given;
      form.requestSubmit();
    }
  });
})();
