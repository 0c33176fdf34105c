// Form fields in the manner of the portal: a label on every field, its hint and its error tied to it.

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";

/**
 * A labelled field. `control` is built by `make(describedBy)` so the control carries aria-describedby for the
 * hint and error; the error (if any) is shown between the label and the control.
 */
export function field({ id, label, hint, error, make, extraClass = "" }) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || null;
  return h(
    "div",
    { class: `form-group${error ? " form-group--error" : ""} ${extraClass}`.trim() },
    h("label", { class: "label", for: id }, label),
    hint ? h("div", { class: "hint", id: hintId }, hint) : null,
    error ? h("p", { class: "error-message", id: errorId }, h("span", { class: "visually-hidden" }, t("error_prefix")), error) : null,
    make(describedBy, Boolean(error)),
  );
}

/** A group of radios or checkboxes under a legend. */
export function fieldset({ id, legend, hint, error, children, extraClass = "" }) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = error ? `${id}-error` : null;
  return h(
    "fieldset",
    {
      class: `fieldset form-group${error ? " form-group--error" : ""} ${extraClass}`.trim(),
      id,
      tabindex: "-1",
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || null,
    },
    h("legend", { class: "label" }, legend),
    hint ? h("div", { class: "hint", id: hintId }, hint) : null,
    error ? h("p", { class: "error-message", id: errorId }, h("span", { class: "visually-hidden" }, t("error_prefix")), error) : null,
    children,
  );
}

/** The summary above a form: the title, then one link per error that moves focus to its field. */
export function errorSummary(title, items) {
  const titleId = uid("error-title");
  const box = h(
    "div",
    { class: "error-summary", role: "alert", tabindex: "-1", "aria-labelledby": titleId },
    h("h2", { class: "error-summary__title", id: titleId }, title),
    items.length
      ? h(
          "ul",
          { class: "error-summary__list" },
          items.map(({ target, text }) =>
            h("li", {}, target ? h("a", { href: `#${target}`, onclick: (event) => focusField(event, target) }, text) : text),
          ),
        )
      : null,
  );
  return box;
}

function focusField(event, target) {
  // The app routes by the hash: a link to a field must not navigate.
  event.preventDefault();
  const el = document.getElementById(target);
  if (el) el.focus();
}

/** A plain Swedish (or English) sentence for an API failure without a field of its own. */
export function problemText(error) {
  if (error.status === 0) return t("network_error");
  return error.title || error.detail || t("network_error");
}
