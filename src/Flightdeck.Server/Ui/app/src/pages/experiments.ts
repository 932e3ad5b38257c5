import { api, Experiment } from "../api";
import { errorBox, h, replace, showError } from "../dom";
import { formatTime } from "../format";
import { navigate, PageContext, setQuery } from "../main";

/** Experiments: search by name, create, rename in place, delete and restore, and choose several to see their runs together. */
export async function experimentsPage(context: PageContext): Promise<void> {
  document.title = "Experiments · Flightdeck";
  const query = context.query;
  const search = h("input", { type: "search", name: "q", "aria-label": "Search experiments by name", placeholder: "Search by name", value: query.get("q") ?? "" });
  const showDeleted = h("input", { type: "checkbox", name: "deleted", checked: query.get("deleted") === "1" });
  const listError = errorBox(null);
  const body = h("tbody");
  const pager = h("div", { class: "pager" });
  const pageTokens: (string | undefined)[] = [undefined];
  let pageIndex = 0;
  const chosen = new Set<string>();
  const viewRuns = h("button", {
    type: "button", class: "primary",
    onclick: () => navigate("/runs?" + [...chosen].map(id => "experiment_id=" + encodeURIComponent(id)).join("&")),
  }, "View runs");
  const updateViewRuns = () => {
    viewRuns.disabled = chosen.size === 0;
    viewRuns.textContent = chosen.size > 1 ? `View runs of ${chosen.size} experiments` : "View runs";
  };
  updateViewRuns();

  const newName = h("input", { type: "text", name: "name", "aria-label": "New experiment name", placeholder: "New experiment name", required: true });
  const createError = errorBox(null);
  const createForm = h("form", {
    class: "inline-form", onsubmit: async (event: Event) => {
      event.preventDefault();
      showError(createError, null);
      try {
        await api.createExperiment(newName.value.trim());
        newName.value = "";
        await load();
      } catch (error) {
        showError(createError, (error as Error).message);
      }
    },
  }, newName, h("button", { type: "submit" }, "Create experiment"), createError);

  const searchForm = h("form", {
    role: "search", class: "inline-form", onsubmit: (event: Event) => {
      event.preventDefault();
      pageTokens.length = 1;
      pageIndex = 0;
      void load();
    },
  }, search, h("label", { class: "check" }, showDeleted, " Show deleted"), h("button", { type: "submit" }, "Search"));
  showDeleted.addEventListener("change", () => searchForm.requestSubmit());

  replace(context.root,
    h("h1", null, "Experiments"),
    h("div", { class: "toolbar" }, searchForm, createForm, viewRuns),
    listError,
    h("table", { class: "grid", "aria-label": "Experiments" },
      h("thead", null, h("tr", null, h("th", { class: "select" }, h("span", { class: "visually-hidden" }, "Select")), h("th", null, "Name"), h("th", null, "ID"), h("th", null, "Created"), h("th", null, "Last updated"), h("th", null, "Actions"))),
      body),
    pager);

  async function load(): Promise<void> {
    const text = search.value.trim();
    const q = new URLSearchParams();
    if (text) q.set("q", text);
    if (showDeleted.checked) q.set("deleted", "1");
    setQuery(q);
    const filter = text ? `name ILIKE '%${text.replace(/'/g, "\\'")}%'` : "";
    showError(listError, null);
    try {
      const result = await api.searchExperiments(filter, showDeleted.checked ? "ALL" : "ACTIVE_ONLY", pageTokens[pageIndex]);
      if (!context.isCurrent()) return;
      pageTokens[pageIndex + 1] = result.next_page_token;
      const experiments = result.experiments ?? [];
      replace(body, experiments.length ? experiments.map(row) : h("tr", null, h("td", { colspan: 6, class: "muted" }, "No experiments match.")));
      replace(pager,
        h("button", { type: "button", disabled: pageIndex === 0, onclick: () => { pageIndex--; void load(); } }, "Previous"),
        h("span", { class: "muted" }, `Page ${pageIndex + 1}`),
        h("button", { type: "button", disabled: !result.next_page_token, onclick: () => { pageIndex++; void load(); } }, "Next"));
    } catch (error) {
      showError(listError, (error as Error).message);
    }
  }

  function row(experiment: Experiment): HTMLTableRowElement {
    const deleted = experiment.lifecycle_stage === "deleted";
    const nameCell = h("td", null, h("a", { href: `/experiments/${encodeURIComponent(experiment.experiment_id)}` }, experiment.name),
      deleted ? h("span", { class: "badge" }, "deleted") : null);
    const rowError = errorBox(null);
    const act = (work: () => Promise<unknown>) => async () => {
      showError(rowError, null);
      try {
        await work();
        await load();
      } catch (error) {
        showError(rowError, (error as Error).message);
      }
    };
    const startRename = () => {
      const input = h("input", { type: "text", "aria-label": `New name for ${experiment.name}`, value: experiment.name, required: true });
      replace(nameCell, h("form", {
        class: "inline-form", onsubmit: (event: Event) => {
          event.preventDefault();
          void act(() => api.renameExperiment(experiment.experiment_id, input.value.trim()))();
        },
      }, input, h("button", { type: "submit" }, "Save"), h("button", { type: "button", onclick: () => void load() }, "Cancel")));
      input.focus();
      input.select();
    };
    const choose = h("input", {
      type: "checkbox", "aria-label": `Choose experiment ${experiment.name}`, checked: chosen.has(experiment.experiment_id),
      onchange: () => {
        choose.checked ? chosen.add(experiment.experiment_id) : chosen.delete(experiment.experiment_id);
        updateViewRuns();
      },
    });
    return h("tr", { "data-experiment-id": experiment.experiment_id },
      h("td", { class: "select" }, choose),
      nameCell,
      h("td", null, experiment.experiment_id),
      h("td", null, formatTime(experiment.creation_time)),
      h("td", null, formatTime(experiment.last_update_time)),
      h("td", null, h("div", { class: "actions" },
        deleted
          ? h("button", { type: "button", onclick: act(() => api.restoreExperiment(experiment.experiment_id)) }, "Restore")
          : [h("button", { type: "button", onclick: startRename }, "Rename"),
            h("button", { type: "button", class: "danger", onclick: act(() => api.deleteExperiment(experiment.experiment_id)) }, "Delete")]),
        rowError));
  }

  await load();
}
