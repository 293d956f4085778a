// A usage chart drawn as SVG: CPU % and memory % of the node over time, two polylines
// on a 0–100 % scale, with the axes' figures as text and a summary for screen readers.

import { s, h } from "./dom.js";

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 36, right: 8, top: 8, bottom: 22 };

export function usageChart(points, totalMemory) {
  if (points.length === 0) {
    return h("p", { class: "muted" }, "No usage reported in this period yet.");
  }
  const times = points.map((p) => Date.parse(p.timestamp));
  const start = Math.min(...times);
  const span = Math.max(Math.max(...times) - start, 1);
  const x = (t) => PAD.left + ((t - start) / span) * (WIDTH - PAD.left - PAD.right);
  const y = (pct) => PAD.top + (1 - Math.max(0, Math.min(100, pct)) / 100) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (values) => values.map((v, i) => `${x(times[i]).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const cpu = points.map((p) => p.cpuPercent);
  const memory = points.map((p) => (100 * p.memoryUsed) / totalMemory);
  const last = points.length - 1;
  const summary =
    `Usage over ${points.length} samples: CPU now ${cpu[last].toFixed(0)} %, ` +
    `peak ${Math.max(...cpu).toFixed(0)} %; memory now ${memory[last].toFixed(0)} %.`;
  const grid = [0, 50, 100].map((pct) => [
    s("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(pct), y2: y(pct), class: "chart-grid" }),
    s("text", { x: PAD.left - 4, y: y(pct) + 4, "text-anchor": "end", class: "chart-label" }, `${pct}%`),
  ]);
  const axis = [
    s("text", { x: PAD.left, y: HEIGHT - 4, class: "chart-label" }, new Date(start).toLocaleTimeString()),
    s(
      "text",
      { x: WIDTH - PAD.right, y: HEIGHT - 4, "text-anchor": "end", class: "chart-label" },
      new Date(start + span).toLocaleTimeString(),
    ),
  ];
  const series = points.length === 1
    ? [
        s("circle", { cx: x(times[0]), cy: y(cpu[0]), r: 3, class: "chart-cpu-dot" }),
        s("circle", { cx: x(times[0]), cy: y(memory[0]), r: 3, class: "chart-memory-dot" }),
      ]
    : [
        s("polyline", { points: line(cpu), class: "chart-cpu" }),
        s("polyline", { points: line(memory), class: "chart-memory" }),
      ];
  return h(
    "figure",
    { class: "chart" },
    s(
      "svg",
      { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": summary, "data-points": points.length },
      grid,
      axis,
      series,
    ),
    h(
      "figcaption",
      {},
      h("span", { class: "key key-cpu" }, "CPU"),
      " ",
      h("span", { class: "key key-memory" }, "Memory"),
      h("span", { class: "visually-hidden" }, summary),
    ),
  );
}
