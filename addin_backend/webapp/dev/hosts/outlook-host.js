// The scripted Outlook host page (development and tests only): plays Outlook around the Sigill panes.
//
// The page holds one draft (compose) or a mailbox of received mail (read: the development outbox of the
// mailbox named in ?mailbox=, by default the signed-in user's), shows the pane in a frame, and answers the Office.js
// stand-in's postMessage requests from that state. What the pane does to the draft — a new body, removed
// attachments, closing it — shows in the draft and in the event list, so a test (or a person) can see it.
//
//   /app/dev/hosts/outlook.html?mode=compose&user=<email>
//   /app/dev/hosts/outlook.html?mode=read&user=<email>[&mailbox=<email>][&mail=<outbox item id>][&lang=en-US]
//
// `mailbox` plays a mail that reached the user some other way (forwarded, or a shared mailbox); `mail` opens one
// mail of the list at once; `headers=none` plays an Outlook without getAllInternetHeadersAsync (Mailbox 1.8);
// `naa=1` one with nested app authentication.

import { devToken } from "/app/js/hosts/dev-token.js";

const params = new URLSearchParams(window.location.search);
const mode = params.get("mode") === "read" ? "read" : "compose";
const user = params.get("user") || "anna.andersson@vasteras.example";
const mailbox = params.get("mailbox") || user;
const displayLanguage = params.get("lang") || "sv-SE";
const preselected = params.get("mail");
const PANES = { compose: "/app/outlook/compose.html", read: "/app/outlook/read.html" };
// The requirement sets this Outlook reports. `naa=1` plays an Outlook with nested app authentication: the pane's
// MSAL.js then asks this page for its tokens, over the stand-in's bridge.
const REQUIREMENT_SETS = {
  Mailbox: params.get("headers") === "none" ? "1.7" : "1.14",
  IdentityAPI: "1.3",
  ...(params.get("naa") === "1" ? { NestedAppAuth: "1.1" } : {}),
};

const $ = (id) => document.getElementById(id);
const draft = { attachments: [], closed: false, nextId: 1 };
let currentMail = null;

function logEvent(text) {
  const item = document.createElement("li");
  item.textContent = text;
  $("events").append(item);
}

// ---- the draft (compose) ----

function addresses(field) {
  return $(field)
    .value.split(/[,;\n]/)
    .map((a) => a.trim())
    .filter(Boolean)
    .map((a) => ({ displayName: a, emailAddress: a, recipientType: "other" }));
}

function readAsBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function addFiles() {
  for (const file of $("files").files) {
    const content = await readAsBase64(file);
    const id = `AAMkAtt${draft.nextId++}`;
    draft.attachments.push({
      id,
      name: file.name,
      contentType: file.type || "application/octet-stream",
      size: file.size,
      attachmentType: "file",
      isInline: false,
      content,
    });
  }
  $("files").value = "";
  showAttachments();
}

function showAttachments() {
  $("attachments").replaceChildren(
    ...draft.attachments.map((a) => {
      const item = document.createElement("li");
      item.textContent = `${a.name} (${a.size} byte)`;
      return item;
    })
  );
}

function closeDraft() {
  draft.closed = true;
  for (const id of ["to", "cc", "bcc", "subject", "body-html", "files", "open-compose-pane"]) $(id).disabled = true;
  $("draft-state").textContent = "Utkastet är stängt. Det skickades inte via Exchange.";
  $("compose").dataset.closed = "true";
  closePane();
  logEvent("Utkastet stängdes utan att skickas (item.close)");
}

// ---- received mail (read) ----

async function loadInbox() {
  const response = await fetch(`/dev/outbox?to=${encodeURIComponent(mailbox)}`);
  const { items } = await response.json();
  const mails = items.filter((item) => item.channel === "email");
  $("inbox-empty").hidden = mails.length > 0;
  $("inbox").replaceChildren(
    ...mails.map((mail) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "inbox__mail";
      button.textContent = `${mail.subject} – ${mail.from}`;
      button.addEventListener("click", () => showMail(mail));
      item.append(button);
      return item;
    })
  );
  const wanted = mails.find((mail) => mail.id === preselected);
  if (wanted) showMail(wanted);
}

function showMail(mail) {
  currentMail = mail;
  closePane();
  $("mail-view").hidden = false;
  $("mail-subject").textContent = mail.subject;
  $("mail-from").textContent = mail.from;
  $("mail-body").textContent = mail.body;
  $("mail-subject").focus();
}

// The raw header block getAllInternetHeadersAsync returns: one "Name: value" per line, CRLF.
function rawHeaders(mail) {
  const lines = [`From: ${mail.from}`, `To: ${mail.to}`, `Subject: ${mail.subject}`, "MIME-Version: 1.0"];
  for (const [name, value] of Object.entries(mail.headers || {})) lines.push(`${name}: ${value}`);
  return lines.join("\r\n") + "\r\n";
}

function textAsHtml(text) {
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<html><body>${text
    .split(/\n{2,}/)
    .map((p) => `<p>${escape(p).replace(/\n/g, "<br>")}</p>`)
    .join("")}</body></html>`;
}

// ---- the pane and the Office.js stand-in's requests ----

function openPane() {
  $("pane").src = PANES[mode];
  $("pane").hidden = false;
  $("pane-empty").hidden = true;
}

function closePane() {
  $("pane").removeAttribute("src");
  $("pane").hidden = true;
  $("pane-empty").hidden = false;
}

function attachment(id) {
  const found = draft.attachments.find((a) => a.id === id);
  if (!found) throw { name: "InvalidAttachmentId", message: "The attachment does not exist.", code: 9018 };
  return found;
}

// The level a development token is minted at when the pane passes a claims challenge (a step-up): the
// development tenant binds its only authentication context to the highest level.
const STEP_UP_LOA = 3;

// ---- nested app authentication: what Outlook's side of MSAL.js's bridge answers ----

function base64url(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function claimsOf(jwt) {
  const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
}

async function nestedAppAuth(request) {
  if (REQUIREMENT_SETS.NestedAppAuth === undefined) {
    throw { name: "NESTED_APP_AUTH_UNAVAILABLE", message: "This Outlook has no nested app authentication." };
  }
  if (request.method === "GetInitContext") {
    return { initContext: { sdkName: "Sigill Outlook stand-in", sdkVersion: "1.0.0", capabilities: {} } };
  }
  if (request.method !== "GetToken" && request.method !== "GetTokenPopup") {
    throw { name: "PERSISTENT_ERROR", message: `The stand-in host has no ${request.method}` };
  }
  const params = request.tokenParams || {};
  // A claims challenge asks for a stronger sign-in: the development tenant's only context is the top level.
  const loa = params.claims ? STEP_UP_LOA : undefined;
  logEvent(`Nested app authentication: ${request.method}${params.claims ? " med claims-krav" : ""}`);
  const accessToken = await devToken(user, loa);
  const { tid, oid, name, iss } = claimsOf(accessToken);
  const now = Math.floor(Date.now() / 1000);
  // The ID token MSAL.js reads the account from; development only, so it is not signed.
  const idToken = [
    base64url(JSON.stringify({ alg: "none", typ: "JWT" })),
    base64url(
      JSON.stringify({
        aud: params.clientId, iss, tid, oid, sub: oid, name, preferred_username: user, ver: "2.0", iat: now, exp: now + 3600,
      })
    ),
    "",
  ].join(".");
  return {
    token: { access_token: accessToken, id_token: idToken, expires_in: 3600, scope: params.scope, token_type: "Bearer" },
    account: {
      homeAccountId: `${oid}.${tid}`,
      environment: "login.microsoftonline.com",
      tenantId: tid,
      username: user,
      localAccountId: oid,
      name,
    },
  };
}

const handlers = {
  context: () => ({
    mode,
    displayLanguage,
    requirementSets: REQUIREMENT_SETS,
    userProfile: { emailAddress: user, displayName: user },
    mail: currentMail
      ? { subject: currentMail.subject, from: { emailAddress: currentMail.from, displayName: currentMail.from } }
      : {},
  }),
  "auth.token": async ([options]) => {
    const loa = options && options.authChallenge ? STEP_UP_LOA : undefined;
    logEvent(loa ? `Ny inloggning på tillitsnivå ${loa}` : "Token till tillägget");
    return devToken(user, loa);
  },
  naa: ([request]) => nestedAppAuth(request),
  "compose.to.get": () => addresses("to"),
  "compose.cc.get": () => addresses("cc"),
  "compose.bcc.get": () => addresses("bcc"),
  "compose.subject.get": () => $("subject").value,
  "compose.body.get": ([coercion]) => ($("body-html").value && coercion === "text"
    ? new DOMParser().parseFromString($("body-html").value, "text/html").body.textContent
    : $("body-html").value),
  "compose.body.set": ([data]) => {
    $("body-html").value = data;
    logEvent("Brödtexten ersattes (body.setAsync)");
  },
  "compose.attachments.get": () =>
    draft.attachments.map(({ content, ...details }) => details),
  "compose.attachments.content": ([id]) => ({ format: "base64", content: attachment(id).content }),
  "compose.attachments.remove": ([id]) => {
    const { name } = attachment(id);
    draft.attachments = draft.attachments.filter((a) => a.id !== id);
    showAttachments();
    logEvent(`Bilagan ${name} togs bort ur utkastet`);
  },
  "compose.close": () => closeDraft(),
  "read.body.get": ([coercion]) => (coercion === "html" ? textAsHtml(currentMail.body) : currentMail.body),
  "read.headers.get": () => rawHeaders(currentMail),
};

window.addEventListener("message", async (event) => {
  const data = event.data;
  if (event.origin !== window.location.origin || event.source !== $("pane").contentWindow) return;
  if (!data || data.sigillOffice !== "request") return;
  const answer = { sigillOffice: "response", id: data.id };
  try {
    const handler = handlers[data.call];
    if (!handler) throw { name: "NotSupported", message: `The stand-in host has no ${data.call}`, code: 5000 };
    if (draft.closed && data.call.startsWith("compose.")) throw { name: "ItemClosed", message: "closed", code: 9041 };
    answer.value = await handler(data.args || []);
  } catch (error) {
    answer.error = { name: error.name || "Error", message: error.message || String(error), code: error.code || 5001 };
  }
  event.source.postMessage(answer, window.location.origin);
});

$("signed-in").textContent = user;
if (mode === "compose") {
  $("compose").hidden = false;
  $("files").addEventListener("change", addFiles);
  $("open-compose-pane").addEventListener("click", openPane);
} else {
  $("read").hidden = false;
  $("open-read-pane").addEventListener("click", openPane);
  loadInbox();
}
