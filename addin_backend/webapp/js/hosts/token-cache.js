// A bearer token kept in memory until shortly before it expires.

const MARGIN_S = 60;

/** Seconds since the epoch at which a JWT expires (its `exp`), or 0 if unreadable. */
export function expiresAt(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return Number(JSON.parse(atob(payload)).exp) || 0;
  } catch {
    return 0;
  }
}

export function stillFresh(token) {
  return Boolean(token) && expiresAt(token) - MARGIN_S > Date.now() / 1000;
}
