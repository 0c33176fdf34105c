// Which Sigill message the received mail in Outlook's read pane is about.
//
// Sigill's e-mails carry the message id in the header X-Sigill-Message (notify/mime.py); Outlook hands the headers
// over through getAllInternetHeadersAsync (Mailbox 1.8). Where that is missing (an older Outlook, or a mail that
// lost its headers on the way, such as a forward), the mail's body is searched for a link to Sigill: a link to a
// message in the staff app gives its id, and a recipient's personal link is offered as it is. Only links to this
// Sigill's own address count, so a look-alike link in a mail is never presented as Sigill's.

import { officeCall } from "/app/outlook/draft.js";

const HEADER = "x-sigill-message";
// Message ids are opaque tokens of letters, digits, '-' and '_' (never anything a URL or a header could hide in).
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const URLS = /https?:\/\/[^\s<>"']+/gi;

/** The message id in a raw header block (RFC 5322: folded lines joined), or null. */
export function headerMessageId(raw) {
  const unfolded = String(raw || "").replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== HEADER) continue;
    const value = line.slice(colon + 1).trim();
    return MESSAGE_ID.test(value) ? value : null;
  }
  return null;
}

/** From a mail's text: the first link to this Sigill (`sigillOrigin`), and the message id it names, if any. */
export function sigillLink(text, sigillOrigin) {
  for (const match of String(text || "").matchAll(URLS)) {
    const address = match[0].replace(/[.,;:)\]]+$/, "");
    let url;
    try {
      url = new URL(address);
    } catch {
      continue;
    }
    if (url.origin !== sigillOrigin) continue;
    // The staff app's message address: /app/#/message/<id>.
    const inApp = url.pathname.startsWith("/app/") && /^#\/message\/([^/?#]+)$/.exec(url.hash);
    const messageId = inApp && MESSAGE_ID.test(inApp[1]) ? inApp[1] : null;
    return { link: url.href, messageId };
  }
  return { link: null, messageId: null };
}

/** {messageId, link} of the current read item, for the staff app's read view. */
export async function currentMessage(item, sigillOrigin) {
  let messageId = null;
  if (Office.context.requirements.isSetSupported("Mailbox", "1.8")) {
    try {
      messageId = headerMessageId(await officeCall((done) => item.getAllInternetHeadersAsync(done)));
    } catch {
      messageId = null; // the body may still carry a link
    }
  }
  let text = "";
  try {
    text = await officeCall((done) => item.body.getAsync(Office.CoercionType.Text, done));
  } catch {
    text = "";
  }
  const found = sigillLink(text, sigillOrigin);
  return { messageId: messageId || found.messageId, link: found.link };
}
