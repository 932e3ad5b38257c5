import uPlot from "uplot";
import { PALETTE } from "./chart";
import { h } from "./dom";
import { formatCompact } from "./format";

export interface LiveSeries { label: string; values: (number | null)[] }

/** A small time-series chart of numbers the page polls (x: unix seconds), one line per series; gaps stay gaps. */
export class LiveChart {
  readonly element: HTMLElement;
  private readonly host: HTMLElement;
  private readonly status: HTMLElement;
  private plot: uPlot | null = null;
  private labels = "";

  constructor(title: string, unit: string) {
    this.host = h("div", { class: "plot live-plot" });
    this.status = h("span", { class: "muted small" }, "No traffic yet.");
    this.element = h("figure", { class: "chart", "data-live": title },
      h("figcaption", null, h("span", { class: "chart-title" }, title), h("span", { class: "muted small" }, unit), this.status),
      this.host);
  }

  update(times: number[], series: LiveSeries[]): void {
    const points = times.length;
    this.status.textContent = points ? `${points} s with traffic` : "No traffic yet.";
    this.element.dataset.points = String(points);
    const data = [times, ...series.map(s => s.values)] as uPlot.AlignedData;
    const labels = series.map(s => s.label).join("|");
    if (this.plot && labels === this.labels) {
      this.plot.setData(data);
      return;
    }
    this.destroy();
    if (!points) return;
    this.labels = labels;
    this.plot = new uPlot({
      width: Math.max(280, this.host.clientWidth || 360),
      height: 160,
      legend: { show: series.length > 1 },
      scales: { x: { time: true } },
      axes: [{}, { values: (_u, splits) => splits.map(formatCompact), size: 50 }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: true, size: 3 } }))],
    }, data, this.host);
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
    this.host.replaceChildren();
  }
}
