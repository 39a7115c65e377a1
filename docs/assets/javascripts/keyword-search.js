/* The header's keyword search: opens the dialog of partials/keyword-search.html and, the first
 * time, loads Pagefind's interface into it (pagefind/pagefind-ui.js, built with the site; nothing
 * from outside). Pagefind picks the index of the page's language from <html lang> and stems the
 * query as it stemmed the pages. The button is hidden until this script runs (no JavaScript, no
 * search button). The theme's shortcuts (s, f, /) open it too. */
(function () {
  "use strict";
  const script = document.currentScript;
  // The site's root, from this script's own URL (…/assets/javascripts/keyword-search.js).
  const siteRoot = new URL("../../", script.src);
  const bundle = new URL("pagefind/", siteRoot);

  function start() {
    const dialog = document.getElementById("praxis-keyword");
    const opener = document.querySelector(".praxis-keyword-open");
    if (!dialog || !opener) return;
    const words = JSON.parse(dialog.dataset.words || "{}");
    const translations = Object.fromEntries(Object.entries(words).filter(([key]) => key !== "open" && key !== "close"));
    let loading = null;

    function load() {
      if (!loading) {
        loading = new Promise((resolve, reject) => {
          const style = document.createElement("link");
          style.rel = "stylesheet";
          style.href = new URL("pagefind-ui.css", bundle).href;
          document.head.append(style);
          const code = document.createElement("script");
          code.src = new URL("pagefind-ui.js", bundle).href;
          code.onload = resolve;
          code.onerror = reject;
          document.head.append(code);
        }).then(() => {
          new window.PagefindUI({
            element: "#praxis-keyword-search",
            bundlePath: bundle.href,
            baseUrl: siteRoot.pathname,
            showSubResults: true,
            showImages: false,
            resetStyles: false,
            translations: translations,
          });
        });
      }
      return loading;
    }

    function open() {
      if (!dialog.open) dialog.showModal();
      load().then(() => {
        const input = dialog.querySelector(".pagefind-ui__search-input");
        if (input) input.focus();
      });
    }

    opener.hidden = false;
    opener.addEventListener("click", open);
    // Loading on the first sign of intent leaves less to wait for once the reader types.
    opener.addEventListener("pointerenter", load, { once: true });
    opener.addEventListener("focus", load, { once: true });
    dialog.querySelector(".praxis-keyword-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // the backdrop
    });
    // Following a result within the page (a heading of the same page) closes the dialog.
    dialog.addEventListener("click", (event) => {
      if (event.target.closest && event.target.closest("a[href]")) dialog.close();
    });
    dialog.addEventListener("close", () => opener.focus());
    // The theme's keyboard shortcuts check its search toggle: open ours instead.
    const toggle = document.getElementById("__search");
    if (toggle) {
      toggle.addEventListener("change", () => {
        if (!toggle.checked) return;
        toggle.checked = false;
        open();
      });
    }
    document.addEventListener("keydown", (event) => {
      if (dialog.open || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (event.key === "/" || event.key === "s" || event.key === "f") {
        event.preventDefault();
        open();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
