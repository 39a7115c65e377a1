/* "Describe your problem": sends the description to POST /api/search and shows practices in
 * any language with the passage that matched, its highlighted words, language badges and
 * filters. Everything from the API is inserted as text. */
(function () {
  "use strict";
  const form = document.getElementById("praxis-search");
  if (!form) return;
  const { element, label, callApi, ApiUnreachable, problems, siteRoot } = window.Praxis;
  const status = document.getElementById("praxis-status");
  const results = document.getElementById("praxis-results");
  const EVIDENCE_ORDER = ["emerging", "promising", "good", "best"];
  let language = "en";

  async function setUpFilters() {
    const vocabulary = await window.Praxis.loadVocabulary().catch(() => ({ languages: {}, themes: {} }));
    language = window.Praxis.readerLanguage();
    const languages = document.getElementById("praxis-filter-lang");
    for (const [code, name] of Object.entries(vocabulary.languages || {})) {
      const box = element("input", { type: "checkbox", name: "lang", value: code, id: `praxis-lang-${code}` });
      languages.append(element("label", { for: box.id, lang: code }, box, ` ${name} `, element("span", { class: "praxis-count", "data-lang": code })));
    }
    const themes = document.getElementById("praxis-filter-theme");
    for (const key of Object.keys(vocabulary.themes || {})) {
      themes.append(element("option", { value: key }, label("themes", key, language)));
    }
    const evidence = document.getElementById("praxis-filter-evidence");
    for (const key of EVIDENCE_ORDER) {
      evidence.append(element("option", { value: key }, label("evidence_levels", key, language)));
    }
  }

  function request() {
    const data = new FormData(form);
    const body = { q: data.get("q").trim(), mode: data.get("mode") || "hybrid", page_size: 10, kind: ["practice"] };
    const languages = data.getAll("lang");
    if (languages.length) body.lang = languages;
    if (data.get("themes")) body.themes = [data.get("themes")];
    const minimum = data.get("evidence");
    if (minimum) body.evidence = EVIDENCE_ORDER.slice(EVIDENCE_ORDER.indexOf(minimum));
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
    return element("abbr", { class: "praxis-lang", title: code }, code);
  }

  function practiceLink(id, text, code) {
    return element("a", { href: new URL(`practices/${encodeURIComponent(id)}/`, siteRoot).href, hreflang: code, lang: code }, text);
  }

  function why(explanation, passage) {
    const parts = [];
    if (explanation.dense_rank) parts.push(`meaning: rank ${explanation.dense_rank}, similarity ${explanation.dense_score.toFixed(3)}`);
    if (explanation.keyword_rank) parts.push(`keywords: rank ${explanation.keyword_rank}`);
    if (explanation.filters_matched.length) parts.push(`filters: ${explanation.filters_matched.join(", ")}`);
    parts.push(`passage matched by ${passage.matched_by.join(" and ")}`);
    return element("p", { class: "praxis-why" }, "Why: " + parts.join("; "));
  }

  function result(hit) {
    const passage = hit.passages[0];
    const heading = element("h2", {}, practiceLink(hit.id, hit.title, hit.language), " ", badge(hit.language));
    const item = element("li", { class: "praxis-result", "data-id": hit.id, "data-language": hit.language }, heading);
    const facts = [hit.countries.join(", "), hit.themes.map((t) => label("themes", t, language)).join(", ")];
    if (hit.evidence) facts.push(`${label("evidence_levels", hit.evidence, language)} evidence`);
    item.append(element("p", { class: "praxis-facts" }, facts.filter(Boolean).join(" · ")));
    if (passage) item.append(highlighted(passage));
    if (hit.versions.length) {
      const versions = element("p", { class: "praxis-versions" }, "Also in: ");
      hit.versions.forEach((v, i) => versions.append(i ? " · " : "", practiceLink(v.id, v.title, v.language), " ", badge(v.language)));
      item.append(versions);
    }
    if (passage) item.append(why(hit.explanation, passage));
    return item;
  }

  function showCounts(facets) {
    for (const span of document.querySelectorAll(".praxis-count[data-lang]")) {
      const count = (facets.lang || {})[span.dataset.lang];
      span.textContent = count ? `(${count})` : "";
    }
  }

  async function search(event) {
    event.preventDefault();
    const body = request();
    if (!body.q) {
      status.textContent = "Describe your problem first.";
      return;
    }
    status.textContent = "Searching in every language…";
    results.replaceChildren();
    try {
      const { status: code, body: answer } = await callApi("search", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (code !== 200) {
        status.textContent = `The search was refused: ${problems(answer.detail).join("; ")}`;
        return;
      }
      const languages = new Set(answer.results.map((hit) => hit.language));
      status.textContent = answer.total
        ? `${answer.total} practices match; the best ${answer.results.length}, in ${languages.size} languages` +
          (answer.query_language ? ` (your description reads as ${answer.query_language}).` : ".")
        : "No practice matches. Try describing the problem differently or removing filters.";
      results.replaceChildren(...answer.results.map(result));
      showCounts(answer.facets);
    } catch (error) {
      status.textContent = error instanceof ApiUnreachable ? error.message : `Search failed: ${error.message}`;
      status.classList.add("praxis-error");
      return;
    }
    status.classList.remove("praxis-error");
  }

  form.addEventListener("submit", search);
  // A link can carry a description (?q=...), as curriculum pages do for their case studies.
  const given = new URLSearchParams(window.location.search).get("q");
  setUpFilters().then(() => {
    if (given) {
      form.elements.q.value = given;
      form.requestSubmit();
    }
  });
})();
