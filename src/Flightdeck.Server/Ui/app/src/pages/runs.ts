import { markReady } from "../perf";
import { api, Experiment, Run, runName, tag } from "../api";
import { errorBox, h, replace, showError } from "../dom";
import { formatDuration, formatTime, formatValue, quoteKey } from "../format";
import { navigate, PageContext, setQuery } from "../main";
import { getExperiments } from "../runs-api";

type ColumnKind = "metrics" | "params" | "tags";
interface Column { kind: ColumnKind; key: string }
interface Sort { field: string; descending: boolean }

const ATTRIBUTE_SORTS: Record<string, string> = { "Run": "attributes.run_name", "Status": "attributes.status", "Started": "attributes.start_time", "User": "attributes.user_id" };

/**
 * The runs of one experiment (/experiments/{id}) or of several (/runs?experiment_id=1&experiment_id=2, with an
 * Experiment column): a filter in MLflow's grammar (the server's error shown under it), chosen param, metric
 * and tag columns, sort by any column (order_by), server-side pages (page tokens), and selection for comparison.
 * The filter, sort, columns and page size live in the query string, so a view can be linked; each column is its own
 * `col` parameter, so keys may hold commas.
 */
export async function runsPage(context: PageContext): Promise<void> {
  const query = context.query;
  const experimentIds = context.params[0] ? [context.params[0]] : [...new Set(query.getAll("experiment_id").filter(Boolean))];
  if (experimentIds.length === 0) {
    document.title = "Runs · Flightdeck";
    replace(context.root, h("h1", null, "Runs"),
      h("p", null, "Choose one or more experiments on the ", h("a", { href: "/experiments" }, "experiments page"), ", then View runs."));
    return;
  }
  const experiments = await getExperiments(experimentIds);
  if (!context.isCurrent()) return;
  const several = experiments.length > 1;
  const experimentNames = new Map(experiments.map(e => [e.experiment_id, e.name]));
  const title = several ? `Runs of ${experiments.length} experiments` : experiments[0].name;
  document.title = `${title} · Flightdeck`;

  let columns: Column[] | null = query.has("col") ? parseColumns(query.getAll("col"))
    : query.has("cols") ? parseColumns(query.get("cols")!.split(",")) : null;
  let sort: Sort = parseSort(query.get("order"));
  let pageSize = Number(query.get("size")) || 50;
  const pageTokens: (string | undefined)[] = [undefined];
  let pageIndex = 0;
  const selected = new Set<string>();
  const knownKeys: Record<ColumnKind, Set<string>> = { metrics: new Set(), params: new Set(), tags: new Set() };
  let runs: Run[] = [];

  const filter = h("input", {
    type: "search", name: "filter", class: "filter", "aria-label": "Filter runs", spellcheck: "false",
    placeholder: "e.g. metrics.loss < 0.5 and params.optimizer = 'adam'", value: query.get("filter") ?? "",
  });
  const filterError = errorBox(null);
  filterError.id = "filter-error";
  filter.setAttribute("aria-describedby", "filter-error");
  const sizeSelect = h("select", { "aria-label": "Runs per page", onchange: () => { pageSize = Number(sizeSelect.value); restart(); } },
    [25, 50, 100, 500].map(n => h("option", { value: n, selected: n === pageSize }, `${n} per page`)));
  const compareButton = h("button", { type: "button", class: "primary", onclick: () => navigate(`/compare?runs=${[...selected].map(encodeURIComponent).join(",")}`) }, "Compare");
  const columnsPanel = h("div", { class: "columns-panel" });
  const table = h("table", { class: "grid runs", "aria-label": "Runs" });
  const pager = h("div", { class: "pager" });
  const summary = h("p", { class: "muted small", "aria-live": "polite" });

  replace(context.root,
    heading(title, experiments),
    h("form", {
      role: "search", class: "filter-form", onsubmit: (event: Event) => { event.preventDefault(); restart(); },
    }, filter, h("button", { type: "submit" }, "Search")),
    filterError,
    filterSyntax(),
    h("div", { class: "toolbar" },
      h("details", { class: "columns" }, h("summary", null, "Columns"), columnsPanel),
      sizeSelect, compareButton, summary),
    h("div", { class: "table-scroll" }, table),
    pager);
  updateCompare();

  function restart(): void {
    pageTokens.length = 1;
    pageIndex = 0;
    void load();
  }

  async function load(): Promise<void> {
    saveQuery();
    showError(filterError, null);
    filter.removeAttribute("aria-invalid");
    try {
      const orderBy = [`${sort.field} ${sort.descending ? "DESC" : "ASC"}`];
      const result = await api.searchRuns(experimentIds, filter.value.trim(), orderBy, pageSize, pageTokens[pageIndex]);
      if (!context.isCurrent()) return;
      runs = result.runs ?? [];
      pageTokens[pageIndex + 1] = result.next_page_token;
      for (const run of runs) {
        for (const m of run.data.metrics ?? []) knownKeys.metrics.add(m.key);
        for (const p of run.data.params ?? []) knownKeys.params.add(p.key);
        for (const t of run.data.tags ?? []) if (!t.key.startsWith("mlflow.")) knownKeys.tags.add(t.key);
      }
      columns ??= [...[...knownKeys.metrics].slice(0, 4).map(key => ({ kind: "metrics" as const, key })),
        ...[...knownKeys.params].slice(0, 4).map(key => ({ kind: "params" as const, key }))];
      drawTable();
      markReady("runs-table");
      drawColumnsPanel();
      summary.textContent = `${runs.length} run${runs.length === 1 ? "" : "s"} on this page`;
      replace(pager,
        h("button", { type: "button", disabled: pageIndex === 0, onclick: () => { pageIndex--; void load(); } }, "Previous"),
        h("span", { class: "muted" }, `Page ${pageIndex + 1}`),
        h("button", { type: "button", disabled: !result.next_page_token, onclick: () => { pageIndex++; void load(); } }, "Next"));
    } catch (error) {
      if (!context.isCurrent()) return;
      showError(filterError, (error as Error).message);
      filter.setAttribute("aria-invalid", "true");
    }
  }

  function drawTable(): void {
    const header = (label: string, field: string | null, title?: string) => {
      if (!field) return h("th", { scope: "col" }, label);
      const active = sort.field === field;
      return h("th", { scope: "col", "aria-sort": active ? (sort.descending ? "descending" : "ascending") : "none" },
        h("button", {
          type: "button", class: "sort", title: title ?? `Sort by ${label}`,
          onclick: () => { sort = { field, descending: active ? !sort.descending : field !== "attributes.run_name" }; restart(); },
        }, label, active ? h("span", { "aria-hidden": "true" }, sort.descending ? " ▼" : " ▲") : null));
    };
    const allBox = h("input", {
      type: "checkbox", "aria-label": "Select all runs on this page", checked: runs.length > 0 && runs.every(r => selected.has(r.info.run_id)),
      onchange: () => {
        for (const run of runs) allBox.checked ? selected.add(run.info.run_id) : selected.delete(run.info.run_id);
        drawTable();
        updateCompare();
      },
    });
    const head = h("tr", null,
      h("th", { scope: "col", class: "select" }, allBox),
      Object.entries(ATTRIBUTE_SORTS).map(([label, field]) => header(label, field)),
      several ? header("Experiment", null) : null,
      header("Duration", null),
      columns!.map(c => header(c.key, `${c.kind}.${quoteKey(c.key)}`, `Sort by ${c.kind.slice(0, -1)} ${c.key}`)));
    const rows = runs.map(run => {
      const id = run.info.run_id;
      const cells = columns!.map(c => {
        const value = c.kind === "metrics" ? run.data.metrics?.find(m => m.key === c.key)?.value
          : c.kind === "params" ? run.data.params?.find(p => p.key === c.key)?.value : tag(run, c.key);
        return h("td", { class: c.kind === "metrics" ? "num" : undefined }, c.kind === "metrics" ? formatValue(value) : value ?? "");
      });
      return h("tr", { "data-run-id": id, class: selected.has(id) ? "selected" : undefined },
        h("td", { class: "select" }, h("input", {
          type: "checkbox", "aria-label": `Select run ${runName(run)}`, checked: selected.has(id),
          onchange: (event: Event) => {
            (event.target as HTMLInputElement).checked ? selected.add(id) : selected.delete(id);
            (event.target as HTMLElement).closest("tr")!.classList.toggle("selected", selected.has(id));
            updateCompare();
          },
        })),
        h("td", null, h("a", { href: `/runs/${encodeURIComponent(id)}` }, runName(run))),
        h("td", null, h("span", { class: `status status-${run.info.status.toLowerCase()}` }, run.info.status)),
        h("td", null, formatTime(run.info.start_time)),
        h("td", null, run.info.user_id ?? ""),
        several ? h("td", null, h("a", { href: `/experiments/${encodeURIComponent(run.info.experiment_id)}` },
          experimentNames.get(run.info.experiment_id) ?? run.info.experiment_id)) : null,
        h("td", null, formatDuration(run.info.start_time, run.info.end_time)),
        cells);
    });
    replace(table, h("thead", null, head),
      h("tbody", null, rows.length ? rows : h("tr", null, h("td", { colspan: 6 + (several ? 1 : 0) + columns!.length, class: "muted" }, "No runs match."))));
  }

  function drawColumnsPanel(): void {
    const group = (kind: ColumnKind, title: string) => {
      const keys = [...new Set([...knownKeys[kind], ...columns!.filter(c => c.kind === kind).map(c => c.key)])].sort();
      return h("fieldset", null, h("legend", null, title), keys.length === 0 ? h("span", { class: "muted small" }, "none on this page") : null,
        keys.map(key => h("label", { class: "check" }, h("input", {
          type: "checkbox", checked: columns!.some(c => c.kind === kind && c.key === key),
          onchange: (event: Event) => {
            columns = (event.target as HTMLInputElement).checked ? [...columns!, { kind, key }] : columns!.filter(c => !(c.kind === kind && c.key === key));
            saveQuery();
            drawTable();
          },
        }), " ", key)));
    };
    replace(columnsPanel, group("metrics", "Metrics"), group("params", "Parameters"), group("tags", "Tags"));
  }

  function updateCompare(): void {
    compareButton.disabled = selected.size < 2;
    compareButton.textContent = `Compare ${selected.size} selected`;
  }

  function saveQuery(): void {
    const q = new URLSearchParams();
    if (!context.params[0]) for (const id of experimentIds) q.append("experiment_id", id);
    if (filter.value.trim()) q.set("filter", filter.value.trim());
    if (sort.field !== DEFAULT_SORT.field || !sort.descending) q.set("order", `${sort.field} ${sort.descending ? "DESC" : "ASC"}`);
    for (const c of columns ?? []) q.append("col", `${c.kind}:${c.key}`);
    if (columns?.length === 0) q.set("col", ""); // no columns chosen, rather than the defaults
    if (pageSize !== 50) q.set("size", String(pageSize));
    setQuery(q);
  }

  await load();
}

const DEFAULT_SORT: Sort = { field: "attributes.start_time", descending: true };

function parseSort(text: string | null): Sort {
  const m = text ? /^(.+?)\s+(ASC|DESC)$/i.exec(text.trim()) : null;
  return m ? { field: m[1], descending: m[2].toUpperCase() === "DESC" } : DEFAULT_SORT;
}

/** Columns as `kind:key` strings; the key is everything after the first colon, commas and colons included. */
function parseColumns(parts: string[]): Column[] {
  return parts.map(part => {
    const at = part.indexOf(":");
    return { kind: part.slice(0, at) as ColumnKind, key: part.slice(at + 1) };
  }).filter(c => (c.kind === "metrics" || c.kind === "params" || c.kind === "tags") && c.key);
}

function heading(title: string, experiments: Experiment[]): HTMLElement[] {
  const crumbs = h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/experiments" }, "Experiments"), " / ");
  if (experiments.length === 1) {
    const e = experiments[0];
    return [crumbs, h("h1", null, e.name, e.lifecycle_stage === "deleted" ? h("span", { class: "badge" }, "deleted") : null)];
  }
  return [crumbs, h("h1", null, title),
    h("p", { class: "muted" }, "Experiments: ", experiments.map((e, i) => [i ? ", " : "",
      h("a", { href: `/experiments/${encodeURIComponent(e.experiment_id)}` }, e.name)]))];
}

/** A reminder of MLflow's filter grammar under the search box. */
function filterSyntax(): HTMLElement {
  const examples: [string, string][] = [
    ["metrics.loss < 0.5", "latest metric value; =, !=, <, <=, >, >="],
    ["params.optimizer = 'adam'", "params and tags are text, in single quotes"],
    ["tags.team LIKE 'vis%'", "LIKE and ILIKE (any case) with % wildcards"],
    ["params.`batch size` != '32'", "backticks around keys with spaces or symbols"],
    ["attributes.status = 'FINISHED'", "also run_name, user_id, start_time, end_time"],
    ["metrics.accuracy > 0.9 and params.lr = '0.01'", "combine clauses with and"],
  ];
  return h("details", { class: "syntax" }, h("summary", null, "Filter syntax"),
    h("ul", null, examples.map(([code, note]) => h("li", null, h("code", null, code), h("span", { class: "muted" }, ` — ${note}`)))));
}
