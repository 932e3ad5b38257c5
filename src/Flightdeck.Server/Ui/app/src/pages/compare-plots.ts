import { Run, runName } from "../api";
import { PALETTE } from "../chart";
import { h, replace } from "../dom";
import { setQuery } from "../main";
import { parallelCoordinates, PlotAxis, PlotRun, scatterPlot } from "../param-plots";

const MAX_DEFAULT_AXES = 6;

/**
 * The compare page's "Parameters against a metric" section: a scatter of a chosen param (x) against a chosen metric
 * (y, the run's latest value), and parallel coordinates over chosen params ending at that metric. Choices are kept in
 * the query string (x, metric, axis, logx, logy) so the view can be linked.
 */
export function paramsAgainstMetric(runs: Run[], query: URLSearchParams): HTMLElement {
  const paramKeys = [...new Set(runs.flatMap(r => (r.data.params ?? []).map(p => p.key)))].sort();
  const metricKeys = [...new Set(runs.flatMap(r => (r.data.metrics ?? []).map(m => m.key)))].sort();
  const section = h("section", { "aria-labelledby": "param-plots" }, h("h2", { id: "param-plots" }, "Parameters against a metric"));
  if (paramKeys.length === 0 || metricKeys.length === 0) {
    section.append(h("p", { class: "muted" }, "These views need runs with parameters and metrics."));
    return section;
  }

  const plotRuns: PlotRun[] = runs.map((run, i) => ({
    id: run.info.run_id,
    label: runName(run),
    color: PALETTE[i % PALETTE.length],
    values: new Map([
      ...(run.data.params ?? []).map(p => [`params:${p.key}`, p.value] as const),
      ...(run.data.metrics ?? []).map(m => [`metrics:${m.key}`, m.value] as const),
    ]),
  }));
  const differing = paramKeys.filter(key => new Set(runs.map(r => r.data.params?.find(p => p.key === key)?.value ?? "\u0000")).size > 1);
  const pick = (wanted: string | null, keys: string[], fallback: string) => (wanted && keys.includes(wanted) ? wanted : fallback);

  const metric = select("metric", "Metric", metricKeys, pick(query.get("metric"), metricKeys, metricKeys[0]));
  const xParam = select("x", "Parameter (x axis)", paramKeys, pick(query.get("x"), paramKeys, differing[0] ?? paramKeys[0]));
  const logX = h("input", { type: "checkbox", name: "logx", checked: query.get("logx") === "1", onchange: draw });
  const logY = h("input", { type: "checkbox", name: "logy", checked: query.get("logy") === "1", onchange: draw });
  const wantedAxes = query.getAll("axis").filter(k => paramKeys.includes(k));
  const axes = new Set(wantedAxes.length ? wantedAxes : (differing.length ? differing : paramKeys).slice(0, MAX_DEFAULT_AXES));
  const axisBoxes = paramKeys.map(key => h("label", { class: "check" }, h("input", {
    type: "checkbox", name: "axis", value: key, checked: axes.has(key),
    onchange: (event: Event) => {
      (event.target as HTMLInputElement).checked ? axes.add(key) : axes.delete(key);
      draw();
    },
  }), " ", key));
  metric.addEventListener("change", draw);
  xParam.addEventListener("change", draw);

  const scatterHost = h("div", { class: "plot-host" });
  const scatterNote = h("p", { class: "muted small", "aria-live": "polite" });
  const parallelHost = h("div", { class: "plot-host" });

  section.append(
    h("div", { class: "toolbar" }, metric.parentElement!, h("label", { class: "check" }, logY, " Log scale (metric)")),
    h("div", { class: "param-plots" },
      h("figure", { class: "param-figure", "data-view": "scatter" },
        h("figcaption", null, h("span", { class: "chart-title" }, "Scatter"), " ", xParam.parentElement!, " ",
          h("label", { class: "check" }, logX, " Log x")),
        scatterHost, scatterNote),
      h("figure", { class: "param-figure", "data-view": "parallel" },
        h("figcaption", null, h("span", { class: "chart-title" }, "Parallel coordinates")),
        h("fieldset", { class: "axes-choice" }, h("legend", { class: "small muted" }, "Parameter axes (the metric is the last)"), axisBoxes),
        parallelHost)));
  draw();
  return section;

  function draw(): void {
    const metricAxis: PlotAxis = { key: `metrics:${metric.value}`, label: metric.value, log: logY.checked };
    const xAxis: PlotAxis = { key: `params:${xParam.value}`, label: xParam.value, log: logX.checked };
    const scatter = scatterPlot(plotRuns, xAxis, metricAxis);
    replace(scatterHost, scatter.element);
    scatterNote.textContent = [
      scatter.missing.length ? `Not drawn (no ${xParam.value} or ${metric.value}): ${scatter.missing.map(r => r.label).join(", ")}.` : "",
      ...scatter.notes,
    ].filter(Boolean).join(" ");
    const chosen = paramKeys.filter(k => axes.has(k)).map(key => ({ key: `params:${key}`, label: key }));
    replace(parallelHost, parallelCoordinates(plotRuns, [...chosen, metricAxis]));
    save();
  }

  function save(): void {
    const q = new URLSearchParams(location.search);
    q.set("metric", metric.value);
    q.set("x", xParam.value);
    q.delete("axis");
    for (const key of paramKeys.filter(k => axes.has(k))) q.append("axis", key);
    for (const [name, box] of [["logx", logX], ["logy", logY]] as const) box.checked ? q.set(name, "1") : q.delete(name);
    setQuery(q);
  }
}

/** A labelled select; the label wraps it, so callers place `parentElement`. */
function select(name: string, label: string, options: string[], value: string): HTMLSelectElement {
  const element = h("select", { name }, options.map(o => h("option", { value: o, selected: o === value }, o)));
  h("label", { class: "check" }, `${label} `, element);
  return element;
}
