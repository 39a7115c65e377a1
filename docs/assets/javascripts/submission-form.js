/* The submission form: posts a practice to POST /api/submissions with the submitter's token,
 * then shows the receipt (the draft's id and any near-duplicates in other languages) or the
 * problems to fix. Everything from the API is inserted as text. */
(function () {
  "use strict";
  const form = document.getElementById("praxis-submission");
  if (!form) return;
  const { element, label, callApi, ApiUnreachable, problems } = window.Praxis;
  const status = document.getElementById("praxis-submission-status");

  async function setUpChoices() {
    const vocabulary = await window.Praxis.loadVocabulary().catch(() => ({ label_languages: ["en"], themes: {} }));
    const language = window.Praxis.readerLanguage();
    const languages = document.getElementById("sub-language");
    for (const code of vocabulary.label_languages) languages.append(element("option", { value: code }, code));
    languages.value = language;
    const themes = document.getElementById("sub-themes");
    for (const key of Object.keys(vocabulary.themes || {})) {
      themes.append(element("option", { value: key }, label("themes", key, language)));
    }
  }

  function optional(value) {
    const text = (value || "").trim();
    return text ? text : undefined;
  }

  function submission() {
    const data = new FormData(form);
    const countries = (data.get("countries") || "").split(",").map((c) => c.trim().toUpperCase()).filter(Boolean);
    const sections = {};
    for (const key of ["problem", "approach", "results", "transferability", "resources"]) {
      sections[key] = (data.get(key) || "").trim();
    }
    return {
      title: (data.get("title") || "").trim(),
      language: data.get("language"),
      summary: optional(data.get("summary")),
      organisation: optional(data.get("organisation")),
      countries,
      themes: data.getAll("themes"),
      sections,
    };
  }

  function show(kind, heading, lines) {
    status.className = `admonition ${kind}`;
    status.replaceChildren(element("p", { class: "admonition-title" }, heading));
    if (lines.length) status.append(element("ul", {}, ...lines.map((line) => element("li", {}, line))));
  }

  const REFUSALS = {
    401: "The token was not accepted. Ask the operator of this site for a submission token.",
    409: "That id is already taken; change the title or propose another id.",
    413: "The submission is too large. Shorten the longest sections.",
    422: "Some fields need fixing:",
  };

  async function submit(event) {
    event.preventDefault();
    const token = form.elements.token.value.trim();
    show("info", "Sending…", []);
    try {
      const { status: code, body } = await callApi("submissions", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify(submission()),
      });
      if (code === 201) {
        const lines = [`Draft id: ${body.id}`, `Waiting for review in ${body.file}`];
        for (const duplicate of body.duplicates) lines.push(duplicate.message);
        show(body.duplicates.length ? "warning" : "success", body.message, lines);
        return;
      }
      show("failure", REFUSALS[code] || `The submission was refused (${code}).`, problems(body.detail));
    } catch (error) {
      show("failure", error instanceof ApiUnreachable ? error.message : `Sending failed: ${error.message}`, []);
    }
  }

  setUpChoices();
  form.addEventListener("submit", submit);
})();
