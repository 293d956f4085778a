// The dashboard's only way to the server: the public REST API under /api/v1, with the
// JWT pair from /auth/login. Every answer is the envelope; failures become ApiError.
//
// Where the tokens live, and why: the access token (short-lived, sent on every call) is
// kept in memory only, so nothing persistent holds a credential that works right away.
// The refresh token is kept in sessionStorage: it survives a reload of this tab (the page
// trades it for a fresh pair at start) but not closing the tab, and other tabs and sites
// cannot read it. It is not a cookie, so no other site can make the browser send it
// (no CSRF), and the page's strict Content-Security-Policy (no inline or foreign script)
// is what keeps injected script from reading it. Refresh tokens are single-use: each
// refresh spends the stored one and stores its successor.

const API = "/api/v1";
const REFRESH_KEY = "minispod.refreshToken";

export class ApiError extends Error {
  constructor(status, code, message, errors = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

export class Session {
  constructor(storage = window.sessionStorage) {
    this.storage = storage;
    this.accessToken = null;
    this.user = null;
    this.refreshing = null; // one refresh in flight, shared by every call that needs it
    this.onSignedOut = () => {};
  }

  get signedIn() {
    return this.accessToken !== null;
  }

  get isAdmin() {
    return this.user?.role === "ADMINISTRATOR";
  }

  async login(email, password) {
    this.adopt(await send("POST", "/auth/login", { email, password }));
  }

  // At start: a reload of this tab signs in again with the stored refresh token.
  async resume() {
    if (!this.storage.getItem(REFRESH_KEY)) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      this.forget(); // spent or expired: the login page, not a loop of failing refreshes
      return false;
    }
  }

  async logout() {
    const refreshToken = this.storage.getItem(REFRESH_KEY);
    try {
      if (this.signedIn) await this.call("POST", "/auth/logout", refreshToken ? { refreshToken } : {});
    } finally {
      this.forget();
    }
  }

  adopt(result) {
    this.accessToken = result.accessToken;
    this.user = result.user;
    this.storage.setItem(REFRESH_KEY, result.refreshToken);
  }

  forget() {
    this.accessToken = null;
    this.user = null;
    this.storage.removeItem(REFRESH_KEY);
  }

  refresh() {
    if (!this.refreshing) {
      const refreshToken = this.storage.getItem(REFRESH_KEY);
      this.refreshing = send("POST", "/auth/refresh", { refreshToken })
        .then((result) => this.adopt(result))
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  // An authenticated call; an expired access token is refreshed once and the call retried.
  async call(method, path, body) {
    try {
      return await send(method, path, body, this.accessToken);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "TOKEN_EXPIRED") throw error;
    }
    try {
      await this.refresh();
    } catch (error) {
      this.forget();
      this.onSignedOut();
      throw error;
    }
    return send(method, path, body, this.accessToken);
  }
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function send(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch {
    throw new ApiError(0, "NETWORK", "The control plane cannot be reached");
  }
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    // Not JSON: only a proxy in front of the control plane answers so.
  }
  if (!response.ok || !envelope?.success) {
    throw new ApiError(
      response.status,
      envelope?.code ?? "HTTP_" + response.status,
      envelope?.message ?? response.statusText,
      envelope?.errors ?? [],
    );
  }
  return envelope.data;
}

// Service names by id, for pages that list subscriptions or instances (the catalog is small:
// one page of the largest size holds it).
export async function serviceNames(call) {
  const data = await call("GET", "/services/public" + query({ limit: 100 }));
  return new Map(data.services.map((s) => [s.id, s.name]));
}
