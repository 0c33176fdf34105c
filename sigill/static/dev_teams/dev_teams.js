// /dev/teams: talk to the bot as Teams does, as a chosen demo person.
//
// Typed text goes to /api/messages as a `message` activity; the bot's replies come back through the connector
// stand-in of this server (the activity's serviceUrl), which the page reads. Card actions become the invokes
// Teams sends: `adaptiveCard/action` for Action.Execute (its answer replaces the card), `task/fetch` for an
// Action.Submit that opens a dialog, and `task/submit` for a submit inside a card dialog or a URL dialog's
// `microsoftTeams.dialog.url.submit` (this page answers TeamsJS in the dialog's frame as the Teams host would).
"use strict";

(function () {
  const AC = window.AdaptiveCards;
  const CARD_TYPE = "application/vnd.microsoft.card.adaptive";
  const TIME_ZONE = "Europe/Stockholm";
  const POLL_MS = 2000;

  const main = document.getElementById("dt-preview");
  const bot = { id: main.dataset.botId, name: main.dataset.botName };
  const serviceUrl = new URL(main.dataset.connector, window.location.href).href;
  const conversationsUrl = main.dataset.conversations;
  const userSelect = document.getElementById("dt-user");
  const localeSelect = document.getElementById("dt-locale");
  const messages = document.getElementById("dt-messages");
  const statusLine = document.getElementById("dt-status");
  const textInput = document.getElementById("dt-text");
  const sendButton = document.getElementById("dt-send");
  const dialog = document.getElementById("dt-dialog");
  const dialogTitle = document.getElementById("dt-dialog-title");
  const dialogBody = document.getElementById("dt-dialog-body");

  const state = {
    person: null,
    locale: "sv-SE",
    conversationId: null,
    newest: 0,
    bubbles: new Map(), // activity id -> its list item
    timer: null,
    reading: Promise.resolve(),
    dialog: null, // {source, frame, opener}
  };

  // ---- activities as Teams sends them ----

  function newId(prefix) {
    const bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function chosenPerson() {
    const option = userSelect.selectedOptions[0];
    return { objectId: option.value, tenantId: option.dataset.tenant, name: option.dataset.name };
  }

  function activity(type, fields) {
    const person = state.person;
    const now = new Date();
    return Object.assign(
      {
        type: type,
        id: newId("dev-"),
        timestamp: now.toISOString(),
        localTimestamp: now.toISOString(),
        localTimezone: TIME_ZONE,
        serviceUrl: serviceUrl,
        channelId: "msteams",
        from: { id: "29:" + person.objectId, name: person.name, aadObjectId: person.objectId },
        conversation: { id: state.conversationId, conversationType: "personal", tenantId: person.tenantId },
        recipient: { id: bot.id, name: bot.name },
        locale: state.locale,
        entities: [
          { type: "clientInfo", locale: state.locale, country: "SE", platform: "Web", timezone: TIME_ZONE },
        ],
        channelData: { tenant: { id: person.tenantId } },
      },
      fields
    );
  }

  async function post(sent) {
    let response;
    try {
      response = await fetch("/api/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(sent),
      });
    } catch (error) {
      say("Servern svarar inte.");
      return { ok: false, body: null };
    }
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      say("Boten svarade med HTTP " + response.status + ".");
    }
    return { ok: response.ok, body: body };
  }

  async function invoke(name, value, replyToId) {
    const fields = { name: name, value: value };
    if (replyToId) {
      fields.replyToId = replyToId;
    }
    const answer = await post(activity("invoke", fields));
    await readReplies();
    return answer.body;
  }

  // ---- the chat ----

  function say(text) {
    statusLine.textContent = text;
  }

  function timeOf(value) {
    const moment = value ? new Date(value) : new Date();
    return moment.toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE });
  }

  function bubble(who, className, timestamp) {
    const item = document.createElement("li");
    item.className = "msg " + className;
    const meta = document.createElement("p");
    meta.className = "meta";
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = who;
    const time = document.createElement("time");
    time.textContent = timeOf(timestamp);
    meta.append(name, " ", time);
    const body = document.createElement("div");
    body.className = "body";
    item.append(meta, body);
    messages.append(item);
    document.getElementById("dt-chat-empty").hidden = true;
    return item;
  }

  function paragraphs(container, text) {
    for (const line of text.split(/\n/)) {
      const p = document.createElement("p");
      p.textContent = line;
      container.append(p);
    }
  }

  function showOwnMessage(text) {
    const item = bubble(state.person.name, "own", null);
    paragraphs(item.querySelector(".body"), text);
    item.scrollIntoView({ block: "nearest" });
  }

  function showBotActivity(received, autoRefresh) {
    if (received.type === "messageDelete") {
      const gone = state.bubbles.get(received.id);
      if (gone) {
        gone.remove();
        state.bubbles.delete(received.id);
      }
      return;
    }
    if (received.type !== "message") {
      return;
    }
    let item = state.bubbles.get(received.id);
    if (item) {
      item.querySelector(".body").replaceChildren();
    } else {
      item = bubble(bot.name, "bot", received.timestamp);
      item.dataset.activity = received.id;
      state.bubbles.set(received.id, item);
    }
    const body = item.querySelector(".body");
    if (received.text) {
      paragraphs(body, received.text);
    }
    for (const attachment of received.attachments || []) {
      if (attachment.contentType === CARD_TYPE) {
        const holder = document.createElement("div");
        holder.className = "card-holder";
        body.append(holder);
        const source = { activityId: received.id, holder: holder, inDialog: false };
        showCard(source, attachment.content);
        if (autoRefresh) {
          refreshAutomatically(source, attachment.content);
        }
      } else {
        const p = document.createElement("p");
        p.textContent = "Bilaga av typen " + attachment.contentType + (attachment.name ? ": " + attachment.name : "");
        body.append(p);
      }
    }
    item.scrollIntoView({ block: "nearest" });
  }

  // Reads what the bot has sent to the open conversation since last time; one read at a time, in order.
  function readReplies(autoRefresh) {
    state.reading = state.reading.then(() => readOnce(autoRefresh)).catch(() => say("Kunde inte läsa svaren."));
    return state.reading;
  }

  async function readOnce(autoRefresh) {
    const conversation = state.conversationId;
    if (!conversation) {
      return;
    }
    const url = conversationsUrl + "/" + encodeURIComponent(conversation) + "/activities?after=" + state.newest;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok || conversation !== state.conversationId) {
      return;
    }
    const answer = await response.json();
    if (conversation !== state.conversationId) {
      return;
    }
    for (const received of answer.activities) {
      showBotActivity(received, Boolean(autoRefresh));
    }
    state.newest = answer.newest;
  }

  async function openChat(event) {
    event.preventDefault();
    window.clearInterval(state.timer);
    closeDialog();
    state.person = chosenPerson();
    state.locale = localeSelect.value;
    state.conversationId = "a:sigill-dev-" + state.person.objectId;
    state.newest = 0;
    state.bubbles.clear();
    messages.replaceChildren();
    document.getElementById("dt-tenant-id").textContent = state.person.tenantId;
    document.getElementById("dt-object-id").textContent = state.person.objectId;
    document.getElementById("dt-conversation-id").textContent = state.conversationId;
    textInput.disabled = false;
    sendButton.disabled = false;
    say("Chatten är öppen som " + state.person.name + ".");
    // A chat seen before shows what the bot sent, and its cards refresh as Teams refreshes them on view.
    await readReplies(true);
    if (state.newest === 0) {
      // First time: Teams tells the bot it was added to the chat, and the bot answers with its welcome.
      await post(activity("conversationUpdate", { membersAdded: [{ id: bot.id, name: bot.name }] }));
      await readReplies();
    }
    state.timer = window.setInterval(() => readReplies(), POLL_MS);
    textInput.focus();
  }

  async function sendText(event) {
    event.preventDefault();
    const text = textInput.value.trim();
    if (!text || !state.person) {
      return;
    }
    textInput.value = "";
    showOwnMessage(text);
    await post(activity("message", { text: text, textFormat: "plain" }));
    await readReplies();
  }

  // ---- cards and their actions ----

  function showCard(source, content) {
    source.card = content;
    const rendered = window.SigillCards.render(content, (action) => onAction(source, action));
    const frame = document.createElement("div");
    frame.className = "card";
    frame.tabIndex = -1;
    if (rendered.element) {
      frame.append(rendered.element);
    }
    if (rendered.problems.length) {
      const warning = document.createElement("p");
      warning.className = "card-problem";
      warning.textContent = "Kortet har fel som Teams kan visa annorlunda: " + rendered.problems.join("; ");
      frame.append(warning);
    }
    const refresh = refreshAction(content);
    if (refresh && !source.inDialog) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "refresh";
      button.textContent = "Uppdatera kortet";
      button.addEventListener("click", () => execute(source, refresh.verb, refresh.data || {}, "manual"));
      frame.append(button);
    }
    source.holder.replaceChildren(frame);
    return frame;
  }

  function refreshAction(content) {
    const action = content && content.refresh && content.refresh.action;
    return action && action.type === "Action.Execute" ? action : null;
  }

  function refreshAutomatically(source, content) {
    const action = refreshAction(content);
    const users = content.refresh && content.refresh.userIds;
    if (action && (!users || users.includes("29:" + state.person.objectId))) {
      execute(source, action.verb, action.data || {}, "automatic");
    }
  }

  function onAction(source, action) {
    if (action instanceof AC.ExecuteAction) {
      execute(source, action.verb, action.data || {}, "manual", action.id);
    } else if (action instanceof AC.SubmitAction) {
      submit(source, action.data || {});
    } else if (action instanceof AC.OpenUrlAction) {
      // Teams opens web addresses only; anything else (javascript:, data:) never runs here either.
      if (/^https?:\/\//i.test(action.url || "")) {
        window.open(action.url, "_blank", "noopener,noreferrer");
      } else {
        say("Länken öppnas inte: den är ingen webbadress.");
      }
    }
  }

  // While the bot works on a card's action the card says it is busy, as Teams' spinner does.
  async function busy(source, work) {
    source.holder.setAttribute("aria-busy", "true");
    try {
      return await work();
    } finally {
      source.holder.removeAttribute("aria-busy");
    }
  }

  async function execute(source, verb, data, trigger, actionId) {
    const value = { action: { type: "Action.Execute", id: actionId, verb: verb, data: data }, trigger: trigger };
    const answer = await busy(source, () => invoke("adaptiveCard/action", value, source.activityId));
    if (!answer) {
      return;
    }
    if (answer.type === CARD_TYPE && answer.value) {
      const frame = showCard(source, answer.value);
      if (trigger === "manual") {
        frame.focus();
      }
    } else if (answer.type === "application/vnd.microsoft.activity.message") {
      say(String(answer.value));
    } else if (answer.type === "application/vnd.microsoft.error") {
      say("Boten svarade med ett fel: " + ((answer.value && answer.value.message) || answer.statusCode));
    }
  }

  async function submit(source, data) {
    const context = { theme: "default" };
    if (data.msteams && data.msteams.type === "task/fetch") {
      const answer = await busy(source, () =>
        invoke("task/fetch", { data: data, context: context }, source.activityId)
      );
      showTask(source, answer);
    } else if (source.inDialog) {
      const answer = await busy(source, () =>
        invoke("task/submit", { data: data, context: context }, source.activityId)
      );
      showTask(source, answer);
    } else {
      // An Action.Submit on a card in the chat: Teams posts its data as a message without text.
      await post(activity("message", { value: data, replyToId: source.activityId }));
      await readReplies();
    }
  }

  // ---- dialogs (task modules) ----

  function showTask(source, answer) {
    const task = answer && answer.task;
    if (task && task.type === "continue" && task.value) {
      openDialog(source.activityId, task.value);
    } else {
      closeDialog();
      if (task && task.type === "message") {
        say(String(task.value));
      }
    }
  }

  function openDialog(activityId, info) {
    const opener = state.dialog ? state.dialog.opener : document.activeElement;
    dialogTitle.textContent = info.title || bot.name;
    dialog.classList.toggle("large", info.width === "large");
    const holder = document.createElement("div");
    dialogBody.replaceChildren(holder);
    const source = { activityId: activityId, holder: holder, inDialog: true };
    let frame = null;
    if (info.card && info.card.content) {
      showCard(source, info.card.content);
    } else if (info.url) {
      frame = document.createElement("iframe");
      frame.src = info.url;
      frame.title = info.title || "Dialog";
      frame.className = "dialog-frame";
      holder.append(frame);
    }
    state.dialog = { source: source, frame: frame, opener: opener };
    if (!dialog.open) {
      dialog.showModal();
    }
    const first = dialogBody.querySelector("button, input, select, textarea, iframe, [tabindex]");
    if (first) {
      first.focus();
    }
  }

  function closeDialog() {
    const open = state.dialog;
    state.dialog = null;
    if (dialog.open) {
      dialog.close();
    }
    dialogBody.replaceChildren();
    if (open && open.opener && document.contains(open.opener)) {
      open.opener.focus();
    }
  }

  // TeamsJS in a URL dialog talks to its host with postMessage. This page answers as the Teams web client:
  // `initialize` (a dialog frame that may submit), and `tasks.completeTask` (dialog.url.submit), which closes
  // the dialog and hands the result to the bot as task/submit.
  const RUNTIME = JSON.stringify({ apiVersion: 4, supports: { dialog: { url: { bot: {} }, update: {} } } });

  function fromDialogFrame(event) {
    const open = state.dialog;
    return open && open.frame && event.source === open.frame.contentWindow && event.origin === window.location.origin;
  }

  // What `app.getContext()` tells the dialog's page: who and where, as the Teams web client would.
  function frameContext() {
    return {
      locale: state.locale,
      tid: state.person.tenantId,
      userObjectId: state.person.objectId,
      frameContext: "task",
      hostClientType: "web",
      theme: "default",
    };
  }

  async function onFrameMessage(event) {
    if (!fromDialogFrame(event) || !event.data || typeof event.data.func !== "string") {
      return;
    }
    const request = event.data;
    const answer = (args) =>
      event.source.postMessage({ id: request.id, uuidAsString: request.uuidAsString, args: args }, event.origin);
    if (request.func === "initialize") {
      answer(["task", "web", RUNTIME, "2.58.0"]);
    } else if (request.func === "getContext") {
      answer([frameContext()]);
    } else if (request.func === "tasks.completeTask") {
      const source = state.dialog.source;
      closeDialog();
      const result = request.args && request.args[0];
      const reply = await invoke("task/submit", { data: result, context: { theme: "default" } }, source.activityId);
      showTask(source, reply);
    }
  }

  // ---- wiring ----

  document.getElementById("dt-who").addEventListener("submit", openChat);
  document.getElementById("dt-composer").addEventListener("submit", sendText);
  document.getElementById("dt-dialog-close").addEventListener("click", closeDialog);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    closeDialog();
  });
  window.addEventListener("message", onFrameMessage);
  userSelect.addEventListener("change", () => {
    const person = chosenPerson();
    document.getElementById("dt-tenant-id").textContent = person.tenantId;
    document.getElementById("dt-object-id").textContent = person.objectId;
  });
  const initial = chosenPerson();
  document.getElementById("dt-tenant-id").textContent = initial.tenantId;
  document.getElementById("dt-object-id").textContent = initial.objectId;
})();
