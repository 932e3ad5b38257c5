import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, Series } from "./api";
import { h } from "./dom";
import { formatCompact, formatValue } from "./format";

export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"];

export interface ChartLine { runId: string; label: string }

/** How every chart of a page is drawn; changing it redraws without fetching again. */
export interface ChartView {
  log: boolean;
  /** The x axis: steps, seconds since the metric's first point ("time"), or the date and time of each point ("wall"). */
  x: "step" | "time" | "wall";
  /** Exponential moving average weight, 0 (raw) to 0.99, debiased as TensorBoard does. */
  smoothing: number;
}

export const DEFAULT_VIEW: ChartView = { log: false, x: "step", smoothing: 0 };

/**
 * A metric chart of one key for one or more runs, drawn by uPlot from the server's downsampled series. Dragging across
 * the plot zooms into that step range and fetches its finer detail; double-click or "Reset zoom" goes back.
 */
export class MetricChart {
  readonly element: HTMLElement;
  private plot: uPlot | null = null;
  private readonly plotHost: HTMLElement;
  private readonly status: HTMLElement;
  private readonly resetButton: HTMLButtonElement;
  private zoom: [number, number] | null = null;
  private generation = 0;
  private series: Series[] = [];

  constructor(readonly key: string, private readonly lines: ChartLine[], private view: ChartView) {
    this.plotHost = h("div", { class: "plot" });
    this.status = h("span", { class: "muted small chart-status", "aria-live": "polite" });
    this.resetButton = h("button", { type: "button", class: "small", onclick: () => this.setZoom(null) }, "Reset zoom");
    this.resetButton.hidden = true;
    this.element = h("figure", { class: "chart", "data-metric": key },
      h("figcaption", null, h("span", { class: "chart-title" }, key), " ", this.status, " ", this.resetButton),
      this.plotHost);
    this.plotHost.addEventListener("dblclick", () => { if (this.zoom) this.setZoom(null); });
  }

  setView(view: ChartView): void {
    this.view = view;
    if (this.series.length) this.draw();
  }

  private setZoom(range: [number, number] | null): void {
    this.zoom = range;
    this.resetButton.hidden = !range;
    void this.load();
  }

  /** About two points per pixel column: a min/max pair each, as the server downsamples. */
  pointBudget(): number {
    return Math.min(4000, this.width() * 2);
  }

  get hasData(): boolean {
    return this.series.length > 0;
  }

  setLoading(): void {
    this.status.textContent = "loading…";
    this.element.dataset.state = "loading";
  }

  setFailed(message: string): void {
    this.status.textContent = `could not load: ${message}`;
    this.element.dataset.state = "error";
  }

  /** Draws series fetched elsewhere (a run page's batch), one per line, unzoomed. */
  show(series: Series[]): void {
    this.generation++;
    this.zoom = null;
    this.resetButton.hidden = true;
    this.setSeries(series);
  }

  /** Fetches every line's series (about two points per pixel column) and (re)draws. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    const points = this.pointBudget();
    this.setLoading();
    let series: Series[];
    try {
      series = await Promise.all(this.lines.map(line =>
        api.downsampled(line.runId, this.key, points, this.zoom?.[0], this.zoom?.[1])));
    } catch (error) {
      if (generation === this.generation) this.setFailed((error as Error).message);
      return;
    }
    if (generation !== this.generation) return;
    this.setSeries(series);
  }

  private setSeries(series: Series[]): void {
    const total = series.reduce((sum, s) => sum + s.total_points, 0);
    const shown = series.reduce((sum, s) => sum + s.returned_points, 0);
    this.status.textContent = shown < total ? `${shown.toLocaleString()} of ${total.toLocaleString()} points` : `${total.toLocaleString()} points`;
    this.series = series;
    this.draw();
  }

  private width(): number {
    return Math.max(300, this.plotHost.clientWidth || 560);
  }

  private draw(): void {
    const { log, x, smoothing } = this.view;
    const positive = (v: number | null) => (v === null || (log && v <= 0) ? null : v);
    const xs = (s: Series) => {
      if (x === "step") return s.steps;
      if (x === "wall") return s.timestamps.map(t => t / 1000);
      let start = Infinity;
      for (const t of s.timestamps) if (t < start) start = t;
      return s.timestamps.map(t => (t - start) / 1000);
    };
    // Each line is drawn smoothed when asked, with its raw values faint behind it.
    const columns = this.series.flatMap(s => {
      const raw = [xs(s), s.values.map(positive)] as uPlot.AlignedData;
      return smoothing > 0 ? [raw, [xs(s), smooth(s.values, smoothing).map(positive)] as uPlot.AlignedData] : [raw];
    });
    const data = (columns.length ? uPlot.join(columns) : [[]]) as uPlot.AlignedData;
    const lineSeries = this.lines.flatMap((line, i) => {
      const color = PALETTE[i % PALETTE.length];
      const value = (_u: uPlot, v: number | null) => (v === null ? "–" : formatValue(v));
      return smoothing > 0
        ? [{ label: `${line.label} (raw)`, stroke: color + "40", width: 1, spanGaps: true, value },
           { label: line.label, stroke: color, width: 1.5, spanGaps: true, value }]
        : [{ label: line.label, stroke: color, width: 1.5, spanGaps: true, value }];
    });
    const options: uPlot.Options = {
      width: this.width(),
      height: 220,
      scales: { x: { time: x === "wall" }, y: { distr: log ? 3 : 1 } },
      axes: [
        x === "wall"
          ? { label: "time", stroke: "#475569", grid: { stroke: "#e2e8f0" } }
          : { label: x === "step" ? "step" : "seconds since the first point", stroke: "#475569", grid: { stroke: "#e2e8f0" }, values: (_u, ticks) => ticks.map(formatCompact) },
        { stroke: "#475569", grid: { stroke: "#e2e8f0" }, size: 60, values: (_u, ticks) => ticks.map(formatCompact) },
      ],
      series: [{ label: x === "step" ? "step" : x === "wall" ? "time" : "time (s)" }, ...lineSeries],
      legend: { show: true },
      // Zoom by steps asks the server for the range's detail; a time axis zooms the drawn points only.
      cursor: { drag: { x: true, y: false, setScale: x !== "step" } },
      hooks: {
        setSelect: [u => {
          if (x !== "step" || u.select.width < 2) return;
          const min = u.posToVal(u.select.left, "x");
          const max = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          if (max > min) this.setZoom([min, max]);
        }],
      },
    };
    this.plot?.destroy();
    this.plotHost.replaceChildren();
    this.plot = new uPlot(options, data, this.plotHost);
    this.element.dataset.state = "loaded";
  }

  destroy(): void {
    this.generation++;
    this.plot?.destroy();
  }
}

/** Exponential moving average with TensorBoard's debiasing, so the start is not pulled towards zero. */
export function smooth(values: number[], weight: number): number[] {
  let last = 0;
  let count = 0;
  return values.map(v => {
    last = last * weight + (1 - weight) * v;
    count++;
    return last / (1 - Math.pow(weight, count));
  });
}

/** The controls above a page's charts: log scale, x axis and smoothing, applied to all of them. */
export function chartControls(charts: MetricChart[]): HTMLElement {
  const view: ChartView = { ...DEFAULT_VIEW };
  const apply = () => charts.forEach(c => c.setView({ ...view }));
  const log = h("input", { type: "checkbox", name: "log", onchange: () => { view.log = log.checked; apply(); } });
  const axis = h("select", {
    name: "x", "aria-label": "X axis",
    onchange: () => { view.x = axis.value === "time" || axis.value === "wall" ? axis.value : "step"; apply(); },
  }, h("option", { value: "step" }, "X axis: step"), h("option", { value: "time" }, "X axis: relative time"),
    h("option", { value: "wall" }, "X axis: wall-clock time"));
  const smoothingValue = h("output", { class: "small muted" }, "0");
  const smoothing = h("input", {
    type: "range", name: "smoothing", min: 0, max: 0.99, step: 0.01, value: 0, "aria-label": "Smoothing",
    oninput: () => { view.smoothing = Number(smoothing.value); smoothingValue.textContent = smoothing.value; apply(); },
  });
  return h("div", { class: "toolbar" },
    h("label", { class: "check" }, log, " Log scale"),
    axis,
    h("label", { class: "check" }, "Smoothing ", smoothing, smoothingValue),
    h("span", { class: "muted small" }, "Drag across a chart to zoom; double-click to reset."));
}
