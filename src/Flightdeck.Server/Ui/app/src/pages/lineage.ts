import { h, replace } from "../dom";
import { formatTime } from "../format";
import { KIND_NAMES, lineageFigure, nodeHref } from "../lineage-graph";
import { PageContext } from "../main";
import { lineageUrl, registryApi } from "../registry-api";

/** Node attributes that are times in milliseconds. */
const TIMES = new Set(["start_time", "end_time", "first_deployed", "latest_state_time"]);

/** The lineage graph around any node (?node=run:<id>, model:<name>/<version>, dataset:<uuid>, endpoint:<name>…). */
export async function lineagePage(context: PageContext): Promise<void> {
  const node = context.query.get("node") ?? "";
  if (!node) {
    document.title = "Lineage · Flightdeck";
    replace(context.root, h("h1", null, "Lineage"),
      h("p", null, "Open the lineage of a model version from its page, or give a node: ", h("code", null, "/lineage?node=run:<run_id>"), "."));
    return;
  }
  const direction = context.query.get("direction") ?? "both";
  const depth = Number(context.query.get("depth") ?? "5");
  const graph = await registryApi.lineage(node, direction, depth);
  if (!context.isCurrent()) return;
  const root = graph.nodes.find(n => n.id === graph.root);
  const title = root ? `${KIND_NAMES[root.kind] ?? root.kind} ${root.label}` : node;
  document.title = `Lineage of ${title} · Flightdeck`;
  const go = (changes: Record<string, string>) => {
    const search = new URLSearchParams({ node, direction, depth: String(depth), ...changes });
    history.replaceState(null, "", `/lineage?${search}`);
    void lineagePage({ ...context, query: search });
  };
  const directionSelect = h("select", { "aria-label": "Direction", onchange: (e: Event) => go({ direction: (e.target as HTMLSelectElement).value }) },
    [["both", "Upstream and downstream"], ["upstream", "Upstream only"], ["downstream", "Downstream only"]]
      .map(([value, label]) => h("option", { value, selected: value === direction }, label)));
  const depthSelect = h("select", { "aria-label": "Depth", onchange: (e: Event) => go({ depth: (e.target as HTMLSelectElement).value }) },
    [1, 2, 3, 4, 5, 6, 8, 10].map(d => h("option", { value: d, selected: d === depth }, `${d} hops`)));
  replace(context.root,
    h("h1", null, `Lineage of ${title}`),
    h("div", { class: "toolbar" }, directionSelect, depthSelect, root ? h("a", { href: nodeHref(root) }, "Open its page") : null),
    lineageFigure(graph, `${graph.nodes.length} nodes, ${graph.edges.length} edges. Select a node to open it; the dataset and job nodes re-centre the graph.`),
    h("h2", null, "Nodes"),
    h("table", { class: "grid", "aria-label": "Lineage nodes" },
      h("thead", null, h("tr", null, ["Kind", "Name", "Hops", "Details"].map(t => h("th", { scope: "col" }, t)))),
      h("tbody", null, graph.nodes.map(n => h("tr", { "data-id": n.id },
        h("td", null, KIND_NAMES[n.kind] ?? n.kind),
        h("td", null, h("a", { href: nodeHref(n) }, n.label), " ", n.id !== graph.root && ["run", "model", "endpoint"].includes(n.kind)
          ? h("a", { class: "small", href: lineageUrl(n.id), "aria-label": `Lineage of ${n.label}` }, "(lineage)") : null),
        h("td", { class: "num" }, n.distance),
        h("td", { class: "wrap small" }, Object.entries(n.attributes).filter(([k]) => k !== "name").map(([k, v]) => `${k.replace(/_/g, " ")}: ${TIMES.has(k) ? formatTime(Number(v)) : v}`).join(" · ")))))));
}
