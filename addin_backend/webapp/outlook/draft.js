// The Outlook draft, read through Office.js and turned into what POST /api/v1/messages takes.
//
// The draft's body is HTML written by Outlook (or pasted from anywhere). It is parsed with DOMParser, which builds
// an inert document (no script runs, no image loads), and only its text is kept, with the line structure a reader
// sees: paragraphs, line breaks, list items, table rows. The draft's HTML is never put into the pane's page.

const SKIPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "HEAD", "TITLE", "META", "LINK", "OBJECT", "IFRAME", "SVG"]);
// Elements that start and end a line of their own.
const LINE_BLOCKS = new Set([
  "DIV", "SECTION", "ARTICLE", "HEADER", "FOOTER", "ADDRESS", "BLOCKQUOTE", "PRE", "UL", "OL", "DL", "DT", "DD",
  "TABLE", "TBODY", "THEAD", "TFOOT", "TR", "FORM", "FIELDSET", "FIGURE", "FIGCAPTION", "MAIN", "NAV", "ASIDE",
]);
// Elements followed by a blank line, as a reader sees them.
const PARAGRAPHS = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "HR"]);

/** Plain text of an HTML body: line breaks kept, markup and scripts dropped, links written out. */
export function htmlToText(html) {
  const doc = new DOMParser().parseFromString(String(html || ""), "text/html");
  const out = new TextOut();
  walk(doc.body, out);
  return out.finish();
}

// Text with the line structure a reader of the HTML sees: blocks begin on a line of their own, paragraphs are
// set apart by a blank line, and white space that HTML would not show is dropped.
class TextOut {
  constructor() {
    this.text = "";
  }

  words(text) {
    // HTML collapses runs of white space, and shows none at the start of a line.
    const collapsed = text.replace(/[ \t\r\n\f]+/g, " ");
    this.text += this.text === "" || this.text.endsWith("\n") ? collapsed.replace(/^ /, "") : collapsed;
  }

  raw(text) {
    this.text += text;
  }

  lineBreak() {
    this.text = this.text.replace(/[ \t]+$/, "") + "\n";
  }

  // At least `count` line ends here (2: a blank line), unless nothing has been written yet.
  breaks(count) {
    this.text = this.text.replace(/[ \t]+$/, "");
    if (this.text === "") return;
    const have = /\n*$/.exec(this.text)[0].length;
    if (have < count) this.text += "\n".repeat(count - have);
  }

  finish() {
    return this.text
      .replace(/\u00a0/g, " ")
      .split("\n")
      .map((line) => line.replace(/\s+$/, ""))
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }
}

function walk(node, out) {
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      out.words(child.textContent);
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = child.tagName.toUpperCase();
    if (SKIPPED.has(tag)) continue;
    if (tag === "BR") {
      out.lineBreak();
      continue;
    }
    if (tag === "PRE") {
      out.breaks(1);
      out.raw(child.textContent);
      out.breaks(1);
      continue;
    }
    const gap = PARAGRAPHS.has(tag) && !isOutlookLine(child) ? 2 : LINE_BLOCKS.has(tag) || tag === "LI" || tag === "P" ? 1 : 0;
    if (gap) out.breaks(gap);
    if (tag === "LI") out.raw("• ");
    walk(child, out);
    if (tag === "A") writeLink(child, out);
    if (tag === "TD" || tag === "TH") out.raw("\t");
    if (gap) out.breaks(gap);
  }
}

// Outlook for Windows writes every line as <p class="MsoNormal"> with no margin: a line, not a paragraph.
function isOutlookLine(element) {
  return element.tagName === "P" && /\bMso/.test(element.getAttribute("class") || "");
}

// A link keeps its address, which the plain text would otherwise lose: "text (https://...)".
function writeLink(anchor, out) {
  const href = (anchor.getAttribute("href") || "").trim();
  if (!/^https?:\/\//i.test(href)) return;
  const text = anchor.textContent.trim();
  if (!text) out.raw(href);
  else if (text !== href && !text.includes(href)) out.raw(` (${href})`);
}

// Office.js's callback style as a promise: resolves with the AsyncResult's value, rejects with its error.
export function officeCall(invoke) {
  return new Promise((resolve, reject) => {
    invoke((result) => {
      if (result.status === "succeeded") resolve(result.value);
      else reject(Object.assign(new Error(result.error?.message || "Office.js call failed"), { office: result.error }));
    });
  });
}

/** Everything the pane needs from the draft: recipients, subject, body text and attachments as File objects. */
export async function readDraft(item) {
  const [to, cc, bcc, subject, html, attachments] = await Promise.all([
    officeCall((done) => item.to.getAsync(done)),
    officeCall((done) => item.cc.getAsync(done)),
    officeCall((done) => item.bcc.getAsync(done)),
    officeCall((done) => item.subject.getAsync(done)),
    officeCall((done) => item.body.getAsync(Office.CoercionType.Html, done)),
    officeCall((done) => item.getAttachmentsAsync(done)),
  ]);
  const files = [];
  const links = [];
  for (const attachment of attachments || []) {
    const content = await officeCall((done) => item.getAttachmentContentAsync(attachment.id, done));
    const file = attachmentFile(attachment, content);
    if (file) files.push(file);
    // A cloud attachment is a link to a file elsewhere: the link goes with the text, as Outlook would share it.
    else if (content.format === Office.MailboxEnums.AttachmentContentFormat.Url) links.push(`${attachment.name}: ${content.content}`);
  }
  const text = htmlToText(html);
  return {
    recipients: uniqueAddresses([...(to || []), ...(cc || []), ...(bcc || [])]),
    subject: subject || "",
    body: links.length ? `${text}\n\n${links.join("\n")}`.trim() : text,
    files,
    attachmentIds: (attachments || []).map((a) => a.id),
  };
}

/** The addresses of to, cc and bcc, each once (case aside), in the draft's order. */
export function uniqueAddresses(recipients) {
  const seen = new Set();
  const addresses = [];
  for (const r of recipients) {
    const address = String(r.emailAddress || "").trim();
    if (!address || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    addresses.push(address);
  }
  return addresses;
}

function attachmentFile(attachment, content) {
  const formats = Office.MailboxEnums.AttachmentContentFormat;
  if (content.format === formats.Base64) {
    return new File([base64Bytes(content.content)], attachment.name, {
      type: attachment.contentType || "application/octet-stream",
    });
  }
  if (content.format === formats.Eml) {
    const name = /\.eml$/i.test(attachment.name) ? attachment.name : `${attachment.name}.eml`;
    return new File([content.content], name, { type: "message/rfc822" });
  }
  if (content.format === formats.ICalendar) {
    const name = /\.ics$/i.test(attachment.name) ? attachment.name : `${attachment.name}.ics`;
    return new File([content.content], name, { type: "text/calendar" });
  }
  return null;
}

function base64Bytes(text) {
  const binary = atob(String(text || ""));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * After Sigill has the message: the draft's content goes (body replaced by a short notice, attachments removed),
 * so nothing secret stays in the mailbox's Drafts folder, and the draft is closed without Exchange sending it.
 *
 * The message is already sent, so this never throws (an error here must not invite a second send): it does what it
 * can, closes the draft either way (Outlook then asks whether to keep what is left), and says whether it was emptied.
 */
export async function retireDraft(item, draft, noticeHtml) {
  let emptied = true;
  try {
    await officeCall((done) => item.body.setAsync(noticeHtml, { coercionType: Office.CoercionType.Html }, done));
  } catch {
    emptied = false;
  }
  for (const id of draft ? draft.attachmentIds : []) {
    try {
      await officeCall((done) => item.removeAttachmentAsync(id, done));
    } catch {
      emptied = false;
    }
  }
  item.close();
  return emptied;
}
