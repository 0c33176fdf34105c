// A scripted Microsoft Teams for development and the browser tests: it frames the tab (/app/teams/) and answers
// exactly the TeamsJS calls the tab makes, in TeamsJS's own postMessage shapes (requests {id, uuidAsString, func,
// args}; responses {id, uuidAsString, args}): initialize, getContext, authentication.getAuthToken (a development
// token for the user named by ?user=, default Anna), and the one-way appInitialization notices.
//
// Every call it answers is kept in window.teamsHostCalls, so a test can see what the tab asked for.

const params = new URLSearchParams(location.search);
const user = params.get("user") || "anna.andersson@vasteras.example";
const locale = params.get("locale") || "sv-SE";
const frame = document.getElementById("tab");
const calls = (window.teamsHostCalls = []);

document.getElementById("host-user").textContent = user;

// The runtime a Teams web client announces: the capabilities the tab may use.
const RUNTIME = {
  apiVersion: 4,
  hostVersionsInfo: { adaptiveCardSchemaVersion: { majorVersion: 1, minorVersion: 5 } },
  isLegacyTeams: false,
  supports: { appEntity: {}, authentication: {}, pages: { appButton: {}, tabs: {}, config: {}, backStack: {} }, teams: {} },
};

function context() {
  // The legacy (v1) context shape TeamsJS turns into app.getContext()'s answer.
  return {
    locale,
    loginHint: user,
    userPrincipalName: user,
    userObjectId: "00000000-0000-0000-0000-000000000000",
    tid: "00000000-0000-0000-0000-000000000000",
    frameContext: "content",
    hostClientType: "web",
    hostName: "Teams",
    entityId: "sigill-messages",
    appSessionId: "dev-session",
    theme: "default",
  };
}

async function devToken() {
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: user }),
  });
  if (!response.ok) throw new Error(`/dev/token ${response.status}`);
  return (await response.json()).access_token;
}

async function answer(func, args) {
  switch (func) {
    case "initialize":
      return ["content", "web", JSON.stringify(RUNTIME), "2.0.0"];
    case "getContext":
      return [context()];
    case "authentication.getAuthToken":
      try {
        return [true, await devToken()];
      } catch (error) {
        return [false, String(error.message)];
      }
    default:
      return null;
  }
}

window.addEventListener("message", async (event) => {
  if (event.source !== frame.contentWindow || event.origin !== location.origin) return;
  const message = event.data;
  if (!message || typeof message !== "object" || typeof message.func !== "string") return;
  calls.push(message.func);
  const args = await answer(message.func, message.args);
  if (args === null) return;
  frame.contentWindow.postMessage({ id: message.id, uuidAsString: message.uuidAsString, args }, location.origin);
});

// Teams gives a tab the whole window; here the frame grows with the tab's content, so a screenshot of this page
// shows the whole screen.
frame.addEventListener("load", () => {
  const doc = frame.contentDocument;
  if (!doc) return;
  const fit = () => {
    frame.style.height = `${Math.max(700, doc.body.scrollHeight + 40)}px`;
  };
  new ResizeObserver(fit).observe(doc.body);
  fit();
});
frame.src = "/app/teams/";
