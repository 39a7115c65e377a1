/* The submission form: the token can be checked first (GET /api/submissions/token); the form is
 * checked in the browser against the limits the API enforces, every problem at once, each field
 * marked; then it posts to POST /api/submissions and shows the receipt (the draft's id and any
 * near-duplicates) or the API's problems, put back on their fields in the reader's language.
 * Everything from the API is inserted as text. */
(function () {
  "use strict";
  const form = document.getElementById("praxis-submission");
  if (!form) return;
  const { element, t, callApi, ApiUnreachable } = window.Praxis;
  const status = document.getElementById("praxis-submission-status");
  const tokenStatus = document.getElementById("sub-token-status");
  const COUNTRY = /^[A-Z]{2}$/;
  const SECTIONS = ["problem", "approach", "results", "transferability", "resources"];
  const YEARS = { low: 1950, high: 2100 };

  /** The field's label without its hint in brackets ("Title * (3 to 300 characters)" -> "Title"). */
  function fieldName(field) {
    const text = form.querySelector(`label[for="${field.id}"]`)?.textContent || field.getAttribute("aria-label") || field.name;
    return text.replace(/\s*\(.*$/s, "").replace(/\s*\*\s*$/, "").trim();
  }

  function lines(value) {
    return (value || "").split("\n").map((line) => line.trim()).filter(Boolean);
  }

  function countries() {
    return (form.elements.countries.value || "").split(",").map((code) => code.trim().toUpperCase()).filter(Boolean);
  }

  function sources() {
    return lines(form.elements.sources.value).map((line) => {
      const [title, url] = line.split("|").map((part) => part.trim());
      return url ? { title, url } : /^https?:\/\//.test(title) ? { url: title } : { title };
    });
  }

  function year(name) {
    const value = parseInt(form.elements[name].value, 10);
    return Number.isNaN(value) ? undefined : value;
  }

  function optional(name) {
    const text = (form.elements[name].value || "").trim();
    return text ? text : undefined;
  }

  function submission() {
    const chosen = (name) => [...form.elements[name].selectedOptions].map((option) => option.value);
    const start = year("period_start");
    const end = year("period_end");
    const sections = {};
    for (const key of SECTIONS) sections[key] = (form.elements[key].value || "").trim();
    return {
      title: form.elements.title.value.trim(),
      language: form.elements.language.value,
      summary: optional("summary"),
      countries: countries(),
      region: optional("region"),
      organisation: optional("organisation"),
      themes: chosen("themes"),
      target_groups: chosen("target_groups"),
      methods: chosen("methods"),
      period: start ? { start, end } : undefined,
      evidence_level: optional("evidence"),
      sources: sources(),
      contact: optional("contact"),
      sections,
    };
  }

  /** Every problem the browser can see, as [field, message]. */
  function problems() {
    const found = [];
    for (const field of form.querySelectorAll("input, textarea")) {
      if (field.type === "password" || field.type === "number") continue;
      const length = field.value.trim().length;
      const name = fieldName(field);
      if (field.required && !length) found.push([field, t("submission.required", { field: name })]);
      else if (length && field.minLength > 0 && length < field.minLength) {
        found.push([field, t("submission.too_short", { field: name, limit: field.minLength })]);
      } else if (field.maxLength > 0 && length > field.maxLength) {
        found.push([field, t("submission.too_long", { field: name, limit: field.maxLength })]);
      }
    }
    const countryField = form.elements.countries;
    for (const code of countries()) {
      if (!COUNTRY.test(code)) found.push([countryField, t("submission.bad_country", { field: fieldName(countryField), value: code })]);
    }
    for (const name of ["period_start", "period_end"]) {
      const value = year(name);
      if (value !== undefined && (value < YEARS.low || value > YEARS.high)) {
        found.push([form.elements[name], t("submission.bad_year", { field: fieldName(form.elements[name]), ...YEARS })]);
      }
    }
    const start = year("period_start");
    const end = year("period_end");
    if (start && end && end < start) found.push([form.elements.period_end, t("submission.end_before_start", { field: fieldName(form.elements.period_end) })]);
    if (year("period_end") && !start) found.push([form.elements.period_start, t("submission.required", { field: fieldName(form.elements.period_start) })]);
    for (const source of sources()) {
      if (source.url && !/^https?:\/\/\S+$/.test(source.url)) {
        found.push([form.elements.sources, t("submission.bad_url", { field: fieldName(form.elements.sources), value: source.url })]);
      }
    }
    return found;
  }

  /** The form field an API problem is about ("sections.problem", "countries.0", "period.end" ...). */
  function fieldOf(location) {
    const path = location.filter((part) => part !== "body");
    const [first, second] = path;
    if (first === "sections") return form.elements[second];
    if (first === "period") return form.elements[second === "end" ? "period_end" : "period_start"];
    if (first === "evidence_level") return form.elements.evidence;
    return form.elements[first] || null;
  }

  /** An API problem in the reader's language, where its type is one the form knows. */
  function apiProblem(item) {
    const field = fieldOf(item.loc || []);
    const name = field ? fieldName(field) : (item.loc || []).filter((part) => part !== "body").join(".");
    const context = item.ctx || {};
    const messages = {
      missing: () => t("submission.required", { field: name }),
      string_too_short: () => t("submission.too_short", { field: name, limit: context.min_length }),
      string_too_long: () => t("submission.too_long", { field: name, limit: context.max_length }),
    };
    const message = messages[item.type] ? messages[item.type]() : t("submission.invalid", { field: name, message: item.msg });
    return [field, message];
  }

  /** A problem the API found while storing the draft: a sentence "field.path: what is wrong" in English. */
  function storedProblem(sentence) {
    return [fieldOf(sentence.split(":")[0].split(".")), sentence];
  }

  /** An error answer's detail as lines: a sentence, or a list of them. */
  function details(detail) {
    if (Array.isArray(detail)) return detail.map((item) => (typeof item === "string" ? item : item.msg));
    return typeof detail === "string" ? [detail] : [];
  }

  function mark(found) {
    for (const field of form.querySelectorAll("[aria-invalid]")) {
      field.removeAttribute("aria-invalid");
      field.classList.remove("praxis-invalid");
    }
    for (const [field] of found) {
      if (!field) continue;
      field.setAttribute("aria-invalid", "true");
      field.classList.add("praxis-invalid");
    }
  }

  function show(kind, heading, items) {
    status.className = `admonition ${kind}`;
    status.replaceChildren(element("p", { class: "admonition-title" }, heading));
    if (items.length) status.append(element("ul", {}, ...items.map((line) => element("li", {}, line))));
  }

  function token() {
    return form.elements.token.value.trim();
  }

  async function checkToken() {
    if (!token()) {
      tokenStatus.textContent = t("submission.token_missing");
      return false;
    }
    try {
      const { status: code, body } = await callApi("submissions/token", { headers: { Authorization: `Bearer ${token()}` } });
      const accepted = code === 200;
      tokenStatus.textContent = accepted ? t("submission.token_ok", { name: body.submitter }) : t("submission.token_refused");
      tokenStatus.className = accepted ? "praxis-ok" : "praxis-error";
      form.elements.token.setAttribute("aria-invalid", String(!accepted));
      return accepted;
    } catch (error) {
      tokenStatus.textContent = t("submission.unreachable");
      return false;
    }
  }

  async function submit(event) {
    event.preventDefault();
    const found = problems();
    mark(found);
    if (found.length) {
      show("failure", t("submission.fix"), found.map(([, message]) => message));
      found[0][0].focus();
      return;
    }
    if (!(await checkToken())) {
      show("failure", tokenStatus.textContent, []);
      form.elements.token.focus();
      return;
    }
    show("info", t("submission.sending"), []);
    try {
      const { status: code, body } = await callApi("submissions", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token()}` },
        body: JSON.stringify(submission()),
      });
      if (code === 201) {
        const items = [t("submission.draft_id", { id: body.id })];
        if (body.duplicates.length) {
          items.push(t("submission.resembles"), ...body.duplicates.map((d) => `${d.title} (${d.id}, ${d.language})`));
        }
        show(body.duplicates.length ? "warning" : "success", t("submission.received"), items);
        return;
      }
      if (code === 422 && Array.isArray(body.detail)) {
        const mapped = body.detail.map((item) => (typeof item === "string" ? storedProblem(item) : apiProblem(item)));
        mark(mapped);
        show("failure", t("submission.fix"), mapped.map(([, message]) => message));
        return;
      }
      const headings = { 401: t("submission.token_refused"), 409: t("submission.conflict"), 413: t("submission.too_large") };
      show("failure", headings[code] || t("submission.refused", { code }), details(body.detail));
    } catch (error) {
      show("failure", error instanceof ApiUnreachable ? t("submission.unreachable") : t("submission.refused", { code: error.message }), []);
    }
  }

  window.Praxis.load().then(() => {
    form.elements.language.value = window.Praxis.language;
    form.dataset.ready = "true";
  });
  document.getElementById("sub-check-token").addEventListener("click", checkToken);
  form.addEventListener("submit", submit);
})();
