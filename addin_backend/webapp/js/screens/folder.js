// Inkorg, Skickade and Länkar of a mailbox, a page at a time (Föregående / Nästa). In a function mailbox the inbox
// lists cases: taken ones are highlighted with who holds them, Hantera offers what the user may do, and the
// filters Mina / Andras / Otilldelade and Öppna / Stängda narrow the list.

import { h, replace, when } from "../dom.js";
import { t, currentLanguage } from "../i18n.js";
import { statusBadge } from "../status.js";
import { problemText } from "../fields.js";

const PAGE_SIZE = 25;
const FOLDER_TITLES = { inbox: "inbox", sent: "sent", links: "links" };

/** Paging and filters per mailbox folder, kept while the user looks at a message and comes back. */
function folderState(ctx, address, folder) {
  ctx.folderStates = ctx.folderStates || {};
  const key = `${address}/${folder}`;
  return (ctx.folderStates[key] = ctx.folderStates[key] || { cursors: [null], assigned: "", status: "" });
}

export async function folderScreen(ctx, main, { address, folder }) {
  const box = (ctx.me.mailboxes || []).find((b) => b.address === address) || { address, name: address, kind: "personal" };
  const isFunction = box.kind === "function";
  const view = folderState(ctx, address, folder);
  let notice = null;
  let problem = null;

  async function load({ focus } = {}) {
    const cursor = view.cursors[view.cursors.length - 1];
    replace(main, header(), h("p", { class: "body", role: "status" }, t("loading")));
    let page;
    try {
      page = await ctx.api.folder(address, folder, {
        cursor,
        limit: PAGE_SIZE,
        assigned: isFunction && folder === "inbox" ? view.assigned || undefined : undefined,
        status: isFunction && folder === "inbox" ? view.status || undefined : undefined,
      });
    } catch (error) {
      replace(main, header(), h("div", { class: "error-summary", role: "alert" }, h("p", { class: "body" }, problemText(error))));
      return;
    }
    replace(
      main,
      header(),
      isFunction && folder === "inbox" ? filters() : null,
      notice ? h("div", { class: "notification notification--success", role: "status" }, h("p", { class: "body" }, notice)) : null,
      problem ? h("div", { class: "error-summary", role: "alert", tabindex: "-1" }, h("p", { class: "body" }, problem)) : null,
      page.items.length ? table(page.items) : h("p", { class: "body" }, t("empty_folder")),
      pager(page.next_cursor),
    );
    if (focus) document.getElementById(focus)?.focus();
  }

  function header() {
    return h(
      "div",
      { class: "screen-header" },
      h("span", { class: "caption" }, box.name),
      h("h1", { class: "heading-l", id: "screen-title", tabindex: "-1" }, t(FOLDER_TITLES[folder])),
    );
  }

  function filters() {
    const select = (id, label, value, options, set) =>
      h(
        "div",
        { class: "filter" },
        h("label", { class: "label", for: id }, label),
        h(
          "select",
          {
            class: "select",
            id,
            onchange: (e) => {
              set(e.target.value);
              view.cursors = [null];
              notice = problem = null;
              load({ focus: id });
            },
          },
          options.map(([v, text]) => h("option", { value: v, selected: v === value || null }, text)),
        ),
      );
    return h(
      "div",
      { class: "filters", role: "group", "aria-label": t("filters") },
      select("filter-assigned", t("filter_assigned"), view.assigned, [
        ["", t("filter_all")],
        ["me", t("filter_mine")],
        ["others", t("filter_others")],
        ["unassigned", t("filter_unassigned")],
      ], (v) => (view.assigned = v)),
      select("filter-status", t("filter_status"), view.status, [
        ["", t("filter_all")],
        ["open", t("filter_open")],
        ["closed", t("filter_closed")],
      ], (v) => (view.status = v)),
    );
  }

  function table(items) {
    const columns =
      folder === "inbox"
        ? [t("col_from"), t("col_subject"), t("col_sent"), t("col_level"), isFunction ? t("col_case") : null]
        : folder === "sent"
          ? [t("col_to"), t("col_subject"), t("col_sent"), t("col_level")]
          : [t("col_to"), t("col_subject"), t("col_method"), t("col_sent"), t("col_level")];
    return h(
      "table",
      { class: "message-table" },
      h("caption", { class: "visually-hidden" }, `${box.name}: ${t(FOLDER_TITLES[folder])}`),
      h("thead", {}, h("tr", {}, columns.filter(Boolean).map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, items.map((item, index) => row(item, index))),
    );
  }

  function subjectCell(item) {
    const text = item.locked ? t("locked", { loa: item.loa }) : item.subject ?? t("recalled_subject");
    return h(
      "td",
      { class: "message-table__subject" },
      h("a", { href: `#/message/${encodeURIComponent(item.message_id)}`, id: `msg-${item.message_id}` }, text),
      item.has_attachments ? h("span", { class: "tag", title: t("attachment_marker") }, h("span", { class: "visually-hidden" }, " — "), t("attachment_marker")) : null,
    );
  }

  function recipientsCell(item) {
    const deliveries = item.deliveries || [];
    return h(
      "td",
      {},
      h(
        "ul",
        { class: "status-list" },
        deliveries.map((d) => h("li", {}, statusBadge(d.status, { label: d.address }), h("span", { class: "status-list__address" }, d.address))),
      ),
    );
  }

  function row(item, index) {
    const lang = currentLanguage();
    const sent = h("td", {}, when(item.sent_at, lang));
    const level = h("td", {}, `LoA${item.loa}`);
    if (folder === "inbox") {
      const kase = item.case;
      const taken = kase && kase.assignee && kase.status === "open";
      return h(
        "tr",
        { class: [taken ? "row--taken" : "", item.status === "unopened" ? "row--unread" : ""].join(" ").trim() || null },
        h("td", {}, item.from, item.status ? h("span", { class: "visually-hidden" }, ` (${t(`status_${item.status}`)})`) : null),
        subjectCell(item),
        sent,
        level,
        isFunction ? caseCell(item, index) : null,
      );
    }
    if (folder === "sent") return h("tr", {}, recipientsCell(item), subjectCell(item), sent, level);
    const methods = [...new Set((item.deliveries || []).map((d) => ctx.methodName(d.method)).filter(Boolean))];
    return h("tr", {}, recipientsCell(item), subjectCell(item), h("td", {}, methods.join(", ")), sent, level);
  }

  function caseCell(item, index) {
    const kase = item.case;
    if (!kase) return h("td", {});
    const mine = kase.assignee && kase.assignee === ctx.me.email;
    const state = kase.status === "closed" ? t("case_closed") : kase.assignee ? (mine ? t("taken_by_you") : t("taken_by", { who: kase.assignee_name || kase.assignee })) : t("case_open");
    const actions = allowedActions(kase, mine);
    return h(
      "td",
      { class: "case-cell" },
      h("span", { class: "case-state" }, state),
      actions.length ? manageMenu(item, index, actions) : null,
    );
  }

  function allowedActions(kase, mine) {
    if (kase.status === "closed") return ["reopen"];
    if (kase.status !== "open") return [];
    if (!kase.assignee) return ["take", "close", "delete"];
    if (mine) return ["release", "close", "delete"];
    // Held by someone else: only they may release, close or delete it.
    return [];
  }

  function manageMenu(item, index, actions) {
    const menuId = `manage-${index}`;
    const subject = item.subject ?? t("recalled_subject");
    const menu = h(
      "ul",
      { class: "manage-menu", id: menuId, hidden: true },
      actions.map((action) =>
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: "button button--secondary button--small", "data-action": action, onclick: () => act(item, action, index) },
            t(action),
          ),
        ),
      ),
    );
    const toggle = h(
      "button",
      {
        type: "button",
        class: "button button--secondary button--small",
        id: `manage-toggle-${index}`,
        "aria-expanded": "false",
        "aria-controls": menuId,
        "aria-label": t("manage_label", { subject }),
        onclick: () => {
          const open = toggle.getAttribute("aria-expanded") !== "true";
          toggle.setAttribute("aria-expanded", String(open));
          menu.hidden = !open;
          if (open) menu.querySelector("button")?.focus();
        },
      },
      t("manage"),
    );
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        menu.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
    return h("div", { class: "manage" }, toggle, menu);
  }

  async function act(item, action, index) {
    if (action === "delete") {
      const ok = await ctx.confirm(t("confirm_delete", { subject: item.subject ?? t("recalled_subject") }), t("confirm_delete_yes"));
      if (!ok) {
        document.getElementById(`manage-toggle-${index}`)?.focus();
        return;
      }
    }
    notice = problem = null;
    try {
      if (action === "delete") await ctx.api.deleteCase(address, item.case.id);
      else await ctx.api.caseAction(address, item.case.id, action);
      notice = t(`case_done_${action}`);
    } catch (error) {
      problem = problemText(error);
    }
    await load({ focus: "screen-title" });
  }

  function pager(nextCursor) {
    const hasPrevious = view.cursors.length > 1;
    if (!hasPrevious && !nextCursor) return null;
    return h(
      "nav",
      { class: "pager", "aria-label": t("page_n", { n: view.cursors.length }) },
      hasPrevious
        ? h("button", { type: "button", class: "button button--secondary", id: "page-previous", onclick: () => {
            view.cursors.pop();
            load({ focus: "screen-title" });
          } }, t("previous"))
        : null,
      h("span", { class: "pager__page" }, t("page_n", { n: view.cursors.length })),
      nextCursor
        ? h("button", { type: "button", class: "button button--secondary", id: "page-next", onclick: () => {
            view.cursors.push(nextCursor);
            load({ focus: "screen-title" });
          } }, t("next"))
        : null,
    );
  }

  await load({ focus: ctx.focusOnLoad ? "screen-title" : null });
}
