import uPlot from "uplot";
import { h } from "./dom";
import { formatCompact } from "./format";

/** A small time-series chart of numbers the page polls (x: unix seconds); gaps are drawn as gaps. */
export class LiveChart {
  readonly element: HTMLElement;
  private readonly host: HTMLElement;
  private readonly status: HTMLElement;
  private plot: uPlot | null = null;

  constructor(private readonly title: string, unit: string) {
    this.host = h("div", { class: "plot live-plot" });
    this.status = h("span", { class: "muted small" }, "No readings yet.");
    this.element = h("figure", { class: "chart", "data-live": title },
      h("figcaption", null, h("span", { class: "chart-title" }, title), h("span", { class: "muted small" }, unit), this.status),
      this.host);
  }

  update(times: number[], values: (number | null)[]): void {
    const points = values.filter(v => v !== null).length;
    this.status.textContent = points ? `${points} reading${points === 1 ? "" : "s"}` : "No readings yet.";
    this.element.dataset.points = String(points);
    const data: uPlot.AlignedData = [times, values];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    if (!points) return;
    this.plot = new uPlot({
      width: Math.max(280, this.host.clientWidth || 360),
      height: 160,
      legend: { show: false },
      scales: { x: { time: true } },
      axes: [{}, { values: (_u, splits) => splits.map(formatCompact), size: 50 }],
      series: [{}, { label: this.title, stroke: "#2563eb", width: 1.5, points: { show: true, size: 4 }, spanGaps: false }],
    }, data, this.host);
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
