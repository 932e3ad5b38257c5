import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, Series } from "./api";
import { h } from "./dom";
import { formatCompact, formatValue } from "./format";

export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"];

export interface ChartLine { runId: string; label: string }

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

  constructor(private readonly key: string, private readonly lines: ChartLine[], private log: boolean) {
    this.plotHost = h("div", { class: "plot" });
    this.status = h("span", { class: "muted small chart-status", "aria-live": "polite" });
    this.resetButton = h("button", { type: "button", class: "small", onclick: () => this.setZoom(null) }, "Reset zoom");
    this.resetButton.hidden = true;
    this.element = h("figure", { class: "chart", "data-metric": key },
      h("figcaption", null, h("span", { class: "chart-title" }, key), " ", this.status, " ", this.resetButton),
      this.plotHost);
    this.plotHost.addEventListener("dblclick", () => { if (this.zoom) this.setZoom(null); });
  }

  setLog(log: boolean): void {
    if (log === this.log) return;
    this.log = log;
    void this.load();
  }

  private setZoom(range: [number, number] | null): void {
    this.zoom = range;
    this.resetButton.hidden = !range;
    void this.load();
  }

  /** Fetches every line's series (about two points per pixel column) and (re)draws. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    const width = Math.max(300, this.plotHost.clientWidth || 560);
    const points = Math.min(4000, width * 2);
    this.status.textContent = "loading…";
    this.element.dataset.state = "loading";
    let series: Series[];
    try {
      series = await Promise.all(this.lines.map(line =>
        api.downsampled(line.runId, this.key, points, this.zoom?.[0], this.zoom?.[1])));
    } catch (error) {
      if (generation === this.generation) {
        this.status.textContent = `could not load: ${(error as Error).message}`;
        this.element.dataset.state = "error";
      }
      return;
    }
    if (generation !== this.generation) return;
    const total = series.reduce((sum, s) => sum + s.total_points, 0);
    const shown = series.reduce((sum, s) => sum + s.returned_points, 0);
    this.status.textContent = shown < total ? `${shown.toLocaleString()} of ${total.toLocaleString()} points` : `${total.toLocaleString()} points`;
    this.draw(series, width);
  }

  private draw(series: Series[], width: number): void {
    const positive = (v: number) => (this.log && v <= 0 ? null : v);
    const data = uPlot.join(series.map(s => [s.steps, s.values.map(positive)] as uPlot.AlignedData)) as uPlot.AlignedData;
    const options: uPlot.Options = {
      width,
      height: 220,
      scales: { x: { time: false }, y: { distr: this.log ? 3 : 1 } },
      axes: [
        { label: "step", stroke: "#475569", grid: { stroke: "#e2e8f0" }, values: (_u, ticks) => ticks.map(formatCompact) },
        { stroke: "#475569", grid: { stroke: "#e2e8f0" }, size: 60, values: (_u, ticks) => ticks.map(formatCompact) },
      ],
      series: [
        { label: "step" },
        ...this.lines.map((line, i) => ({
          label: line.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : formatValue(v)),
        })),
      ],
      legend: { show: true },
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [u => {
          if (u.select.width < 2) return;
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
