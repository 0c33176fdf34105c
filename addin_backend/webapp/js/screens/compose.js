// The compose screen, one for every host: recipients, subject, body, files, level, reply allowed, and for each
// recipient outside Sigill the identification method and what it needs; then the open message. In the Outlook
// compose pane it starts from the draft and sends as "Kryptera meddelande".
//
// Everything typed lives in `state`; the form is drawn from it, so a refusal never loses a character.

import { h, replace, formatSize } from "../dom.js";
import { t } from "../i18n.js";
import { field, fieldset, errorSummary, problemText } from "../fields.js";

// A deliberately loose check: the server decides; this only catches what is plainly no address.
const ADDRESS = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

export function newComposeState() {
  return {
    from: "",
    recipientsText: "",
    subject: "",
    body: "",
    files: [],
    loa: null,
    replyAllowed: false,
    openMessage: "",
    // address -> {method, phone, personal_number}
    perRecipient: {},
    // address -> lookup answer {registered, name, methods}
    looked: {},
    lookedLoa: null,
    errors: {},
    summary: null,
    done: null,
    busy: false,
  };
}

/** Addresses as typed: split on commas, semicolons and line breaks; `Name <a@b.se>` keeps the address. */
export function parseAddresses(text) {
  return String(text || "")
    .split(/[,;\n]+/)
    .map((part) => {
      const angle = /<([^>]+)>/.exec(part);
      return (angle ? angle[1] : part).trim();
    })
    .filter(Boolean);
}

/**
 * Draw the compose screen into `main`. `options.outlook` makes it the Outlook pane's (submit "Kryptera
 * meddelande", closeDraft after sending). Returns nothing; the screen keeps itself up to date.
 */
export async function composeScreen(ctx, main, options = {}) {
  const state = ctx.composeState || (ctx.composeState = newComposeState());
  const levels = await ctx.levels();
  const mailboxes = ctx.me ? ctx.me.mailboxes : [];
  if (!state.from && mailboxes.length) state.from = mailboxes[0].address;
  let lookupSeq = 0;

  // The parts that change while the user types elsewhere are redrawn alone, so no field under the cursor is
  // replaced: the recipients' methods and contact fields with the open message, and the list of files.
  const detailsSlot = h("div", { class: "compose-details" });
  const filesSlot = h("div", { class: "compose-files" });

  function renderDetails() {
    keepingFocus(() => replace(detailsSlot, recipientsDetails(), openMessageField()));
  }

  function renderFiles() {
    keepingFocus(() => replace(filesSlot, fileList()));
  }

  function render() {
    keepingFocus(() => {
      replace(main, form());
      renderDetails();
      renderFiles();
    });
  }

  function keepingFocus(draw) {
    const active = document.activeElement;
    const focusId = active && main.contains(active) ? active.id : null;
    const selection = focusId && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
    draw();
    if (focusId && document.activeElement !== active) {
      const again = document.getElementById(focusId);
      if (again) {
        again.focus();
        if (selection && "setSelectionRange" in again) {
          try {
            again.setSelectionRange(selection[0], selection[1]);
          } catch {
            // Not a text field (a select or a radio): nothing to restore.
          }
        }
      }
    }
  }

  function form() {
    const title = options.outlook ? t("compose_title_outlook") : t("compose_title");
    return h(
      "div",
      { class: "screen screen--compose" },
      h("h1", { class: "heading-l", id: "screen-title", tabindex: "-1" }, title),
      state.done ? doneNotice() : null,
      state.summary ? errorSummary(state.summary.title, state.summary.items) : null,
      h(
        "form",
        { class: "compose-form", novalidate: true, onsubmit: submit, "aria-labelledby": "screen-title" },
        mailboxes.length > 1 ? fromField() : null,
        recipientsField(),
        textField("compose-subject", t("subject"), "subject", state.subject, (v) => (state.subject = v)),
        bodyField(),
        filesField(),
        levelField(),
        replyField(),
        detailsSlot,
        h(
          "div",
          { class: "button-group" },
          h(
            "button",
            { class: "button", type: "submit", id: "compose-send", disabled: state.busy || null, "aria-disabled": state.busy ? "true" : null },
            state.busy ? t("sending") : options.outlook ? t("send_outlook") : t("send"),
          ),
        ),
      ),
    );
  }

  function doneNotice() {
    return h(
      "div",
      { class: "notification notification--success", role: "status" },
      h("p", { class: "notification__title" }, t("sent_ok")),
      options.outlook
        ? null
        : h(
            "p",
            { class: "body" },
            h("a", { href: `#/mailbox/${encodeURIComponent(state.done.from)}/${state.done.folder}` }, state.done.folder === "links" ? t("links") : t("sent")),
          ),
    );
  }

  function fromField() {
    return field({
      id: "compose-from",
      label: t("from"),
      make: (describedBy) =>
        h(
          "select",
          { class: "select", id: "compose-from", "aria-describedby": describedBy, onchange: (e) => (state.from = e.target.value) },
          mailboxes.map((box) =>
            h("option", { value: box.address, selected: box.address === state.from || null }, `${box.name} <${box.address}>`),
          ),
        ),
    });
  }

  function recipientsField() {
    return field({
      id: "compose-recipients",
      label: t("recipients"),
      hint: t("recipients_hint"),
      error: state.errors.recipients,
      make: (describedBy, bad) =>
        h("textarea", {
          class: `textarea${bad ? " textarea--error" : ""}`,
          id: "compose-recipients",
          name: "recipients",
          rows: "2",
          autocomplete: "off",
          spellcheck: "false",
          "aria-describedby": describedBy,
          "aria-invalid": bad ? "true" : null,
          value: state.recipientsText,
          oninput: (e) => (state.recipientsText = e.target.value),
          onchange: () => lookUp(),
        }),
    });
  }

  function textField(id, label, key, value, set) {
    return field({
      id,
      label,
      error: state.errors[key],
      make: (describedBy, bad) =>
        h("input", {
          class: `input${bad ? " input--error" : ""}`,
          id,
          type: "text",
          "aria-describedby": describedBy,
          "aria-invalid": bad ? "true" : null,
          value,
          oninput: (e) => set(e.target.value),
        }),
    });
  }

  function bodyField() {
    return field({
      id: "compose-body",
      label: t("body"),
      error: state.errors.body,
      make: (describedBy, bad) =>
        h("textarea", {
          class: `textarea${bad ? " textarea--error" : ""}`,
          id: "compose-body",
          rows: "8",
          "aria-describedby": describedBy,
          "aria-invalid": bad ? "true" : null,
          value: state.body,
          oninput: (e) => (state.body = e.target.value),
        }),
    });
  }

  function fileList() {
    return state.files.length
      ? h(
          "ul",
          { class: "file-list", "aria-label": t("draft_files") },
          state.files.map((file, index) =>
            h(
              "li",
              {},
              h("span", { class: "file-list__name" }, `${file.name} (${formatSize(file.size)})`),
              h(
                "button",
                {
                  type: "button",
                  class: "button button--secondary button--small",
                  id: `compose-file-remove-${index}`,
                  onclick: () => {
                    state.files.splice(index, 1);
                    renderFiles();
                    document.getElementById("compose-files")?.focus();
                  },
                },
                t("remove_file", { name: file.name }),
              ),
            ),
          ),
        )
      : null;
  }

  function filesField() {
    return h(
      "div",
      {},
      field({
        id: "compose-files",
        label: t("files"),
        hint: t("files_hint"),
        error: state.errors.files,
        make: (describedBy) =>
          h("input", {
            class: "file-upload",
            id: "compose-files",
            type: "file",
            multiple: true,
            "aria-describedby": describedBy,
            onchange: (e) => {
              state.files.push(...Array.from(e.target.files || []));
              e.target.value = "";
              renderFiles();
            },
          }),
      }),
      filesSlot,
    );
  }

  function levelField() {
    return fieldset({
      id: "compose-level",
      legend: t("level"),
      hint: t("level_hint"),
      error: state.errors.loa,
      children: h(
        "div",
        { class: "radios" },
        levels.levels.map((level) => {
          const id = `compose-loa-${level.loa}`;
          return h(
            "div",
            { class: "radios__item" },
            h("input", {
              class: "radios__input",
              type: "radio",
              name: "loa",
              id,
              value: String(level.loa),
              checked: state.loa === level.loa,
              "aria-describedby": `${id}-help`,
              onchange: () => {
                state.loa = level.loa;
                lookUp();
              },
            }),
            h("label", { class: "radios__label", for: id }, level.name),
            h("div", { class: "hint radios__hint", id: `${id}-help` }, level.description),
          );
        }),
      ),
    });
  }

  function replyField() {
    return h(
      "div",
      { class: "form-group checkboxes__item" },
      h("input", {
        class: "checkboxes__input",
        type: "checkbox",
        id: "compose-reply",
        checked: state.replyAllowed,
        onchange: (e) => (state.replyAllowed = e.target.checked),
      }),
      h("label", { class: "checkboxes__label", for: "compose-reply" }, t("reply_allowed")),
    );
  }

  function currentRecipients() {
    return parseAddresses(state.recipientsText).map((a) => a.toLowerCase());
  }

  function linkRecipients() {
    return currentRecipients().filter((address) => state.looked[address] && !state.looked[address].registered);
  }

  function recipientsDetails() {
    if (state.loa === null) return null;
    const addresses = currentRecipients().filter((a) => state.looked[a]);
    if (!addresses.length) return null;
    const registered = addresses.filter((a) => state.looked[a].registered);
    const links = addresses.filter((a) => !state.looked[a].registered);
    return h(
      "div",
      { class: "recipient-details" },
      registered.map((address) => h("p", { class: "body registered-recipient" }, t("registered_recipient", { address }))),
      links.length
        ? h(
            "section",
            { class: "link-recipients", "aria-labelledby": "compose-links-title" },
            h("h2", { class: "heading-s", id: "compose-links-title" }, t("link_recipients")),
            h("p", { class: "hint" }, t("link_recipients_hint")),
            links.map((address, index) => linkRecipient(address, index)),
          )
        : null,
    );
  }

  function linkRecipient(address, index) {
    const found = state.looked[address];
    const chosen = state.perRecipient[address] || (state.perRecipient[address] = { method: "", phone: "", personal_number: "" });
    const methods = found.methods || [];
    if (!methods.some((m) => m.method === chosen.method)) {
      chosen.method = (methods.find((m) => m.default) || methods[0] || {}).method || "";
    }
    const method = methods.find((m) => m.method === chosen.method);
    const methodId = `compose-method-${index}`;
    const parts = [
      field({
        id: methodId,
        label: t("method_for", { address }),
        error: state.errors[`method:${address}`],
        make: (describedBy) =>
          h(
            "select",
            {
              class: "select",
              id: methodId,
              "aria-describedby": describedBy,
              onchange: (e) => {
                chosen.method = e.target.value;
                renderDetails();
              },
            },
            methods.map((m) =>
              h("option", { value: m.method, selected: m.method === chosen.method || null }, levels.method_names[m.method] || m.method),
            ),
          ),
      }),
    ];
    if (method && method.needs === "phone") {
      parts.push(contactField(`compose-phone-${index}`, t("phone_for", { address }), `phone:${address}`, "tel", chosen, "phone"));
    }
    if (method && method.needs === "personal_number") {
      parts.push(
        contactField(`compose-pnr-${index}`, t("personal_number_for", { address }), `personal_number:${address}`, "text", chosen, "personal_number"),
      );
    }
    return h("div", { class: "link-recipient" }, parts);
  }

  function contactField(id, label, key, type, chosen, prop) {
    return field({
      id,
      label,
      error: state.errors[key],
      make: (describedBy, bad) =>
        h("input", {
          class: `input input--width-20${bad ? " input--error" : ""}`,
          id,
          type,
          autocomplete: "off",
          inputmode: type === "tel" ? "tel" : "numeric",
          "aria-describedby": describedBy,
          "aria-invalid": bad ? "true" : null,
          value: chosen[prop],
          oninput: (e) => (chosen[prop] = e.target.value),
        }),
    });
  }

  function openMessageField() {
    if (!linkRecipients().length || state.loa === null) return null;
    return field({
      id: "compose-open-message",
      label: t("open_message"),
      hint: levels.open_message.warning,
      error: state.errors.open_message,
      make: (describedBy, bad) =>
        h("textarea", {
          class: `textarea${bad ? " textarea--error" : ""}`,
          id: "compose-open-message",
          rows: "3",
          placeholder: levels.open_message.default_text,
          "aria-describedby": describedBy,
          "aria-invalid": bad ? "true" : null,
          value: state.openMessage,
          oninput: (e) => (state.openMessage = e.target.value),
        }),
    });
  }

  /** Ask the API who is inside Sigill and which methods reach the level; redraw with the answer. */
  async function lookUp() {
    const addresses = currentRecipients().filter((a) => ADDRESS.test(a));
    if (!addresses.length || state.loa === null) {
      renderDetails();
      return;
    }
    const seq = ++lookupSeq;
    const hadError = Boolean(state.errors.recipients);
    try {
      const answer = await ctx.api.lookup(addresses, state.loa);
      if (seq !== lookupSeq) return;
      state.looked = {};
      for (const found of answer.recipients) state.looked[found.address] = found;
      state.lookedLoa = answer.loa;
      delete state.errors.recipients;
    } catch (error) {
      if (seq !== lookupSeq) return;
      state.errors.recipients = problemText(error);
    }
    // The recipients field itself is redrawn only when its error comes or goes.
    if (hadError !== Boolean(state.errors.recipients)) render();
    else renderDetails();
  }

  function validate() {
    const errors = {};
    const addresses = currentRecipients();
    const invalid = addresses.filter((a) => !ADDRESS.test(a));
    if (!addresses.length) errors.recipients = t("recipients_required");
    else if (invalid.length) errors.recipients = t("address_invalid", { address: invalid[0] });
    if (!state.subject.trim()) errors.subject = t("subject_required");
    if (state.loa === null) errors.loa = t("level_required");
    for (const address of linkRecipients()) {
      const chosen = state.perRecipient[address] || {};
      const method = (state.looked[address].methods || []).find((m) => m.method === chosen.method);
      if (method && method.needs === "phone" && !String(chosen.phone || "").trim()) errors[`phone:${address}`] = t("phone_required");
      if (method && method.needs === "personal_number" && !String(chosen.personal_number || "").trim()) {
        errors[`personal_number:${address}`] = t("personal_number_required");
      }
    }
    return errors;
  }

  function message() {
    const recipients = currentRecipients().map((address) => {
      const found = state.looked[address];
      if (!found || found.registered) return { address };
      const chosen = state.perRecipient[address] || {};
      const method = (found.methods || []).find((m) => m.method === chosen.method);
      const out = { address, method: chosen.method || undefined };
      if (method && method.needs === "phone") out.phone = chosen.phone.trim();
      if (method && method.needs === "personal_number") out.personal_number = chosen.personal_number.trim();
      return out;
    });
    const body = {
      recipients,
      subject: state.subject,
      body: state.body,
      loa: state.loa,
      reply_allowed: state.replyAllowed,
    };
    if (state.from && mailboxes.length > 1) body.from = state.from;
    if (state.openMessage.trim() && linkRecipients().length) body.open_message = state.openMessage;
    return body;
  }

  async function submit(event) {
    event.preventDefault();
    if (state.busy) return;
    state.done = null;
    // The methods must be known for the level asked before the message can say how each recipient identifies.
    if (state.loa !== null && (state.lookedLoa !== state.loa || currentRecipients().some((a) => ADDRESS.test(a) && !state.looked[a]))) {
      await lookUp();
    }
    state.errors = validate();
    if (Object.keys(state.errors).length) {
      showErrors(t("error_summary"));
      return;
    }
    state.busy = true;
    state.summary = null;
    render();
    try {
      const sent = await ctx.api.send(message(), state.files);
      const from = state.from || (mailboxes[0] && mailboxes[0].address) || "";
      const folder = linkRecipients().length ? "links" : "sent";
      if (options.outlook && ctx.host.compose) {
        await ctx.host.compose.closeDraft({ message: sent, notice: t("outlook_notice") });
      }
      const fresh = newComposeState();
      fresh.from = from;
      Object.assign(state, fresh, { done: { id: sent.id, from, folder } });
      render();
      main.querySelector('[role="status"]')?.setAttribute("tabindex", "-1");
      main.querySelector('[role="status"]')?.focus();
    } catch (error) {
      state.busy = false;
      state.errors = fieldErrors(error);
      // With a field to point at, the summary says what failed and links there; without, it says why.
      showErrors(Object.keys(state.errors).length ? t("error_title") : problemText(error));
    }
  }

  function showErrors(title) {
    const items = Object.entries(state.errors).map(([key, text]) => ({ target: targetOf(key), text }));
    state.summary = { title, items };
    render();
    main.querySelector(".error-summary")?.focus();
  }

  function targetOf(key) {
    if (key === "recipients") return "compose-recipients";
    if (key === "subject") return "compose-subject";
    if (key === "body") return "compose-body";
    if (key === "files") return "compose-files";
    if (key === "loa") return "compose-loa-1";
    if (key === "open_message") return "compose-open-message";
    const [kind, address] = key.split(/:(.*)/s);
    const index = linkRecipients().indexOf(address);
    if (index < 0) return "compose-recipients";
    if (kind === "phone") return `compose-phone-${index}`;
    if (kind === "personal_number") return `compose-pnr-${index}`;
    return `compose-method-${index}`;
  }

  /** Which field an API refusal belongs to: its pointer if it names one, else its code. */
  function fieldErrors(error) {
    const text = problemText(error);
    const errors = {};
    const recipients = currentRecipients();
    const pointers = error.errors.length ? error.errors : [];
    for (const { pointer, detail } of pointers) {
      const key = keyOfPointer(pointer, recipients);
      if (key) errors[key] = detail || text;
    }
    if (Object.keys(errors).length) return errors;
    const key = keyOfCode(error.code, error.detail);
    if (key) errors[key] = text;
    return errors;
  }

  function keyOfPointer(pointer, recipients) {
    const match = /^#?\/?recipients\/(\d+)(?:\/(\w+))?/.exec(pointer || "");
    if (match) {
      const address = recipients[Number(match[1])];
      if (match[2] === "phone" || match[2] === "personal_number" || match[2] === "method") return `${match[2]}:${address}`;
      return "recipients";
    }
    const top = /^#?\/?(\w+)/.exec(pointer || "");
    if (!top) return null;
    return { subject: "subject", body: "body", loa: "loa", open_message: "open_message", attachments: "files" }[top[1]] || null;
  }

  function keyOfCode(code, detail) {
    code = String(code || "");
    const links = linkRecipients();
    // A refusal about one recipient's contact detail names no pointer: it belongs to the one that needs it.
    const named = links.find((a) => String(detail || "").toLowerCase().includes(a)) || null;
    if (code.startsWith("phone") || code.includes("phone")) {
      const who = named || links.find((a) => (state.perRecipient[a] || {}).phone);
      return who ? `phone:${who}` : "recipients";
    }
    if (code.includes("personal_number") && !code.startsWith("open_message")) {
      const who = named || links.find((a) => (state.perRecipient[a] || {}).personal_number);
      return who ? `personal_number:${who}` : "recipients";
    }
    if (code.startsWith("method")) {
      const who = named || links[0];
      return who ? `method:${who}` : "recipients";
    }
    if (code.startsWith("recipient") || code.includes("recipients") || code.startsWith("address")) return "recipients";
    if (code.startsWith("subject")) return "subject";
    if (code.startsWith("body")) return "body";
    if (code.startsWith("open_message")) return "open_message";
    if (code.startsWith("loa")) return "loa";
    if (code.includes("attachment") || code === "message_too_large" || code === "payload_too_large") return "files";
    return null;
  }

  render();
  if (options.focus !== false) main.querySelector("#screen-title")?.focus();
  // A prefilled draft (Outlook) already names its recipients: look them up as soon as a level is chosen.
  if (state.recipientsText && state.loa !== null) lookUp();
}
