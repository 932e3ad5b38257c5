// Static SVG views of compared runs: a scatter of one value against another, and parallel coordinates over several.
// Values are params (text, numeric when every run's value parses as a number) or latest metric values.
import { formatCompact } from "./format";

export type PlotValue = string | number | undefined;

/** A run as the plots see it: its label, its colour and its values by axis key (e.g. "params:lr", "metrics:loss"). */
export interface PlotRun { id: string; label: string; color: string; values: Map<string, PlotValue> }

export interface PlotAxis { key: string; label: string; log?: boolean }

interface Scale {
  /** The pixel position of a value, or null when the run has none. */
  at(value: PlotValue): number | null;
  ticks: { at: number; label: string }[];
  /** Why log was not applied, if it was asked for and some value is not positive. */
  note?: string;
}

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

const asNumber = (v: PlotValue) => (v === undefined || v === "" ? NaN : Number(v));

/** A numeric scale when every present value is a number, else evenly spaced categories in sorted order. */
function scaleOf(values: PlotValue[], from: number, to: number, log = false): Scale {
  const present = values.filter((v): v is string | number => v !== undefined && v !== "");
  const numeric = present.length > 0 && present.every(v => Number.isFinite(asNumber(v)));
  if (!numeric) {
    const categories = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const at = (i: number) => from + ((i + 0.5) / Math.max(1, categories.length)) * (to - from);
    return {
      at: v => (v === undefined || v === "" ? null : at(categories.indexOf(String(v)))),
      ticks: categories.slice(0, 12).map((c, i) => ({ at: at(i), label: shorten(c, 14) })),
    };
  }
  const numbers = present.map(asNumber);
  const useLog = log && numbers.every(n => n > 0);
  const transform = useLog ? Math.log10 : (n: number) => n;
  let min = Math.min(...numbers.map(transform));
  let max = Math.max(...numbers.map(transform));
  if (min === max) {
    const pad = useLog ? 0.5 : Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const position = (t: number) => from + ((t - min) / (max - min)) * (to - from);
  const ticks = Array.from({ length: 5 }, (_, i) => {
    const t = min + ((max - min) * i) / 4;
    return { at: position(t), label: formatCompact(useLog ? Math.pow(10, t) : t) };
  });
  return {
    at: v => (Number.isFinite(asNumber(v)) ? position(transform(asNumber(v))) : null),
    ticks,
    note: log && !useLog ? "log scale needs positive values" : undefined,
  };
}

function shorten(text: string, length: number): string {
  return text.length > length ? text.slice(0, length - 1) + "…" : text;
}

/** Each mark links to its run's page, which also makes the marks reachable with Tab and named for screen readers. */
function runLink(run: PlotRun, axes: PlotAxis[], mark: SVGElement): SVGAElement {
  return svg("a", { href: `/runs/${encodeURIComponent(run.id)}`, "aria-label": describe(run, axes), class: "mark-link" }, mark);
}

function describe(run: PlotRun, axes: PlotAxis[]): string {
  return `${run.label}: ` + axes.map(a => `${a.label} = ${run.values.get(a.key) ?? "—"}`).join(", ");
}

/** One circle per run that has both values; the x axis is a param or metric, the y axis usually a metric. */
export function scatterPlot(runs: PlotRun[], x: PlotAxis, y: PlotAxis): { element: SVGSVGElement; missing: PlotRun[]; notes: string[] } {
  const width = 600, height = 340, left = 64, right = 20, top = 16, bottom = 48;
  const xs = scaleOf(runs.map(r => r.values.get(x.key)), left, width - right, x.log);
  const ys = scaleOf(runs.map(r => r.values.get(y.key)), height - bottom, top, y.log);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "param-plot scatter", role: "img",
    "aria-label": `Scatter of ${x.label} against ${y.label}` });
  const grid = svg("g", { class: "axes" });
  for (const t of xs.ticks) {
    grid.append(svg("line", { x1: t.at, x2: t.at, y1: top, y2: height - bottom, class: "grid-line" }),
      svg("text", { x: t.at, y: height - bottom + 16, "text-anchor": "middle" }, t.label));
  }
  for (const t of ys.ticks) {
    grid.append(svg("line", { x1: left, x2: width - right, y1: t.at, y2: t.at, class: "grid-line" }),
      svg("text", { x: left - 6, y: t.at + 4, "text-anchor": "end" }, t.label));
  }
  grid.append(
    svg("text", { x: (left + width - right) / 2, y: height - 8, "text-anchor": "middle", class: "axis-label" }, x.label),
    svg("text", { x: 14, y: (top + height - bottom) / 2, "text-anchor": "middle", class: "axis-label",
      transform: `rotate(-90 14 ${(top + height - bottom) / 2})` }, y.label));
  root.append(grid);
  const marks = svg("g", { class: "marks" });
  const missing: PlotRun[] = [];
  for (const run of runs) {
    const cx = xs.at(run.values.get(x.key)), cy = ys.at(run.values.get(y.key));
    if (cx === null || cy === null) {
      missing.push(run);
      continue;
    }
    marks.append(runLink(run, [x, y], svg("circle", { cx, cy, r: 6, fill: run.color, class: "mark", "data-run-id": run.id },
      svg("title", {}, describe(run, [x, y])))));
  }
  root.append(marks);
  const notes = [xs.note && `${x.label}: ${xs.note}`, ys.note && `${y.label}: ${ys.note}`].filter((n): n is string => !!n);
  return { element: root, missing, notes };
}

/** One vertical axis per key and one line per run across them; a run without a value on an axis has a gap there. */
export function parallelCoordinates(runs: PlotRun[], axes: PlotAxis[]): SVGSVGElement {
  const width = 600, height = 340, left = 50, right = 50, top = 34, bottom = 30;
  const step = axes.length > 1 ? (width - left - right) / (axes.length - 1) : 0;
  const xOf = (i: number) => (axes.length > 1 ? left + i * step : width / 2);
  const scales = axes.map(a => scaleOf(runs.map(r => r.values.get(a.key)), height - bottom, top, a.log));
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "param-plot parallel", role: "img",
    "aria-label": `Parallel coordinates over ${axes.map(a => a.label).join(", ")}` });
  const lines = svg("g", { class: "marks" });
  for (const run of runs) {
    let d = "";
    let drawing = false;
    axes.forEach((axis, i) => {
      const y = scales[i].at(run.values.get(axis.key));
      if (y === null) {
        drawing = false;
        return;
      }
      d += `${drawing ? "L" : "M"}${xOf(i).toFixed(1)},${y.toFixed(1)} `;
      drawing = true;
    });
    // Every run keeps its element (hidden when it has no value on any axis), so the marks match the runs.
    lines.append(runLink(run, axes, svg("path", { d: d.trim() || "M0,0", stroke: run.color, class: "mark", "data-run-id": run.id,
      "stroke-linecap": "round", visibility: d ? "visible" : "hidden" }, svg("title", {}, describe(run, axes)))));
  }
  const frame = svg("g", { class: "axes" });
  axes.forEach((axis, i) => {
    const x = xOf(i);
    const anchor = i === 0 && axes.length > 1 ? "start" : i === axes.length - 1 && axes.length > 1 ? "end" : "middle";
    frame.append(svg("line", { x1: x, x2: x, y1: top, y2: height - bottom, class: "axis-line" }),
      svg("text", { x: anchor === "start" ? x - 8 : anchor === "end" ? x + 8 : x, y: top - 14, "text-anchor": anchor, class: "axis-label" },
        svg("title", {}, axis.label), shorten(axis.label, 22)));
    for (const t of scales[i].ticks) {
      frame.append(svg("text", { x: x + 5, y: t.at + 4, class: "tick" }, t.label));
    }
  });
  root.append(lines, frame);
  return root;
}
