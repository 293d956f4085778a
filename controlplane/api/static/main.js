// The dashboard's shell: sign-in, the navigation for the caller's role, and a hash router
// (#/fleet, #/nodes/<id>, …) so the server serves one page and the API does the rest.

import { ApiError, Session } from "./api.js";
import * as admin from "./admin.js";
import * as customer from "./customer.js";
import { h, mount } from "./dom.js";

const ADMIN_VIEWS = [
  ["fleet", "Fleet", admin.fleet],
  ["stats", "Statistics", admin.stats],
  ["subscriptions", "Subscriptions", admin.subscriptions],
  ["users", "Users", admin.users],
];
const CUSTOMER_VIEWS = [
  ["catalog", "Catalog", customer.catalog],
  ["apps", "My apps", customer.apps],
  ["wallet", "Wallet", customer.wallet],
  ["invoices", "Invoices", customer.invoices],
];
const DETAIL_VIEWS = { nodes: admin.node };
// What each team scope lets a member do, for the message a role that falls short gets.
const SCOPE_WORDS = {
  "subscriptions:write": "subscribe to services or change the team's subscriptions",
  "instances:write": "restart or change the team's apps",
  "billing:write": "top up or change the team's wallet",
  "webhooks:write": "change the team's webhooks",
};

const session = new Session();
const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
const toastBox = document.getElementById("toast");
const pageAlert = document.getElementById("page-alert");
let rendered = 0;
let chromeFor = null; // whose header is drawn: it is kept while they stay, so is the focus

function toast(text) {
  toastBox.textContent = text;
  toastBox.classList.add("toast-shown");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => toastBox.classList.remove("toast-shown"), 5000);
}

// A role that falls short is said in the page, where it stays until the reader moves on.
function roleRefused(error) {
  const team = session.team;
  const role = String(error.role ?? team?.role ?? "member").toLowerCase();
  const what = SCOPE_WORDS[error.missingScope] ?? "do this";
  const where = team && !team.personal ? `in ${team.name}` : "in this team";
  pageAlert.textContent =
    `As a ${role} ${where} you cannot ${what} (it needs ${error.missingScope}). ` +
    "An owner of the team can give you another role.";
}

function fail(error) {
  if (error instanceof ApiError && error.code === "INSUFFICIENT_ROLE") {
    roleRefused(error);
    return;
  }
  const fields = error instanceof ApiError && error.errors.length
    ? ": " + error.errors.map((e) => `${e.field} ${e.message}`).join("; ")
    : "";
  toast(`${error.message}${fields}`);
}

function views() {
  return session.isAdmin ? [...ADMIN_VIEWS, ...CUSTOMER_VIEWS] : CUSTOMER_VIEWS;
}

function parseHash() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name = "", id] = path.split("/");
  return { name, id, params: new URLSearchParams(search) };
}

// Keeps the view's filters and page in the address, so reload and Back return to them.
function remember(params, navigate = false) {
  const { name, id } = parseHash();
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const hash = `#/${name}${id ? "/" + id : ""}${search.size ? "?" + search : ""}`;
  if (navigate) location.hash = hash;
  else history.replaceState(null, "", hash);
}

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function teamLabel(team) {
  return team.personal ? "Personal" : `${team.name} (${team.role.toLowerCase()})`;
}

// Shown only to someone in more than one team: the team every call then acts in.
function teamPicker() {
  const teams = session.teams ?? [];
  if (teams.length < 2) return null;
  const current = session.team?.id;
  const picker = h("select", { id: "team-picker", onchange: (event) => {
    session.useTeam(event.target.value);
    pageAlert.textContent = "";
    toast(`Acting in ${teamLabel(session.team)}`);
    render(true); // the focus stays on the picker
  } }, teams.map((t) => h("option", { value: t.id, selected: t.id === current }, teamLabel(t))));
  return h("span", { class: "team" }, h("label", { for: "team-picker" }, "Team"), picker);
}

function renderChrome(current) {
  if (!session.signedIn) {
    mount(nav);
    mount(who);
    chromeFor = null;
    return;
  }
  mount(nav, h("ul", {}, views().map(([key, label]) =>
    h("li", {}, h("a", { href: `#/${key}`, "aria-current": key === current ? "page" : null }, label)))));
  const key = `${session.user.id} ${session.user.name} ${(session.teams ?? []).map((t) => t.id + t.role).join()}`;
  if (chromeFor === key) return;
  chromeFor = key;
  mount(who,
    teamPicker(),
    h("span", { class: "muted", id: "whoami" }, `${session.user.name} (${session.user.role.toLowerCase()})`),
    h("button", { type: "button", id: "sign-out", onclick: signOut }, "Sign out"));
}

async function signOut() {
  await session.logout().catch(() => {});
  location.hash = "#/login";
  render();
}

function loginView(notice) {
  const error = h("p", { class: "error", role: "alert", id: "login-error" }, notice ?? "");
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", id: "sign-in" }, "Sign in");
  const form = h("form", { class: "login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Sign in to MinisPod"),
    h("label", { for: "email" }, "Email"), email,
    h("label", { for: "password" }, "Password"), password,
    submit, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await session.login(email.value, password.value);
      location.hash = session.isAdmin ? "#/fleet" : "#/catalog";
      render();
    } catch (e) {
      error.textContent = e.message;
      submit.disabled = false;
      password.focus();
    }
  });
  return form;
}

// `quiet`: a view refreshing itself in place keeps the keyboard focus where it is.
async function render(quiet = false) {
  const turn = ++rendered;
  const { name, id, params } = parseHash();
  if (!session.signedIn) {
    renderChrome();
    mount(main, loginView(render.notice));
    render.notice = null;
    return;
  }
  if (quiet !== true) pageAlert.textContent = "";
  if (session.teams === null) {
    // The teams to pick from; without them the page still works, in the personal team.
    await session.loadTeams().catch(() => {
      if (session.signedIn) session.teams = [];
    });
    if (turn !== rendered || !session.signedIn) return;
  }
  const known = views().find(([key]) => key === name);
  const view = id && session.isAdmin ? DETAIL_VIEWS[name] : known?.[2];
  if (!view) {
    location.replace(`#/${views()[0][0]}`);
    return;
  }
  renderChrome(name);
  // Administrators' views are the platform's, not a team's: a picked team would narrow them.
  const platformWide = Boolean(id) || ADMIN_VIEWS.some(([key]) => key === name);
  const ctx = {
    api: (m, p, b) => session.call(m, p, b, { inTeam: !platformWide }),
    team: platformWide ? null : session.team, // the team the view acts in, as GET /teams has it
    toast,
    fail,
    go,
    remember,
    refresh: () => render(),
    // Shows the view again in `ms` unless the reader has moved on by then.
    poll: (ms) => setTimeout(() => turn === rendered && session.signedIn && render(true), ms),
  };
  try {
    const content = await view(ctx, params, id);
    if (turn !== rendered) return; // a later navigation won
    mount(main, content);
    if (turn > 1 && quiet !== true) main.focus(); // after a navigation, the keyboard starts at the new content
  } catch (error) {
    if (turn !== rendered || !session.signedIn) return;
    mount(main, h("h1", {}, "Something went wrong"), h("p", { class: "error", role: "alert" }, error.message));
  }
}

session.onSignedOut = () => {
  render.notice = "Your session has ended; sign in again.";
  render();
};
window.addEventListener("hashchange", () => render());
session.resume().finally(render);
