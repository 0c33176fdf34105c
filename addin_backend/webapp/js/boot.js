// What a host page needs before the app starts: the runtime configuration and scripts loaded by address.

let config = null;

/** GET /app/config.json, once per page. */
export async function loadConfig() {
  if (!config) {
    config = fetch("/app/config.json", { credentials: "omit" }).then((response) => {
      if (!response.ok) throw new Error(`config.json: ${response.status}`);
      return response.json();
    });
  }
  return config;
}

/** Load a classic script (TeamsJS, MSAL.js, Office.js) by address; resolves when it has run. */
export function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.addEventListener("load", () => resolve());
    script.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
    document.head.append(script);
  });
}
