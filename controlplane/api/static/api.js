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
//
// The team the page acts in: a user in several teams picks one, and every call then carries
// `X-Team-ID` (the API's own way to name it). The personal team is never named: without the
// header the API acts in it. The choice is no secret, so it is remembered in localStorage,
// per account, and forgotten if the account is no longer in that team.

const API = "/api/v1";
const REFRESH_KEY = "minispod.refreshToken";
const TEAM_KEY = "minispod.team.";

export class ApiError extends Error {
  constructor(status, code, message, errors = [], extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
    this.missingScope = extra.missingScope ?? null; // INSUFFICIENT_SCOPE, INSUFFICIENT_ROLE
    this.role = extra.role ?? null; // INSUFFICIENT_ROLE: the caller's role in the team
  }
}

export class Session {
  constructor(storage = window.sessionStorage, remembered = window.localStorage) {
    this.storage = storage;
    this.remembered = remembered;
    this.accessToken = null;
    this.user = null;
    this.teams = null; // the caller's teams (GET /teams), once asked
    this.teamId = null; // the shared team acted in; null: the personal team
    this.refreshing = null; // one refresh in flight, shared by every call that needs it
    this.onSignedOut = () => {};
  }

  // The team acted in, as GET /teams describes it (the personal one when none is picked).
  get team() {
    const teams = this.teams ?? [];
    return teams.find((t) => t.id === this.teamId) ?? teams.find((t) => t.personal) ?? null;
  }

  // The caller's teams, and the one remembered for this account if they are still in it.
  async loadTeams() {
    const data = await this.call("GET", "/teams");
    this.teams = data.teams;
    const key = TEAM_KEY + this.user.id;
    const stored = this.remembered.getItem(key);
    const known = this.teams.find((t) => t.id === stored && !t.personal);
    this.teamId = known ? known.id : null;
    if (stored && !known) this.remembered.removeItem(key);
  }

  useTeam(teamId) {
    const chosen = (this.teams ?? []).find((t) => t.id === teamId);
    const key = TEAM_KEY + this.user.id;
    if (!chosen || chosen.personal) {
      this.teamId = null;
      this.remembered.removeItem(key);
    } else {
      this.teamId = chosen.id;
      this.remembered.setItem(key, chosen.id);
    }
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
    this.teams = null;
    this.teamId = null;
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

  // An authenticated call in the team acted in; an expired access token is refreshed once
  // and the call retried. `inTeam: false`: an administrator's platform-wide view, which a
  // team would narrow.
  async call(method, path, body, { inTeam = true } = {}) {
    const teamId = inTeam ? this.teamId : null;
    try {
      return await send(method, path, body, this.accessToken, teamId);
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
    return send(method, path, body, this.accessToken, teamId);
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

async function send(method, path, body, token, teamId) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (teamId) headers["X-Team-ID"] = teamId;
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
      envelope ?? {},
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
