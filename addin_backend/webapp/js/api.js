// The REST API client (/api/v1) every screen uses: a bearer token from the host on each call, never a cookie.

/** A refusal from the API (problem+json), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || (status === 0 ? "network" : "unknown");
    this.title = problem.title || "";
    this.detail = problem.detail || "";
    this.requiredLoa = problem.required_loa || null;
    // [{pointer: "#/recipients/0/phone", detail}] when the API names the fields at fault.
    this.errors = normaliseErrors(problem);
    this.challenge = null;
  }
}

function normaliseErrors(problem) {
  const list = Array.isArray(problem.errors) ? problem.errors : [];
  const found = list
    .filter((e) => e && typeof e === "object")
    .map((e) => ({ pointer: e.pointer || e.field || "", detail: e.detail || e.title || problem.title || "" }));
  if (!found.length && typeof problem.pointer === "string") {
    found.push({ pointer: problem.pointer, detail: problem.title || "" });
  }
  return found;
}

/** The `claims` parameter of a step-up challenge (WWW-Authenticate), if any. */
function claimsOf(header) {
  const match = /claims="([^"]+)"/.exec(header || "");
  return match ? match[1] : null;
}

export function createApi(host) {
  const language = String(host.locale || "sv").toLowerCase().startsWith("en") ? "en" : "sv";

  async function call(method, path, { json, form, raw = false } = {}) {
    let response = await send(method, path, json, form, false);
    if (response.status === 401 && !(await isStepUp(response))) {
      // An expired token: ask the host for a fresh one, once.
      response = await send(method, path, json, form, true);
    }
    if (!response.ok) throw await failure(response);
    if (raw) return response;
    if (response.status === 204) return null;
    return response.json();
  }

  async function send(method, path, json, form, fresh) {
    const token = await host.getToken({ fresh });
    const headers = { Authorization: `Bearer ${token}`, "Accept-Language": language };
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form;
    }
    try {
      return await fetch(`/api/v1${path}`, { method, headers, body, credentials: "omit", cache: "no-store" });
    } catch {
      throw new ApiError(0, { title: "" });
    }
  }

  async function isStepUp(response) {
    try {
      const problem = await response.clone().json();
      return problem.code === "step_up_required";
    } catch {
      return false;
    }
  }

  async function failure(response) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      problem = {};
    }
    const error = new ApiError(response.status, problem);
    error.challenge = claimsOf(response.headers.get("WWW-Authenticate"));
    return error;
  }

  const enc = encodeURIComponent;
  return {
    language,
    me: () => call("GET", "/me"),
    levels: () => call("GET", `/levels?lang=${language}`),
    lookup: (addresses, loa) => call("POST", "/recipients/lookup", { json: { addresses, loa } }),
    send(message, files = []) {
      if (!files.length) return call("POST", "/messages", { json: message });
      return call("POST", "/messages", { form: multipart(message, files) });
    },
    folder(address, folder, { cursor, assigned, status, limit } = {}) {
      const query = new URLSearchParams();
      if (limit) query.set("limit", String(limit));
      if (cursor) query.set("cursor", cursor);
      if (assigned) query.set("assigned", assigned);
      if (status) query.set("status", status);
      const suffix = query.toString() ? `?${query}` : "";
      return call("GET", `/mailboxes/${enc(address)}/${folder}${suffix}`);
    },
    message: (id) => call("GET", `/messages/${enc(id)}`),
    async download(messageId, attachmentId) {
      const response = await call("GET", `/messages/${enc(messageId)}/attachments/${enc(attachmentId)}`, {
        raw: true,
      });
      return response.blob();
    },
    recall: (messageId, deliveryId) =>
      call("POST", `/messages/${enc(messageId)}/deliveries/${enc(deliveryId)}/recall`),
    reply(messageId, replyBody, files = []) {
      const path = `/messages/${enc(messageId)}/replies`;
      if (!files.length) return call("POST", path, { json: replyBody });
      return call("POST", path, { form: multipart(replyBody, files) });
    },
    caseAction: (address, caseId, action) =>
      call("POST", `/mailboxes/${enc(address)}/cases/${enc(caseId)}/${action}`),
    deleteCase: (address, caseId) => call("DELETE", `/mailboxes/${enc(address)}/cases/${enc(caseId)}`),
  };
}

/** The API's multipart shape: the JSON part `message` first, then one `attachment` part per file. */
function multipart(json, files) {
  const form = new FormData();
  form.append("message", new Blob([JSON.stringify(json)], { type: "application/json" }));
  for (const file of files) form.append("attachment", file, file.name || "bilaga");
  return form;
}
