// One message: subject, sender, level, body, attachments (downloaded with the bearer token), Tillbaka. The sender's
// side sees every recipient with status and details (opened at, method, answered at), Gå till meddelande, Visa svar
// and Återkalla (with a confirmation) on unopened deliveries. A recipient may reply when replies are allowed. A
// message above the sign-in's level offers step-up.

import { h, replace, when, formatSize } from "../dom.js";
import { t, currentLanguage } from "../i18n.js";
import { statusBadge } from "../status.js";
import { field, errorSummary, problemText } from "../fields.js";

// The API's largest page: few requests when Visa svar looks through the inbox.
const INBOX_PAGE = 100;

/**
 * Draw message `id` into `main`. `options.back` (a function) adds Tillbaka; `options.link` is the mail's link,
 * offered when the reader is no recipient (the Outlook read pane).
 */
export async function messageScreen(ctx, main, id, options = {}) {
  let message = null;
  let notice = null;
  let problem = null;
  const openDetails = new Set();
  const replyState = { subject: "", body: "", files: [], errors: {}, summary: null, busy: false, done: false };

  async function load({ focus = "screen-title" } = {}) {
    replace(main, backButton(), h("p", { class: "body", role: "status" }, t("loading")));
    try {
      message = await ctx.api.message(id);
    } catch (error) {
      return failed(error);
    }
    if (!replyState.subject) replyState.subject = message.subject.startsWith("Sv:") ? message.subject : `Sv: ${message.subject}`;
    render();
    if (focus) document.getElementById(focus)?.focus();
  }

  function backButton() {
    if (!options.back) return null;
    return h("button", { type: "button", class: "button button--secondary back-button", id: "back", onclick: options.back }, t("back"));
  }

  function failed(error) {
    if (error.code === "step_up_required") return stepUp(error);
    let sentence = problemText(error);
    if (error.status === 404) sentence = options.link !== undefined ? t("not_recipient") : t("not_found");
    replace(
      main,
      backButton(),
      h("h1", { class: "heading-l", id: "screen-title", tabindex: "-1" }, sentence),
      options.link ? h("p", { class: "body" }, h("a", { href: options.link, target: "_blank", rel: "noopener noreferrer" }, t("not_recipient_link"))) : null,
    );
    document.getElementById("screen-title")?.focus();
  }

  function stepUp(error) {
    const loa = error.requiredLoa || 3;
    const canStepUp = typeof ctx.host.stepUp === "function";
    const elsewhere = `${ctx.portalUrl || ""}/app/#/message/${encodeURIComponent(id)}`;
    replace(
      main,
      backButton(),
      h("h1", { class: "heading-l", id: "screen-title", tabindex: "-1" }, t("step_up_title", { loa })),
      h("p", { class: "body" }, canStepUp ? t("step_up_text", { loa }) : t("step_up_elsewhere", { loa })),
      canStepUp
        ? h(
            "button",
            {
              type: "button",
              class: "button",
              id: "step-up",
              onclick: async () => {
                try {
                  await ctx.host.stepUp(loa, error.challenge);
                } catch (failure) {
                  replace(main, backButton(), h("div", { class: "error-summary", role: "alert" }, h("p", { class: "body" }, t("sign_in_failed"))));
                  return;
                }
                await load();
              },
            },
            t("step_up_button", { loa }),
          )
        : h("p", { class: "body" }, h("a", { href: elsewhere, target: "_blank", rel: "noopener noreferrer" }, t("step_up_link"))),
    );
    document.getElementById("screen-title")?.focus();
  }

  function render() {
    const lang = currentLanguage();
    const senderSide = isSenderSide();
    replace(
      main,
      backButton(),
      h("h1", { class: "heading-l", id: "screen-title", tabindex: "-1" }, message.subject),
      notice ? h("div", { class: "notification notification--success", role: "status" }, h("p", { class: "body" }, notice)) : null,
      problem ? h("div", { class: "error-summary", role: "alert" }, h("p", { class: "body" }, problem)) : null,
      h(
        "dl",
        { class: "summary-list" },
        row(t("from_label"), message.from),
        row(t("sent_at"), when(message.sent_at, lang)),
        row(t("level_label"), `LoA${message.loa}`),
      ),
      senderSide ? recipients() : null,
      h("h2", { class: "heading-m", id: "message-body-title", tabindex: "-1" }, t("body")),
      h("div", { class: "message-body", "aria-labelledby": "message-body-title", role: "region" }, message.body),
      attachments(),
      senderSide && message.open_message ? openMessage() : null,
      !senderSide && message.reply_allowed ? replyForm() : null,
    );
  }

  function isSenderSide() {
    // The API shows every recipient to the sender's side only; a recipient sees their own delivery alone.
    const own = (ctx.me && ctx.me.mailboxes ? ctx.me.mailboxes : []).map((b) => b.address);
    return own.includes(message.from);
  }

  function row(key, value) {
    return h("div", { class: "summary-list__row" }, h("dt", { class: "summary-list__key" }, key), h("dd", { class: "summary-list__value" }, value));
  }

  function attachments() {
    if (!message.attachments.length) return null;
    return h(
      "section",
      { "aria-labelledby": "attachments-title" },
      h("h2", { class: "heading-m", id: "attachments-title" }, t("attachments")),
      h(
        "ul",
        { class: "attachments" },
        message.attachments.map((a) =>
          h(
            "li",
            {},
            h("button", { type: "button", class: "link-button", onclick: () => download(a) }, t("download", { name: a.name })),
            h("span", { class: "hint" }, ` (${formatSize(a.size)})`),
          ),
        ),
      ),
    );
  }

  async function download(attachment) {
    try {
      const blob = await ctx.api.download(message.id, attachment.id);
      const url = URL.createObjectURL(blob);
      const anchor = h("a", { href: url, download: attachment.name, class: "visually-hidden" }, attachment.name);
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      problem = problemText(error);
      render();
    }
  }

  function recipients() {
    return h(
      "section",
      { class: "recipients", "aria-labelledby": "recipients-title" },
      h("h2", { class: "heading-m", id: "recipients-title" }, t("recipients_status")),
      h("ul", { class: "recipient-list" }, message.deliveries.map((d, index) => recipient(d, index))),
    );
  }

  function recipient(delivery, index) {
    const detailsId = `delivery-details-${index}`;
    const expanded = openDetails.has(delivery.id);
    const toggle = h(
      "button",
      {
        type: "button",
        class: "recipient-toggle has-tooltip",
        id: `delivery-${index}`,
        "aria-expanded": String(expanded),
        "aria-controls": detailsId,
        "aria-describedby": `${detailsId}-tip`,
        onclick: () => {
          if (openDetails.has(delivery.id)) openDetails.delete(delivery.id);
          else openDetails.add(delivery.id);
          render();
          document.getElementById(`delivery-${index}`)?.focus();
        },
        onkeydown: (event) => {
          if (event.key === "Escape") toggle.classList.add("tooltip-dismissed");
        },
        onblur: () => toggle.classList.remove("tooltip-dismissed"),
        onmouseleave: () => toggle.classList.remove("tooltip-dismissed"),
      },
      statusBadge(delivery.status, { focusable: false }),
      h("span", { class: "recipient-toggle__address" }, delivery.address),
      h("span", { class: "tooltip", role: "tooltip", id: `${detailsId}-tip` }, t(`status_tip_${delivery.status}`)),
    );
    return h("li", { class: `recipient recipient--${delivery.status}` }, toggle, expanded ? details(delivery, detailsId, index) : null);
  }

  function details(delivery, detailsId, index) {
    const lang = currentLanguage();
    const dash = t("not_yet");
    const rows = [
      row(t("col_status"), t(`status_${delivery.status}`)),
      row(t("opened_at"), delivery.opened_at ? when(delivery.opened_at, lang) : dash),
      row(t("opened_method"), ctx.methodName(delivery.opened_method || delivery.method) || "—"),
      row(t("answered_at"), delivery.answered_at ? when(delivery.answered_at, lang) : dash),
    ];
    if (delivery.recalled_at) rows.push(row(t("recalled_at"), when(delivery.recalled_at, lang)));
    if (delivery.notification_failed_at) rows.push(row(t("notification_failed"), when(delivery.notification_failed_at, lang)));
    if (delivery.locked_until && new Date(delivery.locked_until) > new Date()) rows.push(row(t("locked_until"), when(delivery.locked_until, lang)));
    return h(
      "div",
      { class: "delivery-details", id: detailsId, role: "region", "aria-label": t("details_for", { address: delivery.address }) },
      h("dl", { class: "summary-list" }, rows),
      h(
        "div",
        { class: "button-group" },
        h(
          "button",
          { type: "button", class: "button button--secondary", onclick: () => document.getElementById("message-body-title")?.focus() },
          t("go_to_message"),
        ),
        delivery.status === "answered"
          ? h("button", { type: "button", class: "button button--secondary", id: `show-reply-${index}`, onclick: () => showReply(delivery) }, t("show_reply"))
          : null,
        delivery.status === "unopened"
          ? h("button", { type: "button", class: "button button--warning", id: `recall-${index}`, onclick: () => recall(delivery, index) }, t("recall"))
          : null,
      ),
    );
  }

  async function recall(delivery, index) {
    const ok = await ctx.confirm(t("confirm_recall", { address: delivery.address }), t("confirm_recall_yes"));
    if (!ok) {
      document.getElementById(`recall-${index}`)?.focus();
      return;
    }
    notice = problem = null;
    try {
      await ctx.api.recall(message.id, delivery.id);
      notice = t("recalled_ok", { address: delivery.address });
    } catch (error) {
      problem = problemText(error);
    }
    await load({ focus: `delivery-${index}` });
  }

  /**
   * The delivery names its latest reply; a delivery answered before replies were recorded on it is found by
   * looking through the sender's inbox for a message that answers this one.
   */
  async function showReply(delivery) {
    if (delivery.reply_message_id) {
      ctx.navigate(`#/message/${encodeURIComponent(delivery.reply_message_id)}`);
      return;
    }
    const from = message.from;
    let cursor = null;
    try {
      for (let pages = 0; pages < 20; pages += 1) {
        const page = await ctx.api.folder(from, "inbox", { cursor, limit: INBOX_PAGE });
        const reply = page.items.find((item) => item.in_reply_to === message.id && item.from === delivery.address)
          || page.items.find((item) => item.in_reply_to === message.id);
        if (reply) {
          ctx.navigate(`#/message/${encodeURIComponent(reply.message_id)}`);
          return;
        }
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      problem = t("no_reply_found");
    } catch (error) {
      problem = problemText(error);
    }
    render();
  }

  function openMessage() {
    return h(
      "section",
      { "aria-labelledby": "open-message-title" },
      h("h2", { class: "heading-m", id: "open-message-title" }, t("open_message_sent")),
      h("div", { class: "message-body message-body--open" }, message.open_message),
    );
  }

  function replyForm() {
    if (replyState.done) {
      return h("div", { class: "notification notification--success", role: "status", tabindex: "-1", id: "reply-done" }, h("p", { class: "body" }, t("reply_sent")));
    }
    return h(
      "section",
      { class: "reply", "aria-labelledby": "reply-title" },
      h("h2", { class: "heading-m", id: "reply-title" }, t("reply_title")),
      replyState.summary ? errorSummary(replyState.summary, Object.entries(replyState.errors).map(([key, text]) => ({ target: `reply-${key}`, text }))) : null,
      h(
        "form",
        { novalidate: true, onsubmit: sendReply, "aria-labelledby": "reply-title" },
        field({
          id: "reply-subject",
          label: t("reply_subject"),
          error: replyState.errors.subject,
          make: (describedBy, bad) =>
            h("input", { class: `input${bad ? " input--error" : ""}`, id: "reply-subject", type: "text", "aria-describedby": describedBy, value: replyState.subject, oninput: (e) => (replyState.subject = e.target.value) }),
        }),
        field({
          id: "reply-body",
          label: t("reply_body"),
          error: replyState.errors.body,
          make: (describedBy, bad) =>
            h("textarea", { class: `textarea${bad ? " textarea--error" : ""}`, id: "reply-body", rows: "6", "aria-describedby": describedBy, value: replyState.body, oninput: (e) => (replyState.body = e.target.value) }),
        }),
        field({
          id: "reply-files",
          label: t("files"),
          error: replyState.errors.files,
          make: (describedBy) =>
            h("input", { class: "file-upload", id: "reply-files", type: "file", multiple: true, "aria-describedby": describedBy, onchange: (e) => (replyState.files = Array.from(e.target.files || [])) }),
        }),
        h("button", { type: "submit", class: "button", id: "reply-send" }, t("reply_send")),
      ),
    );
  }

  async function sendReply(event) {
    event.preventDefault();
    if (replyState.busy) return;
    replyState.errors = {};
    if (!replyState.subject.trim()) replyState.errors.subject = t("subject_required");
    if (Object.keys(replyState.errors).length) {
      replyState.summary = t("error_summary");
      render();
      main.querySelector(".reply .error-summary")?.focus();
      return;
    }
    replyState.busy = true;
    try {
      await ctx.api.reply(message.id, { subject: replyState.subject, body: replyState.body }, replyState.files);
      replyState.done = true;
      replyState.summary = null;
      render();
      document.getElementById("reply-done")?.focus();
    } catch (error) {
      const code = String(error.code || "");
      const key = code.startsWith("subject") ? "subject" : code.startsWith("body") ? "body" : code.includes("attachment") ? "files" : null;
      if (key) replyState.errors[key] = problemText(error);
      replyState.summary = problemText(error);
      render();
      main.querySelector(".reply .error-summary")?.focus();
    } finally {
      replyState.busy = false;
    }
  }

  await load({ focus: options.focus === false ? null : "screen-title" });
}
