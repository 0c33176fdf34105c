// A delivery's status: an icon and a word, with a tooltip that shows on hover and on keyboard focus.

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
// Simple line drawings on a 16 x 16 grid: a closed envelope, an open one, a reply arrow, a barred circle.
const ICONS = {
  unopened: ["M1.5 3.5h13v9h-13z", "M1.5 3.5l6.5 5 6.5-5"],
  opened: ["M1.5 7l6.5-5 6.5 5v6.5h-13z", "M1.5 7l6.5 4.5 6.5-4.5"],
  answered: ["M6.5 3.5l-5 4.5 5 4.5", "M1.5 8h8a5 5 0 0 1 5 5v1"],
  recalled: ["M8 1.5a6.5 6.5 0 1 0 0.01 0z", "M3.4 3.4l9.2 9.2"],
};

export function statusIcon(status) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `status-icon status-icon--${status}`);
  for (const d of ICONS[status] || ICONS.unopened) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** Icon and word; with `focusable`, a tab stop whose tooltip explains the status (Escape hides it). */
export function statusBadge(status, { focusable = true, label = "" } = {}) {
  const word = t(`status_${status}`);
  if (!focusable) {
    return h("span", { class: `status status--${status}` }, statusIcon(status), h("span", { class: "status__word" }, word));
  }
  const tipId = uid("tip");
  const badge = h(
    "span",
    {
      class: `status status--${status} has-tooltip`,
      tabindex: "0",
      role: "img",
      "aria-label": label ? `${label}: ${word}` : word,
      "aria-describedby": tipId,
      onkeydown: (event) => {
        if (event.key === "Escape") badge.classList.add("tooltip-dismissed");
      },
      onblur: () => badge.classList.remove("tooltip-dismissed"),
      onmouseleave: () => badge.classList.remove("tooltip-dismissed"),
    },
    statusIcon(status),
    h("span", { class: "status__word", "aria-hidden": "true" }, word),
    h("span", { class: "tooltip", role: "tooltip", id: tipId }, t(`status_tip_${status}`)),
  );
  return badge;
}
