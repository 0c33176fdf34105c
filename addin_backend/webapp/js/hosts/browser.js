// The browser host (/app/): in development a sign-in page listing the demo staff (GET /dev/staff, POST /dev/token);
// in production Microsoft Entra ID sign-in with MSAL.js by redirect. The token lives in sessionStorage (this tab
// only, gone when it closes), never in a cookie.

import { h, replace } from "../dom.js";
import { t, setLocale } from "../i18n.js";
import { loadConfig, loadScript } from "../boot.js";
import { startApp } from "../app.js";
import { devStaff, devToken } from "./dev-token.js";
import { stillFresh } from "./token-cache.js";

const KEY = "sigill.app.session";
const root = document.getElementById("app");
const locale = navigator.language || "sv-SE";
setLocale(locale);

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

function save(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

/** The development host: tokens from the built-in issuer for the chosen demo user, at the chosen level. */
function developmentHost(session) {
  return {
    name: "browser",
    locale,
    async getToken({ fresh } = {}) {
      if (fresh || !stillFresh(session.token)) {
        session.token = await devToken(session.email, session.loa);
        save(session);
      }
      return session.token;
    },
    async stepUp(requiredLoa) {
      session.loa = Math.max(requiredLoa, session.loa || 1);
      session.token = await devToken(session.email, session.loa);
      save(session);
    },
    signOut() {
      sessionStorage.removeItem(KEY);
      // A fresh page: nothing of the signed-in app (its screens, its listeners) survives.
      location.replace("/app/");
    },
  };
}

async function showDevSignIn() {
  const main = h("main", { class: "main main--narrow", id: "main", tabindex: "-1" });
  replace(root, h("header", { class: "app-header" }, h("span", { class: "app-header__title" }, t("app_name"))), main);
  let staff = [];
  let problem = null;
  try {
    staff = await devStaff();
  } catch (error) {
    problem = error.message;
  }
  const levelSelect = h(
    "select",
    { class: "select", id: "dev-loa" },
    [1, 2, 3].map((loa) => h("option", { value: String(loa), selected: loa === 2 || null }, `LoA${loa}`)),
  );
  replace(
    main,
    h("h1", { class: "heading-l", id: "screen-title", tabindex: "-1" }, t("dev_sign_in_title")),
    h("p", { class: "body" }, t("dev_sign_in_text")),
    problem ? h("div", { class: "error-summary", role: "alert" }, h("p", { class: "body" }, problem)) : null,
    h("div", { class: "form-group" }, h("label", { class: "label", for: "dev-loa" }, t("dev_level")), levelSelect),
    h(
      "ul",
      { class: "staff-list" },
      staff.map((person) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "button button--secondary staff-list__button",
              onclick: () => signInAs(person.email, Number(levelSelect.value)),
            },
            t("dev_sign_in_as", { name: person.name }),
          ),
          h("span", { class: "hint staff-list__detail" }, ` ${person.email} · ${person.organisation || ""}`),
        ),
      ),
    ),
  );
  document.getElementById("screen-title").focus();
}

async function signInAs(email, loa) {
  const session = { email, loa, token: await devToken(email, loa) };
  save(session);
  await startApp(developmentHost(session), { root, view: "full" });
}

/** The production host: MSAL.js, redirect sign-in, tokens for the API's scope. */
async function productionHost(config) {
  await loadScript("/vendor/msal-browser.min.js");
  const msal = window.msal;
  const entra = config.entra;
  const client = new msal.PublicClientApplication({
    auth: { clientId: entra.client_id, authority: entra.authority, redirectUri: entra.redirect_uri },
    cache: { cacheLocation: "sessionStorage" },
  });
  await client.initialize();
  const result = await client.handleRedirectPromise();
  const account = (result && result.account) || client.getAllAccounts()[0];
  if (!account) {
    const main = h("main", { class: "main main--narrow", id: "main", tabindex: "-1" });
    replace(root, h("header", { class: "app-header" }, h("span", { class: "app-header__title" }, t("app_name"))), main);
    replace(
      main,
      h("h1", { class: "heading-l", id: "screen-title" }, t("sign_in_title")),
      h("p", { class: "body" }, t("sign_in_text")),
      h("button", { type: "button", class: "button", onclick: () => client.loginRedirect({ scopes: entra.scopes }) }, t("sign_in_button")),
    );
    return null;
  }
  let claims = null;
  return {
    name: "browser",
    locale,
    async getToken({ fresh } = {}) {
      const request = { scopes: entra.scopes, account, forceRefresh: Boolean(fresh), claims: claims || undefined };
      try {
        return (await client.acquireTokenSilent(request)).accessToken;
      } catch (error) {
        if (error instanceof msal.InteractionRequiredAuthError) await client.acquireTokenRedirect(request);
        throw error;
      }
    },
    async stepUp(requiredLoa, challenge) {
      // Entra's claims challenge (base64 in WWW-Authenticate) goes to MSAL as the JSON it encodes.
      claims = challenge ? atob(challenge) : null;
      await client.acquireTokenRedirect({ scopes: entra.scopes, account, claims: claims || undefined });
    },
    signOut() {
      client.logoutRedirect({ account });
    },
  };
}

async function main() {
  const config = await loadConfig();
  if (config.mode === "development") {
    const session = saved();
    if (session && session.email) await startApp(developmentHost(session), { root, view: "full" });
    else await showDevSignIn();
    return;
  }
  const host = await productionHost(config);
  if (host) await startApp(host, { root, view: "full" });
}

main();
