import { api, Run, runName } from "../api";
import { chartControls, DEFAULT_VIEW, MetricChart, PALETTE } from "../chart";
import { h, replace } from "../dom";
import { formatDuration, formatValue } from "../format";
import { PageContext, setQuery } from "../main";
import { paramsAgainstMetric } from "./compare-plots";

/**
 * Selected runs side by side: one overlaid chart per metric, a scatter and parallel coordinates of params against a
 * metric, and the parameters with differing rows marked (optionally only those).
 */
export async function comparePage(context: PageContext): Promise<void> {
  document.title = "Compare runs · Flightdeck";
  const ids = [...new Set((context.query.get("runs") ?? "").split(",").map(s => s.trim()).filter(Boolean))];
  if (ids.length === 0) {
    replace(context.root, h("h1", null, "Compare runs"), h("p", null, "Select runs in an experiment's runs table, then choose Compare."));
    return;
  }
  const runs: Run[] = (await Promise.all(ids.map(id => api.getRun(id)))).map(r => r.run);
  if (!context.isCurrent()) return;
  const lines = runs.map(run => ({ runId: run.info.run_id, label: runName(run) }));
  const metricKeys = [...new Set(runs.flatMap(r => (r.data.metrics ?? []).map(m => m.key)))].sort();
  const paramKeys = [...new Set(runs.flatMap(r => (r.data.params ?? []).map(p => p.key)))].sort();
  const charts = metricKeys.map(key => new MetricChart(key, lines, DEFAULT_VIEW));
  context.onLeave(() => charts.forEach(c => c.destroy()));

  const onlyDiffs = h("input", { type: "checkbox", name: "diffs", checked: context.query.get("diffs") === "1",
    onchange: () => { drawParams(); saveDiffs(); } });
  const paramsTable = h("table", { class: "grid compact", "aria-label": "Parameters of the compared runs" });

  replace(context.root,
    h("h1", null, `Compare ${runs.length} runs`),
    h("table", { class: "grid compact", "aria-label": "Compared runs" },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, ""), h("th", { scope: "col" }, "Run"), h("th", { scope: "col" }, "Status"),
        h("th", { scope: "col" }, "Duration"), metricKeys.map(k => h("th", { scope: "col" }, k)))),
      h("tbody", null, runs.map((run, i) => h("tr", null,
        h("td", null, h("span", { class: "swatch", style: `background:${PALETTE[i % PALETTE.length]}`, "aria-hidden": "true" })),
        h("td", null, h("a", { href: `/runs/${encodeURIComponent(run.info.run_id)}` }, runName(run))),
        h("td", null, run.info.status),
        h("td", null, formatDuration(run.info.start_time, run.info.end_time)),
        metricKeys.map(k => h("td", { class: "num" }, formatValue(run.data.metrics?.find(m => m.key === k)?.value))))))),
    h("section", { "aria-labelledby": "charts" },
      h("h2", { id: "charts" }, "Metrics"),
      metricKeys.length ? chartControls(charts) : h("p", { class: "muted" }, "No metrics."),
      h("div", { class: "charts" }, charts.map(c => c.element))),
    paramsAgainstMetric(runs, context.query),
    h("section", { "aria-labelledby": "params" },
      h("h2", { id: "params" }, "Parameters"),
      h("label", { class: "check" }, onlyDiffs, " Only differences"),
      paramsTable));

  function drawParams(): void {
    const rows = paramKeys.map(key => {
      const values = runs.map(run => run.data.params?.find(p => p.key === key)?.value);
      const differs = new Set(values.map(v => v ?? "\u0000")).size > 1;
      return { key, values, differs };
    }).filter(row => !onlyDiffs.checked || row.differs);
    replace(paramsTable,
      h("thead", null, h("tr", null, h("th", { scope: "col" }, "Parameter"), runs.map(run => h("th", { scope: "col" }, runName(run))))),
      h("tbody", null, rows.length ? rows.map(row => h("tr", { class: row.differs ? "differs" : undefined },
        h("th", { scope: "row" }, row.key, row.differs ? h("span", { class: "visually-hidden" }, " (differs)") : null),
        row.values.map(v => h("td", null, v ?? h("span", { class: "muted" }, "—")))))
        : h("tr", null, h("td", { colspan: runs.length + 1, class: "muted" }, "No parameters to show."))));
  }

  function saveDiffs(): void {
    const q = new URLSearchParams(location.search);
    if (onlyDiffs.checked) q.set("diffs", "1");
    else q.delete("diffs");
    setQuery(q);
  }

  drawParams();
  charts.forEach(c => void c.load());
}
