import "./style.css";
import { h, replace } from "./dom";
import { experimentsPage } from "./pages/experiments";
import { runsPage } from "./pages/runs";
import { runPage } from "./pages/run";
import { comparePage } from "./pages/compare";
import { modelsPage, modelPage } from "./pages/models";
import { modelVersionPage } from "./pages/model-version";
import { lineagePage } from "./pages/lineage";
import { endpointsPage, endpointPage } from "./pages/endpoints";

/** What a page gets: its route parameters, the query string, and a signal that it is no longer shown. */
export interface PageContext {
  params: string[];
  query: URLSearchParams;
  root: HTMLElement;
  isCurrent: () => boolean;
  /** Called when the page is left, e.g. to destroy charts. */
  onLeave: (cleanup: () => void) => void;
}

type Page = (context: PageContext) => Promise<void> | void;

const routes: [RegExp, Page][] = [
  [/^\/(?:experiments\/?)?$/, experimentsPage],
  [/^\/experiments\/([^/]+)\/?$/, runsPage],
  [/^\/runs\/?$/, runsPage],
  [/^\/runs\/([^/]+)\/?$/, runPage],
  [/^\/compare\/?$/, comparePage],
  [/^\/models\/?$/, modelsPage],
  [/^\/models\/([^/]+)\/?$/, modelPage],
  [/^\/models\/([^/]+)\/versions\/([^/]+)\/?$/, modelVersionPage],
  [/^\/lineage\/?$/, lineagePage],
  [/^\/endpoints\/?$/, endpointsPage],
  [/^\/endpoints\/([^/]+)\/?$/, endpointPage],
];

let current = 0;
let cleanups: (() => void)[] = [];

export function navigate(url: string, replaceState = false): void {
  if (replaceState) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  void render();
}

/** Updates the query string of the current page without re-rendering it (filters, sort, paging). */
export function setQuery(query: URLSearchParams): void {
  const search = query.toString();
  history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
}

async function render(): Promise<void> {
  const id = ++current;
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
  const root = document.getElementById("main")!;
  const path = location.pathname;
  markNav(path);
  const match = routes.map(([pattern, page]) => [pattern.exec(path), page] as const).find(([m]) => m);
  if (!match) {
    document.title = "Not found · Flightdeck";
    replace(root, h("h1", null, "Page not found"), h("p", null, "There is no page at ", h("code", null, path), ". ",
      h("a", { href: "/experiments" }, "Go to the experiments.")));
    return;
  }
  const [m, page] = match;
  replace(root, h("p", { class: "muted" }, "Loading…"));
  const context: PageContext = {
    params: m!.slice(1).map(p => decodeURIComponent(p)),
    query: new URLSearchParams(location.search),
    root,
    isCurrent: () => id === current,
    onLeave: cleanup => cleanups.push(cleanup),
  };
  try {
    await page(context);
  } catch (error) {
    if (id !== current) return;
    replace(root, h("h1", null, "Something went wrong"), h("p", { class: "error", role: "alert" }, (error as Error).message));
  }
  // After a navigation inside the app, focus moves to the new content, as a full page load would reset it.
  if (id === current && id > 1) root.focus({ preventScroll: true });
}

function markNav(path: string): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav.top a")) {
    const section = link.getAttribute("href")!;
    const active = section === "/experiments" ? !/^\/(models|endpoints|lineage)\b/.test(path) : path.startsWith(section);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// Same-origin links are followed in the app; downloads, new tabs and the API are left to the browser.
document.addEventListener("click", event => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = (event.target as Element).closest?.("a");
  if (!link || link.target || link.hasAttribute("download") || link.origin !== location.origin) return;
  if (/^\/(api|ajax-api|get-artifact)\b/.test(link.pathname)) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
});
window.addEventListener("popstate", () => void render());
void render();
