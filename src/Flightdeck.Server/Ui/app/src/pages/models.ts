import { ModelVersion, RegisteredModel } from "../api";
import { askDialog } from "../ask-dialog";
import { errorBox, h, replace, showError } from "../dom";
import { formatTime } from "../format";
import { navigate, PageContext, setQuery } from "../main";
import { literal, modelUrl, registryApi, versionUrl } from "../registry-api";
import { modelEntries, timelineList } from "../registry-timeline";
import { descriptionEditor, tagsEditor } from "../registry-widgets";

const PAGE_SIZE = 25;
const HISTORY_SHOWN = 50;

/** Registered models: search by name, page through, create, rename and delete. */
export async function modelsPage(context: PageContext): Promise<void> {
  document.title = "Models · Flightdeck";
  const search = h("input", { type: "search", name: "q", "aria-label": "Search models by name", placeholder: "Search by name", value: context.query.get("q") ?? "" });
  const error = errorBox(null);
  const body = h("tbody");
  const pageInfo = h("span", { class: "muted" });
  const previous = h("button", { type: "button", onclick: () => void turn(-1) }, "Previous");
  const next = h("button", { type: "button", onclick: () => void turn(1) }, "Next");
  // Page tokens of the pages seen so far: tokens[i] fetches page i.
  let tokens: (string | undefined)[] = [undefined];
  let pageIndex = 0;
  let nextToken: string | undefined;

  const newName = h("input", { type: "text", name: "name", "aria-label": "New model name", placeholder: "Model name", required: true });
  const newDescription = h("input", { type: "text", name: "description", "aria-label": "New model description", placeholder: "Description (optional)" });
  const createError = errorBox(null);
  const create = h("details", { class: "create" },
    h("summary", null, "New model"),
    h("form", { class: "inline-form", "aria-label": "Create a registered model", onsubmit: async (event: Event) => {
      event.preventDefault();
      showError(createError, null);
      try {
        const { registered_model: model } = await registryApi.createModel(newName.value.trim(), newDescription.value.trim());
        navigate(modelUrl(model.name));
      } catch (e) {
        showError(createError, (e as Error).message);
      }
    } }, newName, newDescription, h("button", { type: "submit", class: "primary" }, "Create")),
    createError);

  replace(context.root,
    h("h1", null, "Registered models"),
    h("div", { class: "toolbar" },
      h("form", { role: "search", class: "inline-form", onsubmit: (event: Event) => { event.preventDefault(); void restart(); } },
        search, h("button", { type: "submit" }, "Search")),
      create),
    error,
    h("table", { class: "grid", "aria-label": "Registered models" },
      h("thead", null, h("tr", null, ["Name", "Latest version", "Aliases", "Last updated", "Description", "Actions"].map(t => h("th", { scope: "col" }, t)))),
      body),
    h("div", { class: "pager" }, previous, next, pageInfo));

  async function restart(): Promise<void> {
    tokens = [undefined];
    pageIndex = 0;
    await load();
  }

  async function turn(step: number): Promise<void> {
    if (step > 0 && nextToken) tokens[pageIndex + 1] = nextToken;
    pageIndex = Math.max(0, pageIndex + step);
    await load();
  }

  async function load(): Promise<void> {
    const text = search.value.trim();
    setQuery(new URLSearchParams(text ? { q: text } : {}));
    showError(error, null);
    try {
      const result = await registryApi.searchModels(text ? `name ILIKE ${literal(`%${text}%`)}` : "", PAGE_SIZE, tokens[pageIndex]);
      if (!context.isCurrent()) return;
      const models = result.registered_models ?? [];
      nextToken = result.next_page_token || undefined;
      replace(body, models.length ? models.map(row)
        : h("tr", null, h("td", { colspan: 6, class: "muted" }, text ? "No registered models match." : "No registered models yet.")));
      previous.disabled = pageIndex === 0;
      next.disabled = !nextToken;
      const first = pageIndex * PAGE_SIZE;
      pageInfo.textContent = models.length ? `Models ${first + 1}–${first + models.length}` : "";
    } catch (e) {
      showError(error, (e as Error).message);
    }
  }

  function row(model: RegisteredModel): HTMLTableRowElement {
    const latest = (model.latest_versions ?? []).map(v => Number(v.version)).sort((a, b) => b - a)[0];
    const rename: HTMLButtonElement = h("button", { type: "button", class: "small", "aria-label": `Rename ${model.name}`, onclick: async () => {
      const name = await askDialog({ title: `Rename ${model.name}`, message: "Its versions, aliases, tags and history move to the new name.",
        confirm: "Rename", danger: false, opener: rename, input: { label: "New name", value: model.name } });
      if (!name || name === model.name) return;
      await act(() => registryApi.renameModel(model.name, name));
    } }, "Rename");
    const remove: HTMLButtonElement = h("button", { type: "button", class: "small danger", "aria-label": `Delete ${model.name}`, onclick: async () => {
      const ok = await askDialog({ title: `Delete ${model.name}?`, message: "The model, all its versions, aliases and tags are deleted. This cannot be undone.",
        confirm: "Delete", danger: true, opener: remove });
      if (ok !== null) await act(() => registryApi.deleteModel(model.name));
    } }, "Delete");
    return h("tr", { "data-model": model.name },
      h("td", null, h("a", { href: modelUrl(model.name) }, model.name)),
      h("td", null, latest ? h("a", { href: versionUrl(model.name, String(latest)) }, `Version ${latest}`) : h("span", { class: "muted" }, "none")),
      h("td", null, aliasBadges(model)),
      h("td", null, formatTime(model.last_updated_timestamp)),
      h("td", { class: "wrap" }, model.description ?? ""),
      h("td", null, h("div", { class: "actions" }, rename, remove)));
  }

  async function act(action: () => Promise<unknown>): Promise<void> {
    showError(error, null);
    try {
      await action();
      await load();
    } catch (e) {
      showError(error, (e as Error).message);
    }
  }

  await load();
}

function aliasBadges(model: RegisteredModel): HTMLElement[] {
  return [...(model.aliases ?? [])].sort((a, b) => a.alias.localeCompare(b.alias))
    .map(a => h("span", { class: "badge alias" }, `@${a.alias} → v${a.version}`));
}

/** One registered model: description, tags, aliases and its versions, all editable. */
export async function modelPage(context: PageContext): Promise<void> {
  const name = context.params[0];
  const error = errorBox(null);

  async function draw(): Promise<void> {
    const [{ registered_model: model }, { model_versions: versions = [] }, history] = await Promise.all([
      registryApi.getModel(name), registryApi.searchVersions(name), registryApi.history(name).catch(() => ({ events: [] }))]);
    if (!context.isCurrent()) return;
    document.title = `${model.name} · Models · Flightdeck`;
    const sorted = [...versions].sort((a, b) => Number(b.version) - Number(a.version));
    const focused = document.activeElement?.getAttribute("aria-label");
    replace(context.root,
      h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/models" }, "Models"), " / "),
      h("h1", null, model.name),
      error,
      descriptionEditor(model.description, text => registryApi.updateModel(name, text), redraw),
      h("dl", { class: "facts" },
        h("dt", null, "Created"), h("dd", null, formatTime(model.creation_timestamp)),
        h("dt", null, "Last updated"), h("dd", null, formatTime(model.last_updated_timestamp))),
      h("section", { "aria-labelledby": "versions" }, h("h2", { id: "versions" }, `Versions (${sorted.length})`),
        h("div", { class: "table-scroll" }, h("table", { class: "grid", "aria-label": "Model versions" },
          h("thead", null, h("tr", null, ["Version", "Status", "Stage", "Source run", "Created", "Aliases", "Tags"].map(t => h("th", { scope: "col" }, t)))),
          h("tbody", null, sorted.length ? sorted.map(v => versionRow(model.name, v)) : h("tr", null, h("td", { colspan: 7, class: "muted" }, "No versions yet.")))))),
      h("div", { class: "two-columns" },
        h("section", { "aria-labelledby": "aliases" }, h("h2", { id: "aliases" }, "Aliases"), aliasesEditor(model, sorted)),
        h("section", { "aria-labelledby": "model-tags" }, h("h2", { id: "model-tags" }, "Tags"),
          tagsEditor({
            label: "Model tags", tags: model.tags ?? [], changed: redraw,
            set: (key, value) => registryApi.setModelTag(name, key, value),
            remove: key => registryApi.deleteModelTag(name, key),
          }))),
      h("section", { "aria-labelledby": "model-history" }, h("h2", { id: "model-history" }, "History"),
        (history.events ?? []).length > HISTORY_SHOWN
          ? h("p", { class: "muted small" }, `The ${HISTORY_SHOWN} latest of ${(history.events ?? []).length} changes.`) : null,
        timelineList(modelEntries(history.events ?? [], model.name).slice(-HISTORY_SHOWN), "Model history")));
    // A redraw after an edit keeps focus where the user was (the same control, found by its label).
    if (focused) context.root.querySelector<HTMLElement>(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
  }

  async function redraw(): Promise<void> {
    await draw();
  }

  function aliasesEditor(model: RegisteredModel, versions: ModelVersion[]): HTMLElement {
    const alias = h("input", { type: "text", name: "alias", "aria-label": "Alias", placeholder: "e.g. champion", required: true });
    const version = h("select", { name: "version", "aria-label": "Version for the alias" },
      versions.map(v => h("option", { value: v.version }, `Version ${v.version}`)));
    const formError = errorBox(null);
    const aliases = [...(model.aliases ?? [])].sort((a, b) => a.alias.localeCompare(b.alias));
    const change = async (action: () => Promise<unknown>) => {
      showError(formError, null);
      try {
        await action();
        await redraw();
      } catch (e) {
        showError(formError, (e as Error).message);
      }
    };
    return h("div", null,
      aliases.length
        ? h("table", { class: "grid compact", "aria-label": "Aliases" }, h("tbody", null, aliases.map(a => {
          const remove: HTMLButtonElement = h("button", { type: "button", class: "small danger", "aria-label": `Delete alias ${a.alias}`, onclick: async () => {
            const ok = await askDialog({ title: `Delete alias @${a.alias}?`, message: `@${a.alias} stops pointing at version ${a.version}.`,
              confirm: "Delete", danger: true, opener: remove });
            if (ok !== null) await change(() => registryApi.deleteAlias(name, a.alias));
          } }, "Delete");
          return h("tr", { "data-alias": a.alias },
            h("th", { scope: "row" }, `@${a.alias}`),
            h("td", null, h("a", { href: versionUrl(name, a.version) }, `Version ${a.version}`)),
            h("td", { class: "actions-cell" }, h("div", { class: "actions" }, remove)));
        })))
        : h("p", { class: "muted" }, "No aliases."),
      versions.length
        ? h("form", { class: "inline-form", "aria-label": "Set an alias", onsubmit: async (event: Event) => {
          event.preventDefault();
          const text = alias.value.trim().replace(/^@/, "");
          if (text) await change(() => registryApi.setAlias(name, text, version.value));
        } }, alias, version, h("button", { type: "submit" }, "Set alias"),
        h("span", { class: "muted small" }, "An alias already set moves to the chosen version."))
        : null,
      formError);
  }

  await draw();
}

function versionRow(model: string, version: ModelVersion): HTMLTableRowElement {
  const tags = (version.tags ?? []).filter(t => !t.key.startsWith("mlflow."));
  return h("tr", { "data-version": version.version },
    h("td", null, h("a", { href: versionUrl(model, version.version) }, `Version ${version.version}`)),
    h("td", null, h("span", { class: `status status-${(version.status ?? "").toLowerCase()}` }, version.status ?? "")),
    h("td", null, version.current_stage && version.current_stage !== "None" ? h("span", { class: `badge stage-${version.current_stage.toLowerCase()}` }, version.current_stage) : ""),
    h("td", null, version.run_id ? h("a", { href: `/runs/${encodeURIComponent(version.run_id)}` }, h("code", null, version.run_id.slice(0, 8))) : ""),
    h("td", null, formatTime(version.creation_timestamp)),
    h("td", { class: "aliases" }, (version.aliases ?? []).map(a => h("span", { class: "badge alias" }, `@${a}`))),
    h("td", { class: "wrap" }, tags.map(t => h("span", { class: "badge tag" }, `${t.key}=${t.value}`))));
}
