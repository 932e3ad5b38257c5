import { markReady } from "../perf";
import { api, runName } from "../api";
import { chartControls, DEFAULT_VIEW, MetricChart } from "../chart";
import { loadRunCharts } from "../chart-batch";
import { h, replace } from "../dom";
import { formatValue } from "../format";
import { PageContext } from "../main";
import { artifactsSection } from "./artifacts";
import { datasetsSection, keyValueTable, loggedModelsSection, paramsAndTags, runHeader } from "./run-sections";

export { keyValueTable };

/** A run: overview, parameters, tags, metrics with charts by step, dataset inputs, logged models, and its artifacts with download and preview. */
export async function runPage(context: PageContext): Promise<void> {
  const runId = context.params[0];
  const { run } = await api.getRun(runId);
  const { experiment } = await api.getExperiment(run.info.experiment_id);
  if (!context.isCurrent()) return;
  const name = runName(run);
  document.title = `${name} · Flightdeck`;
  const metrics = [...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const charts = metrics.map(m => new MetricChart(m.key, [{ runId, label: name }], DEFAULT_VIEW));
  const chartFetch = new AbortController();
  context.onLeave(() => { chartFetch.abort(); charts.forEach(c => c.destroy()); });

  const artifacts = artifactsSection(runId, context.onLeave);
  const models = loggedModelsSection(runId);

  replace(context.root,
    runHeader(run, experiment),
    paramsAndTags(run),
    h("section", { "aria-labelledby": "metrics" },
      h("h2", { id: "metrics" }, `Metrics (${metrics.length})`),
      keyValueTable("Latest metric values", metrics.map(m => [m.key, `${formatValue(m.value)}  (step ${m.step})`])),
      metrics.length ? chartControls(charts) : null,
      h("div", { class: "charts" }, charts.map(c => c.element))),
    datasetsSection(run),
    models.element,
    artifacts.element);

  void loadRunCharts(runId, charts, chartFetch.signal).then(() => { if (context.isCurrent()) markReady("charts"); });
  await Promise.all([artifacts.ready, models.ready]);
}
