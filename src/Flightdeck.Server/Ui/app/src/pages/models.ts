import { api, ModelVersion, RegisteredModel } from "../api";
import { errorBox, h, replace, showError } from "../dom";
import { formatTime } from "../format";
import { PageContext, setQuery } from "../main";
import { keyValueTable } from "./run";

/** Registered models, searchable by name. */
export async function modelsPage(context: PageContext): Promise<void> {
  document.title = "Models · Flightdeck";
  const search = h("input", { type: "search", name: "q", "aria-label": "Search models by name", placeholder: "Search by name", value: context.query.get("q") ?? "" });
  const error = errorBox(null);
  const body = h("tbody");
  replace(context.root,
    h("h1", null, "Registered models"),
    h("form", { role: "search", class: "inline-form", onsubmit: (event: Event) => { event.preventDefault(); void load(); } },
      search, h("button", { type: "submit" }, "Search")),
    error,
    h("table", { class: "grid", "aria-label": "Registered models" },
      h("thead", null, h("tr", null, ["Name", "Latest version", "Aliases", "Last updated", "Description"].map(t => h("th", { scope: "col" }, t)))),
      body));

  async function load(): Promise<void> {
    const text = search.value.trim();
    setQuery(new URLSearchParams(text ? { q: text } : {}));
    showError(error, null);
    try {
      const result = await api.searchModels(text ? `name ILIKE '%${text.replace(/'/g, "\\'")}%'` : "");
      if (!context.isCurrent()) return;
      const models = result.registered_models ?? [];
      replace(body, models.length ? models.map(row) : h("tr", null, h("td", { colspan: 5, class: "muted" }, "No registered models match.")));
    } catch (e) {
      showError(error, (e as Error).message);
    }
  }

  function row(model: RegisteredModel): HTMLTableRowElement {
    const latest = (model.latest_versions ?? []).map(v => Number(v.version)).sort((a, b) => b - a)[0];
    return h("tr", null,
      h("td", null, h("a", { href: `/models/${encodeURIComponent(model.name)}` }, model.name)),
      h("td", null, latest ? `Version ${latest}` : ""),
      h("td", null, (model.aliases ?? []).map(a => h("span", { class: "badge" }, `@${a.alias} → v${a.version}`))),
      h("td", null, formatTime(model.last_updated_timestamp)),
      h("td", null, model.description ?? ""));
  }

  await load();
}

/** One registered model: description, aliases, tags and its versions (read-only for now). */
export async function modelPage(context: PageContext): Promise<void> {
  const name = context.params[0];
  const [{ registered_model: model }, { model_versions: versions = [] }] = await Promise.all([api.getModel(name), api.searchVersions(name)]);
  if (!context.isCurrent()) return;
  document.title = `${model.name} · Models · Flightdeck`;
  const sorted = [...versions].sort((a, b) => Number(b.version) - Number(a.version));
  replace(context.root,
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/models" }, "Models"), " / "),
    h("h1", null, model.name),
    model.description ? h("p", null, model.description) : null,
    h("dl", { class: "facts" },
      h("dt", null, "Created"), h("dd", null, formatTime(model.creation_timestamp)),
      h("dt", null, "Last updated"), h("dd", null, formatTime(model.last_updated_timestamp)),
      h("dt", null, "Aliases"), h("dd", null, (model.aliases ?? []).length
        ? (model.aliases ?? []).map(a => h("span", { class: "badge" }, `@${a.alias} → v${a.version}`)) : "none")),
    h("section", { "aria-labelledby": "versions" }, h("h2", { id: "versions" }, `Versions (${sorted.length})`),
      h("table", { class: "grid", "aria-label": "Model versions" },
        h("thead", null, h("tr", null, ["Version", "Aliases", "Stage", "Status", "Run", "Created", "Source"].map(t => h("th", { scope: "col" }, t)))),
        h("tbody", null, sorted.length ? sorted.map(versionRow) : h("tr", null, h("td", { colspan: 7, class: "muted" }, "No versions."))))),
    h("section", { "aria-labelledby": "model-tags" }, h("h2", { id: "model-tags" }, "Tags"),
      keyValueTable("Model tags", (model.tags ?? []).map(t => [t.key, t.value]))));
}

function versionRow(version: ModelVersion): HTMLTableRowElement {
  return h("tr", { "data-version": version.version },
    h("td", null, `Version ${version.version}`),
    h("td", null, (version.aliases ?? []).map(a => h("span", { class: "badge" }, `@${a}`))),
    h("td", null, version.current_stage ?? ""),
    h("td", null, version.status ?? ""),
    h("td", null, version.run_id ? h("a", { href: `/runs/${encodeURIComponent(version.run_id)}` }, version.run_id.slice(0, 8)) : ""),
    h("td", null, formatTime(version.creation_timestamp)),
    h("td", { class: "wrap" }, h("code", null, version.source ?? "")));
}
