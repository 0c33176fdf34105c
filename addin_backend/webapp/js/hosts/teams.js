// The Teams tab host (/app/teams/, the personal tab "Meddelanden"): TeamsJS from /vendor/, Teams single sign-on
// (authentication.getAuthToken gives a token for the API's app registration), the locale Teams runs in.

import { h, replace } from "../dom.js";
import { setLocale, t } from "../i18n.js";
import { loadScript } from "../boot.js";
import { startApp } from "../app.js";
import { stillFresh } from "./token-cache.js";

const root = document.getElementById("app");

async function main() {
  await loadScript("/vendor/teams-js.min.js");
  const teams = window.microsoftTeams;
  await teams.app.initialize();
  let locale = "sv-SE";
  try {
    const context = await teams.app.getContext();
    locale = (context.app && context.app.locale) || locale;
  } catch {
    // An older host without context: Swedish, as the service's default.
  }
  setLocale(locale);
  let token = null;
  const host = {
    name: "teams",
    locale,
    async getToken({ fresh } = {}) {
      if (fresh || !stillFresh(token)) token = await teams.authentication.getAuthToken();
      return token;
    },
  };
  teams.app.notifyAppLoaded();
  try {
    await host.getToken();
  } catch (error) {
    teams.app.notifyFailure({ reason: teams.app.FailedReason.AuthFailed, message: String(error && error.message) });
    replace(root, h("main", { class: "main", id: "main" }, h("div", { class: "error-summary", role: "alert" }, h("p", { class: "body" }, t("sign_in_failed")))));
    return;
  }
  teams.app.notifySuccess();
  await startApp(host, { root, view: "full" });
}

main();
