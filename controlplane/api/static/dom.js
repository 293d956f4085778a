// Building the page from data without ever parsing it as HTML: every value the API
// returns becomes a text node, so a node name or log line cannot inject markup.

const SVG = "http://www.w3.org/2000/svg";

function build(element, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "text") element.textContent = String(value);
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children);
}

export function mount(target, ...children) {
  target.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
}

export function mb(value) {
  if (value === null || value === undefined) return "–";
  return value >= 1024 ? `${(value / 1024).toFixed(1)} GB` : `${Math.round(value)} MB`;
}

export function percent(ratio) {
  return ratio === null || ratio === undefined ? "–" : `${(ratio * 100).toFixed(0)} %`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "–";
}

export function money(minor, currency) {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
}

export function badge(status) {
  return h("span", { class: `badge badge-${String(status).toLowerCase()}` }, status);
}

// A bar with its figure as text beside it, for allocation and usage.
export function meter(label, ratio, text) {
  const clamped = Math.max(0, Math.min(1, ratio ?? 0));
  const bar = h("span", { class: "meter-fill" });
  bar.style.width = `${(clamped * 100).toFixed(1)}%`;
  if (clamped > 0.85) bar.classList.add("meter-high");
  return h(
    "span",
    { class: "meter", role: "img", "aria-label": `${label}: ${text}` },
    h("span", { class: "meter-track", "aria-hidden": "true" }, bar),
    h("span", { class: "meter-text", "aria-hidden": "true" }, text),
  );
}

// Previous / next over a server-side page: only the page shown is ever fetched.
export function pager(pagination, go, what) {
  const { page, totalPages, total, hasPrev, hasNext } = pagination;
  return h(
    "nav",
    { class: "pager", "aria-label": `${what} pages` },
    h("button", { type: "button", disabled: !hasPrev, onclick: () => go(page - 1) }, "Previous"),
    h("span", { class: "muted" }, `Page ${page} of ${Math.max(totalPages, 1)} · ${total} ${what}`),
    h("button", { type: "button", disabled: !hasNext, onclick: () => go(page + 1) }, "Next"),
  );
}

export function table(caption, headers, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        rows.length
          ? rows
          : h("tr", {}, h("td", { colspan: headers.length, class: "muted" }, "Nothing here yet")),
      ),
    ),
  );
}

// Cells carry their column name so the narrow layout can show each row as a card.
export function row(headers, cells, attrs = {}) {
  return h(
    "tr",
    attrs,
    cells.map((cell, i) => h("td", { "data-label": headers[i] }, cell)),
  );
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
