// The lineage graph drawn as an SVG DAG: nodes in columns by their depth along the data flow (a longest-path layering),
// ordered in each column by their predecessors' positions so edges cross little; each node is a focusable link.
import { h } from "./dom";
import { navigate } from "./main";
import { LineageEdge, LineageGraph, LineageNode, lineageUrl, versionUrl } from "./registry-api";

const NODE_WIDTH = 210;
const NODE_HEIGHT = 50;
const COLUMN_GAP = 80;
const ROW_GAP = 18;
const PAD = 12;
const SVG_NS = "http://www.w3.org/2000/svg";

export const KIND_NAMES: Record<string, string> = {
  olds: "OpenLineage dataset", job: "job", dataset: "dataset", run: "run", model: "model version", endpoint: "endpoint",
};

export interface PlacedNode { node: LineageNode; column: number; row: number; x: number; y: number }

/** Places the nodes: columns by longest path from a source, rows by the mean row of each node's predecessors. */
export function layout(graph: LineageGraph): { placed: Map<string, PlacedNode>; width: number; height: number } {
  const ids = new Set(graph.nodes.map(n => n.id));
  const edges = graph.edges.filter(e => ids.has(e.source) && ids.has(e.target) && e.source !== e.target);
  const depth = new Map(graph.nodes.map(n => [n.id, 0]));
  // Relaxation stops after as many rounds as there are nodes, so a cycle cannot loop forever.
  for (let round = 0; round < graph.nodes.length; round++) {
    let changed = false;
    for (const e of edges) {
      const d = depth.get(e.source)! + 1;
      if (d > depth.get(e.target)! && d < graph.nodes.length) {
        depth.set(e.target, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const used = [...new Set(depth.values())].sort((a, b) => a - b);
  const columns: LineageNode[][] = used.map(d => graph.nodes.filter(n => depth.get(n.id) === d));
  const rowOf = new Map<string, number>();
  const byLabel = (a: LineageNode, b: LineageNode) => a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label);
  columns.forEach((column, c) => {
    if (c === 0) column.sort(byLabel);
    else {
      const centre = (n: LineageNode) => {
        const rows = edges.filter(e => e.target === n.id && rowOf.has(e.source)).map(e => rowOf.get(e.source)!);
        return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Number.MAX_SAFE_INTEGER;
      };
      const centres = new Map(column.map(n => [n.id, centre(n)]));
      column.sort((a, b) => centres.get(a.id)! - centres.get(b.id)! || byLabel(a, b));
    }
    column.forEach((n, r) => rowOf.set(n.id, r));
  });
  const tallest = Math.max(1, ...columns.map(c => c.length));
  const height = PAD * 2 + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP;
  const width = PAD * 2 + columns.length * NODE_WIDTH + Math.max(0, columns.length - 1) * COLUMN_GAP;
  const placed = new Map<string, PlacedNode>();
  columns.forEach((column, c) => {
    const columnHeight = column.length * NODE_HEIGHT + (column.length - 1) * ROW_GAP;
    const top = (height - columnHeight) / 2;
    column.forEach((node, r) => placed.set(node.id, {
      node, column: c, row: r, x: PAD + c * (NODE_WIDTH + COLUMN_GAP), y: top + r * (NODE_HEIGHT + ROW_GAP),
    }));
  });
  return { placed, width, height };
}

/** Where a node's link goes: its own page where there is one, otherwise the lineage centred on it. */
export function nodeHref(node: LineageNode): string {
  const key = node.id.slice(node.id.indexOf(":") + 1);
  switch (node.kind) {
    case "run": return `/runs/${encodeURIComponent(key)}`;
    case "model": return versionUrl(node.attributes.name ?? key.slice(0, key.lastIndexOf("/")), node.attributes.version ?? key.slice(key.lastIndexOf("/") + 1));
    case "endpoint": return `/endpoints/${encodeURIComponent(key)}`;
    default: return lineageUrl(node.id);
  }
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

function subtitle(node: LineageNode): string {
  const a = node.attributes;
  switch (node.kind) {
    case "run": return `run · ${a.status ?? ""}`;
    case "model": return `model version${a.stage && a.stage !== "None" ? " · " + a.stage : ""}`;
    case "endpoint": return `endpoint · ${a.state ?? ""}`;
    default: return KIND_NAMES[node.kind] ?? node.kind;
  }
}

/** The graph as a figure: an SVG with one link per node and one path per edge, arrows in the direction data flows. */
export function lineageFigure(graph: LineageGraph, caption: string): HTMLElement {
  const { placed, width, height } = layout(graph);
  const markerId = "lineage-arrow-" + Math.random().toString(36).slice(2);
  const root = svg("svg", {
    class: "lineage", role: "group", "aria-label": "Lineage graph", width, height, viewBox: `0 0 ${width} ${height}`,
  });
  root.append(svg("defs", {}, svg("marker", {
    id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
  }, svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }))));
  const edgeLayer = svg("g", { class: "edges" });
  for (const edge of graph.edges) {
    const from = placed.get(edge.source), to = placed.get(edge.target);
    if (!from || !to) continue;
    edgeLayer.append(edgePath(edge, from, to, markerId));
  }
  root.append(edgeLayer);
  const nodeLayer = svg("g", { class: "nodes" });
  // Tab order follows the columns, top to bottom, as the eye reads the graph.
  const ordered = [...placed.values()].sort((a, b) => a.column - b.column || a.row - b.row);
  for (const p of ordered) nodeLayer.append(nodeLink(p, p.node.id === graph.root));
  root.append(nodeLayer);
  return h("figure", { class: "lineage-figure" },
    h("div", { class: "lineage-scroll" }, root),
    h("figcaption", { class: "muted small" }, caption, graph.truncated ? " The graph was cut at the server's node limit." : ""));
}

function edgePath(edge: LineageEdge, from: PlacedNode, to: PlacedNode, markerId: string): SVGElement {
  const forward = to.x > from.x;
  const x1 = forward ? from.x + NODE_WIDTH : from.x, y1 = from.y + NODE_HEIGHT / 2;
  const x2 = forward ? to.x : to.x + NODE_WIDTH, y2 = to.y + NODE_HEIGHT / 2;
  const bend = forward ? Math.max(30, (x2 - x1) / 2) : -60;
  const path = svg("path", {
    class: `edge edge-${edge.kind}`, d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
    "marker-end": `url(#${markerId})`, "data-source": edge.source, "data-target": edge.target, "data-kind": edge.kind,
  }, svg("title", {}, `${from.node.label} → ${to.node.label} (${edge.kind.replace("_", " ")})`));
  return path;
}

function nodeLink(p: PlacedNode, isRoot: boolean): SVGElement {
  const href = nodeHref(p.node);
  const link = svg("a", {
    class: `node kind-${p.node.kind}${isRoot ? " root" : ""}`, href, tabindex: 0, "data-id": p.node.id, "data-kind": p.node.kind,
    "aria-label": `${KIND_NAMES[p.node.kind] ?? p.node.kind} ${p.node.label}${isRoot ? " (this page)" : ""}`,
    transform: `translate(${p.x},${p.y})`,
  },
  svg("title", {}, `${KIND_NAMES[p.node.kind] ?? p.node.kind}: ${p.node.label}`),
  svg("rect", { class: "box", width: NODE_WIDTH, height: NODE_HEIGHT, rx: 8, ry: 8 }),
  svg("rect", { class: "kind-bar", width: 6, height: NODE_HEIGHT, rx: 3, ry: 3 }),
  svg("text", { class: "node-kind", x: 16, y: 19 }, clip(subtitle(p.node), 30)),
  svg("text", { class: "node-label", x: 16, y: 38 }, clip(p.node.label, 26)));
  // The app's link handler reads HTML anchors only; SVG links are followed here, in the app, by mouse and keyboard.
  const follow = (event: Event) => {
    if (event instanceof MouseEvent && (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)) return;
    event.preventDefault();
    navigate(href);
  };
  link.addEventListener("click", follow);
  link.addEventListener("keydown", event => { if (event.key === "Enter" || event.key === " ") follow(event); });
  return link;
}
