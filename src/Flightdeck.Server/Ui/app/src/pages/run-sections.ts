import { Experiment, Run, runName, tag } from "../api";
import { errorBox, h, replace } from "../dom";
import { formatDuration, formatTime } from "../format";
import { lineageUrl, versionUrl } from "../registry-api";
import { modelVersionsOfRun } from "../runs-api";

/** The run page's sections other than its metrics: header and overview, params and tags, dataset inputs, logged models. */

export function runHeader(run: Run, experiment: Experiment): HTMLElement[] {
  const info = run.info;
  const experimentLink = h("a", { href: `/experiments/${encodeURIComponent(experiment.experiment_id)}` }, experiment.name);
  const source = tag(run, "mlflow.source.name");
  const sourceType = tag(run, "mlflow.source.type");
  const commit = tag(run, "mlflow.source.git.commit");
  const parent = tag(run, "mlflow.parentRunId");
  return [
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/experiments" }, "Experiments"), " / ",
      h("a", { href: `/experiments/${encodeURIComponent(experiment.experiment_id)}` }, experiment.name), " / "),
    h("h1", null, runName(run), " ", h("span", { class: `status status-${info.status.toLowerCase()}` }, info.status),
      info.lifecycle_stage === "deleted" ? h("span", { class: "badge" }, "deleted") : null),
    h("section", { "aria-labelledby": "overview" }, h("h2", { id: "overview" }, "Overview"),
      h("dl", { class: "facts" },
        fact("Run name", runName(run)),
        fact("Run ID", h("code", null, info.run_id)),
        fact("Experiment", experimentLink),
        fact("Status", info.status),
        fact("Started", formatTime(info.start_time)),
        fact("Ended", formatTime(info.end_time)),
        fact("Duration", formatDuration(info.start_time, info.end_time) || (info.status === "RUNNING" ? "still running" : "")),
        fact("User", info.user_id ?? ""),
        fact("Source", [source ?? "", sourceType ? h("span", { class: "muted small" }, ` (${sourceType.toLowerCase()})`) : null]),
        fact("Lifecycle", info.lifecycle_stage),
        commit ? fact("Git commit", h("code", null, commit)) : null,
        parent ? fact("Parent run", h("a", { href: `/runs/${encodeURIComponent(parent)}` }, h("code", null, parent))) : null,
        fact("Artifacts", h("code", null, info.artifact_uri ?? "")),
        fact("Lineage", h("a", { href: lineageUrl(`run:${info.run_id}`) }, "Datasets, models and endpoints of this run")))),
  ];
}

export function paramsAndTags(run: Run): HTMLElement {
  const params = [...(run.data.params ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  const tags = [...(run.data.tags ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  return h("div", { class: "two-columns" },
    h("section", { "aria-labelledby": "params" }, h("h2", { id: "params" }, `Parameters (${params.length})`),
      keyValueTable("Parameters", params.map(p => [p.key, p.value]))),
    h("section", { "aria-labelledby": "tags" }, h("h2", { id: "tags" }, `Tags (${tags.length})`),
      keyValueTable("Tags", tags.map(t => [t.key, t.value]))));
}

/** Dataset inputs with their name, context, digest and source; a schema or profile opens as pretty-printed JSON. */
export function datasetsSection(run: Run): HTMLElement | null {
  const inputs = run.inputs?.dataset_inputs ?? [];
  if (inputs.length === 0) return null;
  return h("section", { "aria-labelledby": "datasets" }, h("h2", { id: "datasets" }, `Dataset inputs (${inputs.length})`),
    h("table", { class: "grid compact datasets", "aria-label": "Dataset inputs" },
      h("thead", null, h("tr", null, ["Name", "Context", "Digest", "Source", "Schema and profile"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", null, inputs.map(input => h("tr", null,
        h("td", null, input.dataset.name),
        h("td", null, input.tags?.find(t => t.key === "mlflow.data.context")?.value ?? ""),
        h("td", null, h("code", null, input.dataset.digest)),
        h("td", { class: "wrap" }, h("code", null, [input.dataset.source_type, input.dataset.source].filter(Boolean).join(": "))),
        h("td", null,
          jsonDetails("Schema", input.dataset.schema),
          jsonDetails("Profile", input.dataset.profile),
          !input.dataset.schema && !input.dataset.profile ? h("span", { class: "muted" }, "—") : null))))));
}

/** The registry's model versions made from this run, each linking to its version page; filled in when the search answers. */
export function loggedModelsSection(runId: string): { element: HTMLElement; ready: Promise<void> } {
  const body = h("div", null, h("p", { class: "muted" }, "Loading…"));
  const element = h("section", { "aria-labelledby": "logged-models" }, h("h2", { id: "logged-models" }, "Logged models"), body);
  const ready = modelVersionsOfRun(runId).then(versions => {
    versions.sort((a, b) => a.name.localeCompare(b.name) || Number(a.version) - Number(b.version));
    replace(body, versions.length === 0 ? h("p", { class: "muted" }, "No registered model versions come from this run.")
      : h("table", { class: "grid compact-grid", "aria-label": "Logged models" },
        h("thead", null, h("tr", null, ["Model version", "Stage", "Aliases", "Source", "Created"].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", null, versions.map(v => h("tr", null,
          h("td", null, h("a", { href: versionUrl(v.name, v.version) }, `${v.name} v${v.version}`)),
          h("td", null, v.current_stage && v.current_stage !== "None" ? v.current_stage : ""),
          h("td", null, (v.aliases ?? []).map(a => h("span", { class: "badge" }, a))),
          h("td", null, h("code", null, v.source ?? "")),
          h("td", null, formatTime(v.creation_timestamp)))))));
  }, error => replace(body, errorBox(`Could not load the registered models: ${(error as Error).message}`)));
  return { element, ready };
}

function jsonDetails(label: string, text: string | undefined): HTMLElement | null {
  if (!text) return null;
  let shown = text;
  try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* shown as it is */ }
  return h("details", { class: "json-details" }, h("summary", null, label), h("pre", { tabindex: 0 }, shown));
}

function fact(label: string, value: Node | string | (Node | string | null)[]): HTMLElement[] {
  return [h("dt", null, label), h("dd", null, value)];
}

export function keyValueTable(label: string, rows: [string, string][]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "muted" }, "None.");
  return h("table", { class: "grid compact", "aria-label": label },
    h("tbody", null, rows.map(([k, v]) => h("tr", null, h("th", { scope: "row" }, k), h("td", null, v)))));
}
