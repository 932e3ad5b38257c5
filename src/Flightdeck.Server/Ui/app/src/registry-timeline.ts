// A model version's history: its registry events (created, tags, description, stage, aliases set, moved and deleted)
// merged with the deployment events of the endpoints that served it, oldest first.
import { EndpointEvent } from "./endpoints-api";
import { h } from "./dom";
import { formatTime } from "./format";
import { RegistryEvent, versionUrl } from "./registry-api";

export interface TimelineEntry {
  timestamp: number;
  /** The event type, e.g. ALIAS_SET or ENDPOINT_ROLLOUT_STARTED, for styling and tests. */
  type: string;
  title: string;
  detail?: string;
  actor?: string;
  href?: string;
}

const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));

/** The registry events about one version, each described in words. */
export function registryEntries(events: RegistryEvent[], version: string): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const e of events) {
    const before = e.before ?? {}, after = e.after ?? {};
    const entry = (title: string, detail?: string): TimelineEntry => ({ timestamp: e.timestamp, type: e.event_type, title, detail, actor: e.actor });
    if (e.event_type === "ALIAS_SET" && e.version !== version && text(before.version) === version) {
      // The alias moved from this version to another: part of this version's story too.
      entries.push({ ...entry(`Alias @${text(after.alias)} moved to version ${text(after.version)}`), type: "ALIAS_MOVED_AWAY" });
      continue;
    }
    if (e.version !== version) continue;
    const tagKey = Object.keys(after).concat(Object.keys(before))[0] ?? "";
    switch (e.event_type) {
      case "MODEL_VERSION_CREATED":
        entries.push(entry("Version created", [text(after.source), after.run_id ? `from run ${text(after.run_id)}` : ""].filter(Boolean).join(" ")));
        break;
      case "ALIAS_SET":
        entries.push(before.version !== undefined && text(before.version) !== version
          ? entry(`Alias @${text(after.alias)} moved here from version ${text(before.version)}`)
          : entry(`Alias @${text(after.alias)} set`));
        break;
      case "ALIAS_DELETED":
        entries.push(entry(`Alias @${text(before.alias)} deleted`));
        break;
      case "MODEL_VERSION_TAG_SET":
        entries.push(entry(`Tag ${tagKey} set`, before[tagKey] !== undefined
          ? `${text(before[tagKey])} → ${text(after[tagKey])}` : text(after[tagKey])));
        break;
      case "MODEL_VERSION_TAG_DELETED":
        entries.push(entry(`Tag ${tagKey} deleted`, text(before[tagKey])));
        break;
      case "MODEL_VERSION_DESCRIPTION_CHANGED":
        entries.push(entry("Description changed", text(after.description)));
        break;
      case "MODEL_VERSION_STAGE_CHANGED":
        entries.push(entry(`Stage changed to ${text(after.current_stage)}`, `from ${text(before.current_stage)}`));
        break;
      case "MODEL_VERSION_DELETED":
        entries.push(entry("Version deleted"));
        break;
      default:
        entries.push(entry(e.event_type.replace(/_/g, " ").toLowerCase()));
    }
  }
  return entries;
}

/** Every registry event of a model, each described in words, with a link to the version it concerns. */
export function modelEntries(events: RegistryEvent[], model: string): TimelineEntry[] {
  return events.map(e => {
    const before = e.before ?? {}, after = e.after ?? {};
    const on = e.version ? ` on version ${e.version}` : "";
    const key = Object.keys(after).concat(Object.keys(before))[0] ?? "";
    const title = (() => {
      switch (e.event_type) {
        case "REGISTERED_MODEL_CREATED": return "Model created";
        case "REGISTERED_MODEL_RENAMED": return `Renamed from ${text(before.name)} to ${text(after.name)}`;
        case "REGISTERED_MODEL_DESCRIPTION_CHANGED": return "Description changed";
        case "REGISTERED_MODEL_TAG_SET": return `Tag ${key} set to ${text(after[key])}`;
        case "REGISTERED_MODEL_TAG_DELETED": return `Tag ${key} deleted`;
        case "MODEL_VERSION_CREATED": return `Version ${e.version} created`;
        case "MODEL_VERSION_DELETED": return `Version ${e.version} deleted`;
        case "MODEL_VERSION_DESCRIPTION_CHANGED": return `Description changed${on}`;
        case "MODEL_VERSION_TAG_SET": return `Tag ${key} set to ${text(after[key])}${on}`;
        case "MODEL_VERSION_TAG_DELETED": return `Tag ${key} deleted${on}`;
        case "MODEL_VERSION_STAGE_CHANGED": return `Version ${e.version} moved to stage ${text(after.current_stage)}`;
        case "ALIAS_SET": return before.version !== undefined && text(before.version) !== e.version
          ? `Alias @${text(after.alias)} moved from version ${text(before.version)} to ${e.version}`
          : `Alias @${text(after.alias)} set on version ${e.version}`;
        case "ALIAS_DELETED": return `Alias @${text(before.alias)} deleted from version ${text(before.version)}`;
        default: return e.event_type.replace(/_/g, " ").toLowerCase() + on;
      }
    })();
    const href = e.version && e.event_type !== "MODEL_VERSION_DELETED" ? versionUrl(model, e.version) : undefined;
    return { timestamp: e.timestamp, type: e.event_type, title, actor: e.actor, href };
  });
}

/**
 * An endpoint's events that concern the version: each one while the version has a route (with its role and weight),
 * and the first one after which it has none (it stopped being served there).
 */
export function endpointEntries(endpoint: string, events: EndpointEvent[], model: string, version: string): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let served = false;
  for (const e of [...events].sort((a, b) => a.timestamp - b.timestamp || a.event_id - b.event_id)) {
    const route = e.routes.find(r => r.model_name === model && r.version === version);
    const href = `/endpoints/${encodeURIComponent(endpoint)}`;
    const what = e.type.replace(/_/g, " ").toLowerCase();
    if (route) {
      entries.push({
        timestamp: e.timestamp, type: `ENDPOINT_${e.type}`, href, detail: e.reason,
        title: `${served ? "Endpoint" : "Deployed to endpoint"} ${endpoint}: ${what}, ${route.role.toLowerCase()} ${route.weight}%`,
      });
      served = true;
    } else if (served) {
      entries.push({ timestamp: e.timestamp, type: `ENDPOINT_${e.type}`, href, detail: e.reason, title: `No longer served by endpoint ${endpoint} (${what})` });
      served = false;
    }
  }
  return entries;
}

/** The entries as a vertical timeline, oldest at the top. */
export function timelineList(entries: TimelineEntry[], label: string): HTMLElement {
  const sorted = entries.map((e, i) => [e, i] as const).sort(([a, i], [b, j]) => a.timestamp - b.timestamp || i - j).map(([e]) => e);
  if (sorted.length === 0) return h("p", { class: "muted" }, "No history recorded.");
  return h("ol", { class: "vtimeline", "aria-label": label },
    sorted.map(e => h("li", { "data-type": e.type, class: e.type.startsWith("ENDPOINT_") ? "deploy" : e.type.startsWith("ALIAS") ? "alias" : "" },
      h("time", { datetime: new Date(e.timestamp).toISOString() }, formatTime(e.timestamp)),
      h("div", { class: "vtimeline-body" },
        h("strong", null, e.href ? h("a", { href: e.href }, e.title) : e.title),
        e.actor ? h("span", { class: "muted small" }, ` by ${e.actor}`) : null,
        e.detail ? h("div", { class: "small wrap" }, e.detail) : null))));
}
