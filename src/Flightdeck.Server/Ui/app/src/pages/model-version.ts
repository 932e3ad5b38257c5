import { ModelVersion } from "../api";
import { errorBox, h, replace, showError } from "../dom";
import { endpointsApi } from "../endpoints-api";
import { formatTime } from "../format";
import { lineageFigure } from "../lineage-graph";
import { PageContext } from "../main";
import { LineageGraph, lineageUrl, modelNode, modelUrl, registryApi, STAGES } from "../registry-api";
import { endpointEntries, registryEntries, timelineList, TimelineEntry } from "../registry-timeline";
import { descriptionEditor, tagsEditor } from "../registry-widgets";

/** One model version: details, description, tags, stage, signature, lineage graph and history timeline. */
export async function modelVersionPage(context: PageContext): Promise<void> {
  const [name, versionNumber] = context.params;
  const error = errorBox(null);

  async function draw(): Promise<void> {
    const [{ model_version: version }, history, lineage] = await Promise.all([
      registryApi.getVersion(name, versionNumber),
      registryApi.history(name).catch(() => ({ events: [] })),
      registryApi.lineage(modelNode(name, versionNumber), "both", 4).catch(() => null),
    ]);
    const mlmodel = await registryApi.mlmodel(version).catch(() => null);
    const timeline = [...registryEntries(history.events ?? [], versionNumber), ...await deployments(lineage)];
    if (!context.isCurrent()) return;
    document.title = `${name} v${versionNumber} · Models · Flightdeck`;
    const focused = document.activeElement?.getAttribute("aria-label");
    replace(context.root,
      h("nav", { class: "crumbs", "aria-label": "Breadcrumb" },
        h("a", { href: "/models" }, "Models"), " / ", h("a", { href: modelUrl(name) }, name), " / "),
      h("h1", null, `${name} · Version ${version.version}`,
        h("span", { class: `badge status-badge status-${(version.status ?? "").toLowerCase()}` }, version.status ?? ""),
        (version.aliases ?? []).map(a => h("span", { class: "badge alias" }, `@${a}`))),
      error,
      descriptionEditor(version.description, text => registryApi.updateVersion(name, versionNumber, text), draw),
      facts(version),
      h("div", { class: "two-columns" },
        h("section", { "aria-labelledby": "version-tags" }, h("h2", { id: "version-tags" }, "Tags"),
          tagsEditor({
            label: "Version tags", tags: version.tags ?? [], changed: draw,
            set: (key, value) => registryApi.setVersionTag(name, versionNumber, key, value),
            remove: key => registryApi.deleteVersionTag(name, versionNumber, key),
          })),
        h("section", { "aria-labelledby": "signature" }, h("h2", { id: "signature" }, "Signature"), signature(mlmodel))),
      h("section", { "aria-labelledby": "lineage" },
        h("h2", { id: "lineage" }, "Lineage ", h("a", { class: "small", href: lineageUrl(modelNode(name, versionNumber)) }, "open full graph")),
        lineage ? lineageFigure(lineage, "Data flows left to right: datasets into runs, runs into model versions, versions onto endpoints.")
          : h("p", { class: "muted" }, "No lineage recorded.")),
      h("section", { "aria-labelledby": "history" }, h("h2", { id: "history" }, "History"),
        timelineList(timeline, "Version history")));
    if (focused) context.root.querySelector<HTMLElement>(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
  }

  function facts(version: ModelVersion): HTMLElement {
    const stage = h("select", { name: "stage", "aria-label": "Stage" }, STAGES.map(s => h("option", { value: s, selected: s === version.current_stage }, s)));
    const stageError = errorBox(null);
    const stageForm = h("form", { class: "inline-form", onsubmit: async (event: Event) => {
      event.preventDefault();
      showError(stageError, null);
      try {
        await registryApi.transitionStage(name, versionNumber, stage.value);
        await draw();
      } catch (e) {
        showError(stageError, (e as Error).message);
      }
    } }, stage, h("button", { type: "submit", class: "small" }, "Change stage"), stageError);
    return h("dl", { class: "facts" },
      h("dt", null, "Created"), h("dd", null, formatTime(version.creation_timestamp)),
      h("dt", null, "Last updated"), h("dd", null, formatTime(version.last_updated_timestamp)),
      h("dt", null, "Source run"), h("dd", null, version.run_id
        ? h("a", { href: `/runs/${encodeURIComponent(version.run_id)}` }, h("code", null, version.run_id)) : h("span", { class: "muted" }, "none")),
      h("dt", null, "Created by"), h("dd", null, (version as ModelVersion & { user_id?: string }).user_id || h("span", { class: "muted" }, "unknown")),
      h("dt", null, "Source"), h("dd", null, h("code", null, version.source ?? "")),
      h("dt", null, "Stage"), h("dd", null, stageForm));
  }

  /** The endpoints downstream of the version in the lineage graph, and what their histories say about it. */
  async function deployments(lineage: LineageGraph | null): Promise<TimelineEntry[]> {
    const endpoints = (lineage?.nodes ?? []).filter(n => n.kind === "endpoint");
    const lists = await Promise.all(endpoints.map(async n => {
      const endpoint = n.attributes.name ?? n.label;
      try {
        const { events = [] } = await endpointsApi.history(endpoint);
        return endpointEntries(endpoint, events, name, versionNumber);
      } catch {
        // A deleted endpoint has no history left; its first deployment is still known from the lineage.
        const first = Number(n.attributes.first_deployed);
        return first ? [{ timestamp: first, type: "ENDPOINT_DEPLOYED", title: `Deployed to endpoint ${endpoint} (since deleted)` }] : [];
      }
    }));
    return lists.flat();
  }

  await draw();
}

/** The signature of the version's MLmodel (inputs and outputs are JSON lists in the YAML), as tables of columns. */
function signature(mlmodel: string | null): HTMLElement {
  if (mlmodel === null) return h("p", { class: "muted" }, "No MLmodel file of this version is served here.");
  const parts = parseSignature(mlmodel);
  if (!parts) return h("p", { class: "muted" }, "The model package has no signature.");
  return h("div", { class: "signature" }, (["inputs", "outputs"] as const).map(side => {
    const columns = parts[side];
    if (!columns) return null;
    return h("div", null, h("h3", null, side === "inputs" ? "Inputs" : "Outputs"),
      h("table", { class: "grid compact-grid", "aria-label": `Signature ${side}` },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Type"))),
        h("tbody", null, columns.map(c => h("tr", null, h("td", null, c.name ?? "(unnamed)"),
          h("td", null, h("code", null, [c.type, c.shape ? `[${c.shape.join(", ")}]` : ""].join(" ").trim())))))));
  }));
}

interface SignatureColumn { name?: string; type?: string; shape?: number[] }

/** Reads the signature block of an MLmodel without a YAML parser: its inputs and outputs lines hold JSON strings. */
export function parseSignature(mlmodel: string): { inputs?: SignatureColumn[]; outputs?: SignatureColumn[] } | null {
  const lines = mlmodel.split(/\r?\n/);
  const start = lines.findIndex(l => /^signature:\s*$/.test(l));
  if (start < 0) return null;
  const result: { inputs?: SignatureColumn[]; outputs?: SignatureColumn[] } = {};
  for (let i = start + 1; i < lines.length && /^\s+/.test(lines[i]); i++) {
    const match = /^\s+(inputs|outputs):\s*(.+)$/.exec(lines[i]);
    if (!match) continue;
    // A long scalar may continue on more-indented lines (YAML folding); join them with a space.
    let scalar = match[2];
    while (i + 1 < lines.length && /^\s{4,}\S/.test(lines[i + 1]) && !/^\s+\w+:/.test(lines[i + 1])) scalar += " " + lines[++i].trim();
    try {
      result[match[1] as "inputs" | "outputs"] = JSON.parse(unquote(scalar)) as SignatureColumn[];
    } catch {
      // Not a JSON column list: leave that side out rather than show a wrong table.
    }
  }
  return result.inputs || result.outputs ? result : null;
}

function unquote(scalar: string): string {
  const s = scalar.trim();
  if (s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  if (s.startsWith("\"") && s.endsWith("\"")) return JSON.parse(s) as string;
  return s;
}
