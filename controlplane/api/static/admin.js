// Administrators' views: the fleet (paged and searched on the server, so a fleet of
// 10,000 nodes costs one page of rows), a node with its usage chart and events, fleet
// statistics, and every subscription and user.

import { query, serviceNames } from "./api.js";
import { usageChart } from "./chart.js";
import { badge, debounce, h, mb, meter, mount, pager, percent, row, table, when } from "./dom.js";

const PAGE_SIZE = 25;
const NODE_STATES = ["", "PENDING", "ACTIVE", "NOT_READY", "INACTIVE", "MAINTENANCE"];

function ratio(used, total) {
  return total ? used / total : 0;
}

export async function fleet(ctx, params) {
  const state = { page: Number(params.get("page") ?? 1), search: params.get("search") ?? "", status: params.get("status") ?? "" };
  const results = h("div", { "aria-live": "polite" });
  const load = async () => {
    ctx.remember({ page: state.page, search: state.search, status: state.status });
    // view=summary: the columns this table shows, a fifth of the bytes of the full view.
    const data = await ctx.api("GET", "/workers" + query({ page: state.page, limit: PAGE_SIZE, search: state.search, status: state.status, sortBy: "name", sortOrder: "asc", view: "summary" }));
    const headers = ["Node", "State", "CPU used", "Memory used", "CPU allocated", "Memory allocated", "Pods", "Scheduling"];
    const rows = data.workers.map((n) =>
      row(headers, [
        h("a", { href: `#/nodes/${n.id}` }, n.name),
        badge(n.status),
        meter("CPU used", (n.cpuPercent ?? 0) / 100, n.cpuPercent === null ? "–" : `${n.cpuPercent.toFixed(0)} %`),
        meter("Memory used", ratio(n.memoryUsed, n.totalMemory), `${mb(n.memoryUsed)} / ${mb(n.totalMemory)}`),
        meter("CPU allocated", ratio(n.allocatedCPU, n.cpuCores), `${n.allocatedCPU} / ${n.cpuCores} cores`),
        meter("Memory allocated", ratio(n.allocatedMemory, n.totalMemory), `${mb(n.allocatedMemory)} / ${mb(n.totalMemory)}`),
        `${n.currentPods} / ${n.maxPods}`,
        n.isSchedulable ? "schedulable" : "cordoned",
      ], { "data-node": n.name }),
    );
    mount(results, table("Worker nodes", headers, rows), pager(data.pagination, (p) => { state.page = p; load().catch(ctx.fail); }, "nodes"));
  };
  const search = h("input", { id: "fleet-search", type: "search", value: state.search, placeholder: "name, hostname or IP", oninput: debounce((e) => { state.search = e.target.value; state.page = 1; load().catch(ctx.fail); }, 250) });
  const status = h("select", { id: "fleet-status", onchange: (e) => { state.status = e.target.value; state.page = 1; load().catch(ctx.fail); } },
    NODE_STATES.map((v) => h("option", { value: v, selected: v === state.status }, v || "any state")));
  await load();
  return [
    h("h1", {}, "Fleet"),
    h("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      h("label", { for: "fleet-search" }, "Search nodes"), search,
      h("label", { for: "fleet-status" }, "State"), status),
    results,
  ];
}

const RANGES = { "15m": { seconds: 900 }, "6h": { seconds: 6 * 3600, step: 300 }, "24h": { seconds: 86400, step: 900 } };

export async function node(ctx, params, id) {
  const n = await ctx.api("GET", `/workers/${id}`);
  const chart = h("div", { id: "usage-chart" });
  const range = params.get("range") ?? "15m";
  const drawChart = async (key) => {
    const r = RANGES[key] ?? RANGES["15m"];
    const from = new Date(Date.now() - r.seconds * 1000).toISOString();
    const m = await ctx.api("GET", `/workers/${id}/metrics` + query({ from, step: r.step, limit: 1000 }));
    mount(chart, usageChart(m.samples ?? m.buckets ?? [], n.totalMemory));
  };
  const events = await ctx.api("GET", `/workers/${id}/events`);
  const act = (label, method, path, body) =>
    h("button", { type: "button", onclick: async () => {
      await ctx.api(method, path, body).then(() => ctx.toast(`${label}: done`)).catch(ctx.fail);
      ctx.refresh();
    } }, label);
  const actions = [
    n.isSchedulable
      ? act("Cordon", "PATCH", `/workers/${id}/schedulable`)
      : act("Uncordon", "PATCH", `/workers/${id}/schedulable`),
    n.status === "MAINTENANCE"
      ? act("End maintenance", "PATCH", `/workers/${id}/status`, { status: "ACTIVE" })
      : act("Start maintenance", "PATCH", `/workers/${id}/status`, { status: "MAINTENANCE", reason: "set from the dashboard" }),
  ];
  const facts = [
    ["State", badge(n.status)], ["Why", n.statusReason ?? "–"],
    ["Scheduling", n.isSchedulable ? "schedulable" : "cordoned"],
    ["Hostname", n.hostname], ["IP address", n.ipAddress],
    ["CPU", `${n.cpuCores} cores (${n.cpuArchitecture}), ${n.cpuPercent === null ? "–" : n.cpuPercent.toFixed(0) + " % used"}`],
    ["Memory", `${mb(n.memoryUsed)} used of ${mb(n.totalMemory)}`],
    ["Disk", `${mb(n.diskUsed)} used of ${mb(n.totalStorage)}`],
    ["Load", n.load1 === null ? "–" : `${n.load1} / ${n.load5} / ${n.load15}`],
    ["Allocated", `${n.allocatedCPU} cores, ${mb(n.allocatedMemory)}, ${mb(n.allocatedStorage)} storage, ${n.currentPods} of ${n.maxPods} pods`],
    ["System", `${n.osImage ?? n.operatingSystem}, kernel ${n.kernelVersion ?? "–"}`],
    ["Agent", `${n.agentVersion ?? "–"}, last heartbeat ${when(n.lastHeartbeat)}`],
  ];
  const picker = h("select", { id: "chart-range", onchange: (e) => { ctx.remember({ range: e.target.value }); drawChart(e.target.value).catch(ctx.fail); } },
    Object.keys(RANGES).map((k) => h("option", { value: k, selected: k === range }, `last ${k}`)));
  await drawChart(range);
  const eventHeaders = ["When", "From", "To", "Why"];
  return [
    h("p", {}, h("a", { href: "#/fleet" }, "← Fleet")),
    h("h1", {}, `Node ${n.name}`),
    h("div", { class: "actions", role: "group", "aria-label": "Node actions" }, actions),
    h("dl", { class: "facts", id: "node-facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("section", { "aria-labelledby": "usage-title" },
      h("div", { class: "section-head" }, h("h2", { id: "usage-title" }, "Usage"),
        h("label", { for: "chart-range" }, "Period"), picker),
      chart),
    h("section", { "aria-labelledby": "events-title" },
      h("h2", { id: "events-title" }, "Events"),
      table("Health transitions", eventHeaders, events.events.slice(0, 50).map((e) =>
        row(eventHeaders, [when(e.createdAt), e.fromStatus ?? "–", badge(e.toStatus), e.reason])))),
  ];
}

export async function stats(ctx) {
  const st = await ctx.api("GET", "/workers/stats");
  const card = (title, value) => h("div", { class: "card" }, h("h2", {}, title), h("p", { class: "figure" }, value));
  const cap = (title, c, unit) => h("div", { class: "card" }, h("h2", {}, title),
    meter(`${title} allocated`, c.ratio, `${unit(c.allocated)} of ${unit(c.total)} (${percent(c.ratio)})`));
  const cores = (v) => `${v.toFixed(1)} cores`;
  return [
    h("h1", {}, "Fleet statistics"),
    h("div", { class: "cards", id: "stats" },
      card("Nodes", st.total), card("Online", st.online), card("Schedulable", st.schedulable),
      Object.entries(st.byStatus).map(([k, v]) => card(k, v)),
      cap("CPU", st.cpu, cores), cap("Memory", st.memory, mb), cap("Storage", st.storage, mb),
      cap("Pods", st.pods, (v) => String(Math.round(v)))),
  ];
}

export async function subscriptions(ctx, params) {
  const page = Number(params.get("page") ?? 1);
  const [data, names] = await Promise.all([
    ctx.api("GET", "/subscriptions" + query({ page, limit: PAGE_SIZE })),
    serviceNames(ctx.api),
  ]);
  const headers = ["Subdomain", "State", "Subscriber", "Service", "Period ends", "Instance"];
  // Who subscribed, by name and email (the administrators' list carries them); an account
  // since deleted is left with its id.
  const subscriber = (s) => (s.subscriber
    ? h("span", { class: "subscriber" }, s.subscriber.name, " ", h("span", { class: "muted" }, `<${s.subscriber.email}>`))
    : h("span", { class: "muted" }, s.userId));
  return [
    h("h1", {}, "Subscriptions"),
    table("Subscriptions", headers, data.subscriptions.map((s) =>
      row(headers, [s.subdomain, badge(s.status), subscriber(s), names.get(s.serviceId) ?? s.serviceId, when(s.currentPeriodEnd), s.instanceId ?? "–"],
        { "data-subscription": s.id }))),
    pager(data.pagination, (p) => ctx.remember({ page: p }, true), "subscriptions"),
  ];
}

export async function users(ctx, params) {
  const state = { page: Number(params.get("page") ?? 1), search: params.get("search") ?? "" };
  const results = h("div", { "aria-live": "polite" });
  const load = async () => {
    ctx.remember(state);
    const data = await ctx.api("GET", "/users" + query({ page: state.page, limit: PAGE_SIZE, search: state.search }));
    const headers = ["Name", "Email", "Role", "Active", "Last sign-in"];
    mount(results,
      table("Users", headers, data.users.map((u) => row(headers, [u.name, u.email, u.role, u.isActive ? "yes" : "no", when(u.lastLoginAt)]))),
      pager(data.pagination, (p) => { state.page = p; load().catch(ctx.fail); }, "users"));
  };
  await load();
  return [
    h("h1", {}, "Users"),
    h("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      h("label", { for: "user-search" }, "Search users"),
      h("input", { id: "user-search", type: "search", value: state.search, oninput: debounce((e) => { state.search = e.target.value; state.page = 1; load().catch(ctx.fail); }, 250) })),
    results,
  ];
}
