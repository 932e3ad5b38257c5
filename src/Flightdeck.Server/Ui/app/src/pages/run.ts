import { markReady } from "../perf";
import { api, FileInfo, runName, tag } from "../api";
import { chartControls, DEFAULT_VIEW, MetricChart } from "../chart";
import { loadRunCharts } from "../chart-batch";
import { errorBox, h, replace, showError } from "../dom";
import { formatBytes, formatDuration, formatTime, formatValue } from "../format";
import { PageContext } from "../main";

const PREVIEW_LIMIT = 256 * 1024;
const IMAGE_FILE = /\.(png|jpe?g|gif|webp)$/i; // SVG is served as text/plain, as MLflow does, so it is shown as text
const CSV_FILE = /\.(csv|tsv)$/i;
const CSV_HEAD_ROWS = 20;
const TEXT_FILE = /\.(txt|log|json|jsonl|ya?ml|csv|tsv|md|py|cs|toml|ini|cfg|xml|html|sql|sh)$|(^|\/)(MLmodel|requirements\.txt|conda\.yaml)$/i;

/** A run: overview, parameters, tags, metrics with charts by step, and its artifacts with download and preview. */
export async function runPage(context: PageContext): Promise<void> {
  const runId = context.params[0];
  const { run } = await api.getRun(runId);
  const { experiment } = await api.getExperiment(run.info.experiment_id);
  if (!context.isCurrent()) return;
  const name = runName(run);
  document.title = `${name} · Flightdeck`;
  const info = run.info;
  const params = [...(run.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const metrics = [...(run.data.metrics ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const tags = [...(run.data.tags ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const datasets = run.inputs?.dataset_inputs ?? [];

  const charts = metrics.map(m => new MetricChart(m.key, [{ runId, label: name }], DEFAULT_VIEW));
  const chartFetch = new AbortController();
  context.onLeave(() => { chartFetch.abort(); charts.forEach(c => c.destroy()); });

  const preview = h("section", { class: "preview", "aria-label": "Artifact preview" });
  preview.hidden = true;
  const artifactsError = errorBox(null);
  const artifactTree = h("ul", { class: "tree" });

  replace(context.root,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/experiments" }, "Experiments"), " / ",
      h("a", { href: `/experiments/${encodeURIComponent(experiment.experiment_id)}` }, experiment.name), " / "),
    h("h1", null, name, " ", h("span", { class: `status status-${info.status.toLowerCase()}` }, info.status)),
    h("section", { "aria-labelledby": "overview" }, h("h2", { id: "overview" }, "Overview"),
      h("dl", { class: "facts" },
        fact("Run ID", h("code", null, info.run_id)),
        fact("Experiment", h("a", { href: `/experiments/${encodeURIComponent(experiment.experiment_id)}` }, experiment.name)),
        fact("Status", info.status),
        fact("Started", formatTime(info.start_time)),
        fact("Ended", formatTime(info.end_time)),
        fact("Duration", formatDuration(info.start_time, info.end_time)),
        fact("User", info.user_id ?? ""),
        fact("Source", tag(run, "mlflow.source.name") ?? ""),
        fact("Lifecycle", info.lifecycle_stage),
        fact("Artifacts", h("code", null, info.artifact_uri ?? "")))),
    h("div", { class: "two-columns" },
      h("section", { "aria-labelledby": "params" }, h("h2", { id: "params" }, `Parameters (${params.length})`),
        keyValueTable("Parameters", params.map(p => [p.key, p.value]))),
      h("section", { "aria-labelledby": "tags" }, h("h2", { id: "tags" }, `Tags (${tags.length})`),
        keyValueTable("Tags", tags.map(t => [t.key, t.value])))),
    h("section", { "aria-labelledby": "metrics" },
      h("h2", { id: "metrics" }, `Metrics (${metrics.length})`),
      keyValueTable("Latest metric values", metrics.map(m => [m.key, `${formatValue(m.value)}  (step ${m.step})`])),
      metrics.length ? chartControls(charts) : null,
      h("div", { class: "charts" }, charts.map(c => c.element))),
    datasets.length ? h("section", { "aria-labelledby": "datasets" }, h("h2", { id: "datasets" }, `Dataset inputs (${datasets.length})`),
      h("table", { class: "grid compact", "aria-label": "Dataset inputs" },
        h("thead", null, h("tr", null, ["Name", "Context", "Digest", "Source"].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", null, datasets.map(input => h("tr", null,
          h("td", null, input.dataset.name),
          h("td", null, input.tags?.find(t => t.key === "mlflow.data.context")?.value ?? ""),
          h("td", null, h("code", null, input.dataset.digest)),
          h("td", { class: "wrap" }, h("code", null, [input.dataset.source_type, input.dataset.source].filter(Boolean).join(": "))))))))
      : null,
    h("section", { "aria-labelledby": "artifacts" }, h("h2", { id: "artifacts" }, "Artifacts"),
      artifactsError, h("div", { class: "artifacts" }, artifactTree, preview)));

  void loadRunCharts(runId, charts, chartFetch.signal).then(() => { if (context.isCurrent()) markReady("charts"); });
  await listInto(artifactTree, "");

  async function listInto(list: HTMLElement, path: string): Promise<void> {
    try {
      const result = await api.listArtifacts(runId, path);
      const files = (result.files ?? []).sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
      replace(list, files.length ? files.map(entry) : path === "" ? h("li", { class: "muted" }, "No artifacts.") : null);
    } catch (error) {
      showError(artifactsError, (error as Error).message);
    }
  }

  function entry(file: FileInfo): HTMLLIElement {
    const base = file.path.split("/").pop()!;
    if (file.is_dir) {
      const children = h("ul", { class: "tree" });
      children.hidden = true;
      const toggle = h("button", {
        type: "button", class: "link", "aria-expanded": "false", onclick: async () => {
          const open = toggle.getAttribute("aria-expanded") !== "true";
          toggle.setAttribute("aria-expanded", String(open));
          children.hidden = !open;
          if (open && !children.hasChildNodes()) await listInto(children, file.path);
        },
      }, base + "/");
      return h("li", null, toggle, children);
    }
    const url = api.artifactUrl(runId, file.path);
    return h("li", null,
      h("span", { class: "file" }, base), " ", h("span", { class: "muted small" }, formatBytes(file.file_size)), " ",
      h("a", { href: url, download: base, class: "small" }, "Download"), " ",
      TEXT_FILE.test(file.path) || IMAGE_FILE.test(file.path) ? h("button", { type: "button", class: "small", onclick: () => void showPreview(file, url) }, "Preview") : null);
  }

  async function showPreview(file: FileInfo, url: string): Promise<void> {
    preview.hidden = false;
    replace(preview, h("h3", null, file.path), h("p", { class: "muted" }, "Loading…"));
    if (IMAGE_FILE.test(file.path)) {
      replace(preview, h("h3", null, file.path), h("img", { src: url, alt: `Artifact ${file.path}`, class: "artifact-image" }));
      return;
    }
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      let text = await response.text();
      const truncated = text.length > PREVIEW_LIMIT;
      if (truncated) text = text.slice(0, PREVIEW_LIMIT);
      if (/\.json$/i.test(file.path) && !truncated) {
        try { text = JSON.stringify(JSON.parse(text), null, 2); } catch { /* shown as it is */ }
      }
      replace(preview, h("h3", null, file.path), CSV_FILE.test(file.path) ? csvHead(text, file.path) : h("pre", { tabindex: 0 }, text),
        truncated ? h("p", { class: "muted small" }, `Showing the first ${formatBytes(PREVIEW_LIMIT)}; download for the rest.`) : null);
    } catch (error) {
      replace(preview, h("h3", null, file.path), errorBox(`Could not preview: ${(error as Error).message}`));
    }
  }
}

/** The first rows of a CSV or TSV file as a table (quoted fields with separators inside are kept whole). */
function csvHead(text: string, path: string): HTMLElement {
  const separator = /\.tsv$/i.test(path) ? "\t" : ",";
  const rows = text.split(/\r?\n/).filter(line => line.length > 0).slice(0, CSV_HEAD_ROWS + 1).map(line => splitCsvLine(line, separator));
  const [header = [], ...body] = rows;
  return h("div", { class: "table-scroll" },
    h("table", { class: "grid compact csv", "aria-label": `First rows of ${path}` },
      h("thead", null, h("tr", null, header.map(cell => h("th", { scope: "col" }, cell)))),
      h("tbody", null, body.map(row => h("tr", null, row.map(cell => h("td", null, cell)))))),
    h("p", { class: "muted small" }, `The first ${body.length} rows.`));
}

function splitCsvLine(line: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) { cells.push(cell); cell = ""; }
    else cell += c;
  }
  cells.push(cell);
  return cells;
}

function fact(label: string, value: Node | string): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, value)];
}

export function keyValueTable(label: string, rows: [string, string][]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, "None.");
  return h("table", { class: "grid compact", "aria-label": label },
    h("tbody", null, rows.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k), h("td", null, v)))));
}
