// Customers' views (administrators see them too, for their own account): the catalog and
// subscribing, their apps with status, URL and logs, the wallet with its ledger, and the
// invoices. Each shows the things of the team the page acts in (the team picker's).

import { query, serviceNames } from "./api.js";
import { badge, h, mb, money, mount, pager, row, table, when } from "./dom.js";

const PAGE_SIZE = 20;

function whose(team) {
  return team && !team.personal ? `${team.name}'s` : "your";
}

export async function catalog(ctx, params) {
  const page = Number(params.get("page") ?? 1);
  const [data, funds] = await Promise.all([
    ctx.api("GET", "/services/public" + query({ page, limit: PAGE_SIZE })),
    ctx.api("GET", "/billing/wallet"),
  ]);
  const subscribe = async (service, button) => {
    button.disabled = true;
    try {
      const sub = await ctx.api("POST", "/subscriptions", { serviceId: service.id });
      ctx.toast(`Subscribed to ${service.name} (${sub.subdomain})`);
      ctx.go("#/apps");
    } catch (error) {
      if (error.code === "PAYMENT_REQUIRED") ctx.toast(`${error.message}: top up your wallet first`);
      else ctx.fail(error);
      button.disabled = false;
    }
  };
  const cards = data.services.map((svc) => {
    const button = h("button", { type: "button", disabled: !svc.subscribable, "aria-label": `Subscribe to ${svc.name}` }, "Subscribe");
    button.addEventListener("click", () => subscribe(svc, button));
    return h("article", { class: "card service", "data-slug": svc.slug },
      h("h2", {}, svc.name),
      h("p", { class: "muted" }, `${svc.category} · version ${svc.version}`),
      h("p", {}, svc.description),
      h("p", {}, `${svc.resources.cpu} cores · ${mb(svc.resources.memory)} memory · ${mb(svc.resources.storage)} storage`),
      h("p", { class: "figure" }, `${money(svc.pricing.monthly, funds.currency)} / month`),
      button);
  });
  return [
    h("h1", {}, "Catalog"),
    h("p", {}, `Available in ${whose(ctx.team)} wallet: ${money(funds.available, funds.currency)}`),
    h("div", { class: "cards" }, cards), pager(data.pagination, (p) => ctx.remember({ page: p }, true), "services")];
}

export async function apps(ctx, params) {
  const page = Number(params.get("page") ?? 1);
  const [instances, names] = await Promise.all([
    ctx.api("GET", "/instances" + query({ page, limit: PAGE_SIZE })),
    serviceNames(ctx.api),
  ]);
  const logs = h("section", { id: "logs", "aria-live": "polite" });
  const showLogs = async (instance) => {
    const data = await ctx.api("GET", `/instances/${instance.id}/logs` + query({ tail: 200 }));
    mount(logs, h("h2", { tabindex: "-1", id: "logs-title" }, `Logs of ${names.get(instance.serviceId) ?? instance.id}`),
      h("pre", { class: "logs" }, data.lines.length ? data.lines.join("\n") : "No log lines yet."));
    logs.querySelector("h2").focus();
  };
  // Until every app has settled, the page follows them (provisioning takes seconds).
  if (instances.instances.some((i) => i.status === "PENDING" || i.status === "PROVISIONING")) ctx.poll(2000);
  const headers = ["App", "State", "URL", "Why", "Since", "Actions"];
  const rows = instances.instances.map((i) => row(headers, [
    names.get(i.serviceId) ?? i.serviceId,
    badge(i.status),
    i.url ? h("a", { href: i.url, rel: "noopener noreferrer", target: "_blank" }, i.url) : "–",
    i.reason ?? "–",
    when(i.createdAt),
    h("span", { class: "actions" },
      h("button", { type: "button", onclick: () => showLogs(i).catch(ctx.fail) }, "Logs"),
      h("button", { type: "button", onclick: () => ctx.api("POST", `/instances/${i.id}/restart`).then(() => ctx.toast("Restarting")).catch(ctx.fail) }, "Restart")),
  ], { "data-instance": i.id }));
  return [
    h("h1", {}, "My apps"),
    table("My apps", headers, rows),
    pager(instances.pagination, (p) => ctx.remember({ page: p }, true), "apps"),
    logs,
  ];
}

export async function wallet(ctx, params) {
  const page = Number(params.get("page") ?? 1);
  const [w, tx] = await Promise.all([
    ctx.api("GET", "/billing/wallet"),
    ctx.api("GET", "/billing/transactions" + query({ page, limit: PAGE_SIZE })),
  ]);
  const headers = ["When", "Type", "Amount", "Balance after", "Reason"];
  return [
    h("h1", {}, "Wallet"),
    h("div", { class: "cards", id: "wallet" },
      h("div", { class: "card" }, h("h2", {}, "Balance"), h("p", { class: "figure" }, money(w.balance, w.currency))),
      h("div", { class: "card" }, h("h2", {}, "Available"), h("p", { class: "figure" }, money(w.available, w.currency))),
      h("div", { class: "card" }, h("h2", {}, "Credit limit"), h("p", { class: "figure" }, money(w.creditLimit, w.currency)))),
    h("h2", {}, "Transactions"),
    table("Transactions", headers, tx.transactions.map((t) =>
      row(headers, [when(t.createdAt), t.type, money(t.amount, t.currency), money(t.balanceAfter, t.currency), t.reason]))),
    pager(tx.pagination, (p) => ctx.remember({ page: p }, true), "transactions"),
  ];
}

const KINDS = { INVOICE: "Invoice", CREDIT_NOTE: "Credit note" };

export async function invoices(ctx, params) {
  const page = Number(params.get("page") ?? 1);
  const data = await ctx.api("GET", "/billing/invoices" + query({ page, limit: PAGE_SIZE }));
  const headers = ["Number", "Kind", "Issued", "Period", "Total"];
  const period = (i) => (i.periodStart ? `${when(i.periodStart)} – ${when(i.periodEnd)}` : "–");
  return [
    h("h1", {}, "Invoices"),
    table("Invoices and credit notes", headers, data.invoices.map((i) =>
      row(headers, [i.number, KINDS[i.kind] ?? i.kind, when(i.issuedAt), period(i), money(i.total, i.currency)],
        { "data-invoice": i.number }))),
    pager(data.pagination, (p) => ctx.remember({ page: p }, true), "invoices"),
  ];
}
