// Development only: a token from the server's built-in issuer (POST /dev/token), as Entra ID would issue it.

export async function devToken(email, loa) {
  const body = loa ? { email, loa } : { email };
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
  });
  if (!response.ok) throw new Error(`/dev/token answered ${response.status}`);
  return (await response.json()).access_token;
}

/** The demo staff to sign in as (GET /dev/staff): [{email, name, organisation, ...}]. */
export async function devStaff() {
  const response = await fetch("/dev/staff", { credentials: "omit" });
  if (!response.ok) throw new Error(`/dev/staff answered ${response.status}`);
  const body = await response.json();
  return Array.isArray(body) ? body : body.staff || [];
}
