// The staff web app, one for every host. A host page builds a `host` object (see hosts/*.js and
// docs in README "The staff web app") and calls startApp; the screens talk only to the API client and the host.
//
//   view "full"    navigation (Nytt meddelande, Inkorg / Skickade / Länkar per mailbox) and hash routes
//   view "compose" the compose screen alone, prefilled from host.compose.readDraft() (Outlook compose pane)
//   view "read"    the message of host.read.currentMessage() (Outlook read pane)

import { h, replace } from "./dom.js";
import { t, setLocale } from "./i18n.js";
import { createApi } from "./api.js";
import { loadConfig } from "./boot.js";
import { composeScreen, newComposeState } from "./screens/compose.js";
import { folderScreen } from "./screens/folder.js";
import { messageScreen } from "./screens/message.js";
import { problemText } from "./fields.js";

export async function startApp(host, { root, view = "full" } = {}) {
  setLocale(host.locale);
  const api = createApi(host);
  const config = await loadConfig().catch(() => ({}));
  const ctx = makeContext(host, api, root, config);
  try {
    ctx.me = await api.me();
  } catch (error) {
    replace(root, h("main", { class: "main", id: "main", tabindex: "-1" }, h("div", { class: "error-summary", role: "alert" }, h("p", { class: "body" }, problemText(error)))));
    return ctx;
  }
  if (view === "compose") await startCompose(ctx);
  else if (view === "read") await startRead(ctx);
  else startFull(ctx);
  return ctx;
}

function makeContext(host, api, root, config) {
  let levels = null;
  const ctx = {
    host,
    api,
    root,
    me: null,
    portalUrl: config.portal_url || "",
    composeState: null,
    focusOnLoad: false,
    levels() {
      levels = levels || api.levels();
      return levels;
    },
    methodName(method) {
      if (!method) return "";
      return (ctx.levelTexts && ctx.levelTexts.method_names[method]) || method;
    },
    navigate(hash) {
      if (location.hash === hash) route(ctx);
      else location.hash = hash;
    },
    confirm: (question, yes) => confirmDialog(question, yes),
  };
  // Method names are needed synchronously by lists; fetch them once, early.
  ctx.levels().then((texts) => (ctx.levelTexts = texts), () => {});
  return ctx;
}

/** A modal question with Yes / Avbryt; resolves true for yes. Keyboard: focus starts on Avbryt, Escape cancels. */
function confirmDialog(question, yes) {
  return new Promise((resolve) => {
    const textId = "confirm-text";
    const dialog = h(
      "dialog",
      { class: "dialog", "aria-labelledby": textId, "aria-modal": "true", role: "alertdialog" },
      h("p", { class: "body dialog__text", id: textId }, question),
      h(
        "div",
        { class: "button-group" },
        h("button", { type: "button", class: "button button--warning", id: "confirm-yes", onclick: () => done(true) }, yes),
        h("button", { type: "button", class: "button button--secondary", id: "confirm-no", onclick: () => done(false) }, t("cancel")),
      ),
    );
    function done(answer) {
      dialog.close();
      dialog.remove();
      resolve(answer);
    }
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("#confirm-no").focus();
  });
}

function startFull(ctx) {
  const main = h("main", { class: "main", id: "main", tabindex: "-1" });
  const nav = h("nav", { class: "app-nav", "aria-label": t("nav_label") });
  ctx.main = main;
  ctx.nav = nav;
  replace(
    ctx.root,
    h("a", { class: "skip-link", href: "#main", onclick: (e) => { e.preventDefault(); main.focus(); } }, t("skip")),
    header(ctx),
    h("div", { class: "app-layout" }, nav, main),
  );
  window.addEventListener("hashchange", () => {
    ctx.focusOnLoad = true;
    route(ctx);
  });
  route(ctx);
}

function header(ctx) {
  return h(
    "header",
    { class: "app-header" },
    h("span", { class: "app-header__title" }, t("app_name")),
    h(
      "span",
      { class: "app-header__user" },
      t("signed_in_as", { name: ctx.me.name }),
      h("span", { class: "app-header__org" }, ` · ${ctx.me.organisation}`),
    ),
    typeof ctx.host.signOut === "function"
      ? h("button", { type: "button", class: "button button--secondary button--small app-header__signout", onclick: () => ctx.host.signOut() }, t("sign_out"))
      : null,
  );
}

function drawNav(ctx, current) {
  const link = (href, text, extra = {}) =>
    h("a", { href, class: "app-nav__link", "aria-current": current === href ? "page" : null, ...extra }, text);
  replace(
    ctx.nav,
    h("a", { href: "#/compose", class: "button app-nav__new", "aria-current": current === "#/compose" ? "page" : null }, t("nav_new")),
    ctx.me.mailboxes.map((box) => {
      const base = `#/mailbox/${encodeURIComponent(box.address)}`;
      const headingId = `nav-${box.address.replace(/[^a-z0-9]/gi, "-")}`;
      return h(
        "div",
        { class: `app-nav__mailbox app-nav__mailbox--${box.kind}` },
        h("h2", { class: "app-nav__heading", id: headingId }, box.name),
        h(
          "ul",
          { class: "app-nav__list", "aria-labelledby": headingId },
          ["inbox", "sent", "links"].map((folder) => h("li", {}, link(`${base}/${folder}`, t(folder)))),
        ),
      );
    }),
  );
}

function defaultRoute(ctx) {
  const own = ctx.me.mailboxes.find((b) => b.kind === "personal") || ctx.me.mailboxes[0];
  return own ? `#/mailbox/${encodeURIComponent(own.address)}/inbox` : "#/compose";
}

async function route(ctx) {
  await show(ctx);
  // Each screen names the page, so a screen reader and the browser's history say where the user is.
  const heading = ctx.main.querySelector("h1");
  document.title = heading ? `${heading.textContent} – ${t("app_name")}` : t("app_name");
}

async function show(ctx) {
  const hash = location.hash || defaultRoute(ctx);
  const main = ctx.main;
  const parts = hash.replace(/^#\/?/, "").split("/");
  if (parts[0] === "compose") {
    drawNav(ctx, "#/compose");
    await composeScreen(ctx, main, { focus: ctx.focusOnLoad });
    return;
  }
  if (parts[0] === "message" && parts[1]) {
    drawNav(ctx, ctx.lastList || "");
    const back = () => ctx.navigate(ctx.lastList || defaultRoute(ctx));
    await messageScreen(ctx, main, decodeURIComponent(parts[1]), { back, focus: ctx.focusOnLoad });
    return;
  }
  if (parts[0] === "mailbox" && parts[1] && ["inbox", "sent", "links"].includes(parts[2])) {
    const current = `#/mailbox/${parts[1]}/${parts[2]}`;
    ctx.lastList = current;
    drawNav(ctx, current);
    await folderScreen(ctx, main, { address: decodeURIComponent(parts[1]), folder: parts[2] });
    return;
  }
  ctx.navigate(defaultRoute(ctx));
}

async function startCompose(ctx) {
  const main = h("main", { class: "main main--pane", id: "main", tabindex: "-1" });
  replace(ctx.root, main);
  const state = newComposeState();
  ctx.composeState = state;
  if (ctx.host.compose && typeof ctx.host.compose.readDraft === "function") {
    try {
      const draft = await ctx.host.compose.readDraft();
      state.recipientsText = (draft.to || []).join(", ");
      state.subject = draft.subject || "";
      state.body = draft.body || "";
      state.files = Array.from(draft.attachments || []);
    } catch (error) {
      state.summary = { title: problemText(error), items: [] };
    }
  }
  await composeScreen(ctx, main, { outlook: true, focus: false });
}

async function startRead(ctx) {
  const main = h("main", { class: "main main--pane", id: "main", tabindex: "-1" });
  replace(ctx.root, main);
  let current = { messageId: null, link: null };
  try {
    current = await ctx.host.read.currentMessage();
  } catch {
    current = { messageId: null, link: null };
  }
  if (!current || !current.messageId) {
    replace(
      main,
      h("h1", { class: "heading-l", id: "screen-title", tabindex: "-1" }, t("not_sigill")),
      current && current.link ? h("p", { class: "body" }, h("a", { href: current.link, target: "_blank", rel: "noopener noreferrer" }, t("not_recipient_link"))) : null,
    );
    return;
  }
  ctx.navigate = (hash) => {
    const match = /^#\/message\/(.+)$/.exec(hash);
    if (match) messageScreen(ctx, main, decodeURIComponent(match[1]), { link: current.link || "" });
  };
  await messageScreen(ctx, main, current.messageId, { link: current.link || "", focus: false });
}
