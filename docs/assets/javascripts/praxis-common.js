/* Shared by the problem-search and submission pages: where the site and the API are, the
 * vocabulary labels, and building DOM from API data (always as text, never as HTML). */
(function () {
  "use strict";
  const script = document.currentScript;
  // The site's root, from this script's own URL (…/assets/javascripts/praxis-common.js): works
  // at any depth and under any prefix.
  const siteRoot = new URL("../../", script.src);
  // `praxis serve` serves the site at / and the API under /api on the same origin.
  const apiRoot = new URL("/api/", window.location.href);
  let vocabulary = null;

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function loadVocabulary() {
    if (!vocabulary) {
      const response = await fetch(new URL("assets/praxis/vocabulary.json", siteRoot));
      vocabulary = await response.json();
    }
    return vocabulary;
  }

  /** A vocabulary term's label in `language`, else English, else its key. */
  function label(name, key, language) {
    const terms = (vocabulary && vocabulary[name]) || {};
    const labels = terms[key] || {};
    return labels[language] || labels.en || key;
  }

  /** The reader's language: the browser's, if the taxonomy has labels for it. */
  function readerLanguage() {
    const code = (navigator.language || "en").slice(0, 2).toLowerCase();
    return vocabulary && vocabulary.label_languages.includes(code) ? code : "en";
  }

  async function callApi(path, options) {
    let response;
    try {
      response = await fetch(new URL(path, apiRoot), options);
    } catch (error) {
      throw new ApiUnreachable();
    }
    const type = response.headers.get("content-type") || "";
    if (!type.includes("application/json")) throw new ApiUnreachable();
    return { status: response.status, body: await response.json() };
  }

  class ApiUnreachable extends Error {
    constructor() {
      super(
        "The search API cannot be reached. Praxis search needs the API server: start it with " +
          "`praxis serve` (it serves this site and the API together), or try again later. " +
          "The browsing pages and the keyword search in the header still work."
      );
    }
  }

  /** A FastAPI error detail (a string, a list of messages, or validation errors) as lines. */
  function problems(detail) {
    if (!Array.isArray(detail)) return [String(detail)];
    return detail.map((item) =>
      typeof item === "string" ? item : `${(item.loc || []).filter((p) => p !== "body").join(".")}: ${item.msg}`
    );
  }

  window.Praxis = { siteRoot, element, loadVocabulary, label, readerLanguage, callApi, ApiUnreachable, problems };
})();
