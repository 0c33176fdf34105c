// The Outlook host of the staff app: the compose pane ("Kryptera meddelande") and the read pane ("Öppna
// meddelande"). It loads Office.js (Microsoft's CDN script in production; the stand-in in development, as
// /app/config.json says), signs the user in, and gives the shared screens the host object /app/js/app.js expects.
//
// Sign-in: nested app authentication (MSAL.js createNestablePublicClientApplication) where Outlook supports it
// (requirement set NestedAppAuth 1.1), otherwise Office's own single sign-on, Office.auth.getAccessToken.

import { loadConfig, loadScript } from "/app/js/boot.js";
import { startApp } from "/app/js/app.js";
import { readDraft, retireDraft } from "/app/outlook/draft.js";
import { currentMessage } from "/app/outlook/current-item.js";

const MSAL_SCRIPT = "/vendor/msal-browser.min.js";

/** Start the pane `view` ("compose" or "read") in the element #app. */
export async function startOutlookPane(view) {
  const root = document.getElementById("app");
  let config;
  try {
    config = await loadConfig();
    // The page's <head> loads Office.js (/app/outlook/office.js); a page without it gets it here.
    if (typeof Office === "undefined") await loadScript(config.office_js);
    await Office.onReady();
  } catch {
    // No configuration, or Office.js did not load (a network or a proxy in the way): say so, plainly.
    showMessage(root, "Sigill kunde inte starta", "Stäng fönstret och försök igen om en stund.");
    return;
  }
  const item = Office.context.mailbox && Office.context.mailbox.item;
  if (!item) {
    showOutsideOutlook(root);
    return;
  }
  const host = {
    name: `outlook-${view}`,
    locale: Office.context.displayLanguage || "sv-SE",
    ...signIn(config),
  };
  if (view === "compose") host.compose = composeHooks(item);
  else host.read = { currentMessage: () => currentMessage(item, new URL(config.portal_url || location.origin).origin) };
  await startApp(host, { root, view });
}

function showOutsideOutlook(root) {
  const english = /^en\b/i.test(navigator.language || "");
  document.documentElement.lang = english ? "en" : "sv";
  if (english) {
    showMessage(root, "Open Sigill from Outlook", "Choose Encrypt message in a new message, or Open message in a message you have received.");
  } else {
    showMessage(root, "Öppna Sigill från Outlook", "Välj Kryptera meddelande i ett nytt meddelande, eller Öppna meddelande i ett meddelande du har fått.");
  }
}

function showMessage(root, title, text) {
  const main = document.createElement("main");
  main.className = "main main--pane";
  const heading = document.createElement("h1");
  heading.className = "heading-l";
  heading.textContent = title;
  const paragraph = document.createElement("p");
  paragraph.className = "body";
  paragraph.textContent = text;
  main.append(heading, paragraph);
  root.replaceChildren(main);
}

// ---- sign-in ----

function signIn(config) {
  const entra = config.entra || {};
  const nested = Office.context.requirements.isSetSupported("NestedAppAuth", "1.1") && Boolean(entra.client_id);
  let token = null;
  let client = null;

  async function nestedClient() {
    if (!client) {
      await loadScript(MSAL_SCRIPT);
      client = await window.msal.createNestablePublicClientApplication({
        auth: { clientId: entra.client_id, authority: entra.authority },
      });
    }
    return client;
  }

  // Silently first (Outlook's own account), then a popup when the user must sign in or consent, or when a
  // claims challenge asks for a stronger sign-in.
  async function nestedToken(claims) {
    const pca = await nestedClient();
    const request = claims ? { scopes: entra.scopes, claims } : { scopes: entra.scopes };
    if (!claims) {
      try {
        return (await pca.acquireTokenSilent(request)).accessToken;
      } catch {
        // interaction needed: fall through to the popup
      }
    }
    return (await pca.acquireTokenPopup(request)).accessToken;
  }

  function officeToken(claims) {
    const options = { allowSignInPrompt: true, allowConsentPrompt: true, forMSGraphAccess: false };
    return Office.auth.getAccessToken(claims ? { ...options, authChallenge: claims } : options);
  }

  // One sign-in for the requests the screens start at once: the promise is what is kept.
  function remember(pending) {
    token = pending;
    pending.catch(() => {
      if (token === pending) token = null;
    });
    return pending;
  }

  return {
    getToken({ fresh } = {}) {
      if (!token || fresh) remember(nested ? nestedToken(null) : officeToken(null));
      return token;
    },
    // The API's claims challenge (base64 JSON, WWW-Authenticate `claims`) goes to the sign-in decoded.
    async stepUp(requiredLoa, challenge) {
      if (!challenge) throw new Error(`no claims challenge to reach LoA${requiredLoa} from Outlook`);
      const claims = atob(challenge);
      await remember(nested ? nestedToken(claims) : officeToken(claims));
    },
  };
}

// ---- the draft ----

function composeHooks(item) {
  let draft = null;
  return {
    async readDraft() {
      draft = await readDraft(item);
      return { to: draft.recipients, subject: draft.subject, body: draft.body, attachments: draft.files };
    },
    async closeDraft({ notice }) {
      await retireDraft(item, draft, noticeHtml(notice));
    },
  };
}

function noticeHtml(notice) {
  const p = document.createElement("p");
  p.textContent = notice;
  return p.outerHTML;
}
