import { api, FileInfo } from "../api";
import { errorBox, h, replace, showError } from "../dom";
import { formatBytes } from "../format";
import { fetchArtifact } from "../runs-api";

const PREVIEW_LIMIT = 256 * 1024;
const IMAGE_FILE = /\.(png|jpe?g|gif|webp|bmp|ico)$/i;
const SVG_FILE = /\.svg$/i;
const JSON_FILE = /\.json$/i;
const CSV_FILE = /\.(csv|tsv)$/i;
const CSV_HEAD_ROWS = 20;
const TEXT_FILE = /\.(txt|log|json|jsonl|ya?ml|csv|tsv|md|py|cs|toml|ini|cfg|xml|html|sql|sh|r|ipynb)$|(^|\/)(MLmodel|requirements\.txt|conda\.yaml|python_env\.yaml)$/i;

export interface ArtifactsSection {
  element: HTMLElement;
  /** Settles when the top folder is listed. */
  ready: Promise<void>;
}

/**
 * A run's artifacts: a folder tree (folders open on demand), a download link per file, and a preview of text, JSON
 * (pretty-printed), CSV/TSV (the first rows as a table) and images. An SVG is drawn from a blob URL in an <img>, where
 * its scripts never run and it loads nothing, and never inlined into the page; the server itself sends SVG as text.
 */
export function artifactsSection(runId: string, onLeave: (cleanup: () => void) => void): ArtifactsSection {
  const preview = h("section", { class: "preview", "aria-label": "Artifact preview", "aria-live": "polite" });
  preview.hidden = true;
  const listError = errorBox(null);
  const tree = h("ul", { class: "tree" });
  let blobUrl: string | null = null;
  let generation = 0;
  const releaseBlob = () => {
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    blobUrl = null;
  };
  onLeave(releaseBlob);

  const element = h("section", { "aria-labelledby": "artifacts" }, h("h2", { id: "artifacts" }, "Artifacts"),
    listError, h("div", { class: "artifacts" }, tree, preview));
  return { element, ready: listInto(tree, "") };

  async function listInto(list: HTMLElement, path: string): Promise<void> {
    try {
      const result = await api.listArtifacts(runId, path);
      const files = (result.files ?? []).sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path));
      replace(list, files.length ? files.map(entry) : path === "" ? h("li", { class: "muted" }, "No artifacts.") : h("li", { class: "muted" }, "Empty."));
    } catch (error) {
      showError(listError, (error as Error).message);
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
    const previewable = TEXT_FILE.test(file.path) || IMAGE_FILE.test(file.path) || SVG_FILE.test(file.path);
    return h("li", { "data-path": file.path },
      h("span", { class: "file" }, base), " ", h("span", { class: "muted small" }, formatBytes(file.file_size)), " ",
      h("a", { href: api.artifactUrl(runId, file.path), download: base, class: "small", "aria-label": `Download ${file.path}` }, "Download"), " ",
      previewable ? h("button", { type: "button", class: "small", "aria-label": `Preview ${file.path}`, onclick: () => void show(file) }, "Preview") : null);
  }

  async function show(file: FileInfo): Promise<void> {
    const id = ++generation;
    releaseBlob();
    preview.hidden = false;
    const title = h("h3", null, file.path);
    replace(preview, title, h("p", { class: "muted" }, "Loading…"));
    if (IMAGE_FILE.test(file.path)) {
      replace(preview, title, h("img", { src: api.artifactUrl(runId, file.path), alt: `Artifact ${file.path}`, class: "artifact-image" }));
      return;
    }
    try {
      const response = await fetchArtifact(runId, file.path);
      if (SVG_FILE.test(file.path)) {
        const blob = new Blob([await response.arrayBuffer()], { type: "image/svg+xml" });
        if (id !== generation) return;
        blobUrl = URL.createObjectURL(blob);
        replace(preview, title, h("img", { src: blobUrl, alt: `Artifact ${file.path}`, class: "artifact-image" }));
        return;
      }
      const { text, truncated } = await readHead(response, PREVIEW_LIMIT);
      if (id !== generation) return;
      replace(preview, title, render(file.path, text, truncated),
        truncated ? h("p", { class: "muted small" }, `Showing the first ${formatBytes(PREVIEW_LIMIT)}; download for the rest.`) : null);
    } catch (error) {
      if (id === generation) replace(preview, title, errorBox(`Could not preview: ${(error as Error).message}`));
    }
  }
}

function render(path: string, text: string, truncated: boolean): HTMLElement {
  if (CSV_FILE.test(path)) return csvHead(text, path);
  if (JSON_FILE.test(path) && !truncated) {
    try {
      return h("pre", { tabindex: 0, class: "json" }, JSON.stringify(JSON.parse(text), null, 2));
    } catch { /* not valid JSON: shown as it is */ }
  }
  return h("pre", { tabindex: 0 }, text);
}

/** Reads at most `limit` bytes of a body and stops the download there, so a large log previews as fast as a small one. */
async function readHead(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > limit) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.min(chunk.length, bytes.length - offset));
    bytes.set(part, offset);
    offset += part.length;
    if (offset >= bytes.length) break;
  }
  return { text: new TextDecoder().decode(bytes), truncated };
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
