// The model registry's REST calls (MLflow's registered-models and model-versions routes), Flightdeck's registry
// history and its lineage graph (/api/flightdeck/v1/lineage).
import { call, get, ModelVersion, post, RegisteredModel } from "./api";

const MLFLOW = "/ajax-api/2.0/mlflow/";

const send = <T>(method: "PATCH" | "DELETE", route: string, body: unknown) =>
  call<T>(MLFLOW + route, { method, body: JSON.stringify(body) });

/** A quoted string literal of the MLflow filter grammar. */
export function literal(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** One change of the registry, oldest first (RegistryEvent on the server). */
export interface RegistryEvent {
  id: number; name: string; version?: string; event_type: string; actor: string; timestamp: number;
  before?: Record<string, unknown>; after?: Record<string, unknown>;
}

export interface LineageNode { id: string; kind: string; label: string; distance: number; attributes: Record<string, string> }
export interface LineageEdge { source: string; target: string; kind: string }
export interface LineageGraph { root: string; direction: string; depth: number; nodes: LineageNode[]; edges: LineageEdge[]; truncated: boolean }

export const registryApi = {
  searchModels: (filter: string, maxResults: number, pageToken?: string) =>
    get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("registered-models/search",
      { filter, max_results: maxResults, page_token: pageToken, order_by: "name ASC" }),
  getModel: (name: string) => get<{ registered_model: RegisteredModel }>("registered-models/get", { name }),
  createModel: (name: string, description: string) =>
    post<{ registered_model: RegisteredModel }>("registered-models/create", { name, description: description || undefined }),
  renameModel: (name: string, newName: string) =>
    post<{ registered_model: RegisteredModel }>("registered-models/rename", { name, new_name: newName }),
  deleteModel: (name: string) => send("DELETE", "registered-models/delete", { name }),
  updateModel: (name: string, description: string) =>
    send<{ registered_model: RegisteredModel }>("PATCH", "registered-models/update", { name, description }),
  setModelTag: (name: string, key: string, value: string) => post("registered-models/set-tag", { name, key, value }),
  deleteModelTag: (name: string, key: string) => send("DELETE", "registered-models/delete-tag", { name, key }),
  setAlias: (name: string, alias: string, version: string) => post("registered-models/alias", { name, alias, version }),
  deleteAlias: (name: string, alias: string) => send("DELETE", "registered-models/alias", { name, alias }),

  searchVersions: (name: string) =>
    get<{ model_versions?: ModelVersion[] }>("model-versions/search",
      { filter: `name = ${literal(name)}`, max_results: 1000, order_by: "version_number DESC" }),
  getVersion: (name: string, version: string) => get<{ model_version: ModelVersion }>("model-versions/get", { name, version }),
  updateVersion: (name: string, version: string, description: string) =>
    send<{ model_version: ModelVersion }>("PATCH", "model-versions/update", { name, version, description }),
  setVersionTag: (name: string, version: string, key: string, value: string) =>
    post("model-versions/set-tag", { name, version, key, value }),
  deleteVersionTag: (name: string, version: string, key: string) =>
    send("DELETE", "model-versions/delete-tag", { name, version, key }),
  transitionStage: (name: string, version: string, stage: string) =>
    post<{ model_version: ModelVersion }>("model-versions/transition-stage", { name, version, stage, archive_existing_versions: false }),
  /**
   * The version's MLmodel file as text; null when it has none this server serves. A version registered from a run is
   * looked up in the run's listing first, so a missing file is not fetched (the browser logs every failed request).
   */
  mlmodel: async (version: ModelVersion): Promise<string | null> => {
    const fromRun = /^runs:\/([^/]+)\/?(.*)$/.exec(version.source ?? "");
    if (fromRun) {
      const dir = fromRun[2].replace(/\/+$/, "");
      const listing = await get<{ files?: { path: string }[] }>("artifacts/list", { run_id: fromRun[1], path: dir });
      if (!(listing.files ?? []).some(f => f.path === (dir ? `${dir}/MLmodel` : "MLmodel"))) return null;
    } else if (!/^(mlflow-artifacts|models):/.test(version.source ?? "")) {
      return null;
    }
    const search = new URLSearchParams({ name: version.name, version: version.version, path: "MLmodel" });
    const response = await fetch(`${MLFLOW}model-versions/get-artifact?${search}`);
    return response.ok ? response.text() : null;
  },

  history: (name: string) =>
    call<{ events?: RegistryEvent[] }>(`/api/flightdeck/v1/registered-models/history?${new URLSearchParams({ name })}`),
  lineage: (node: string, direction = "both", depth = 5) =>
    call<LineageGraph>(`/api/flightdeck/v1/lineage?${new URLSearchParams({ node, direction, depth: String(depth) })}`),
};

/** MLflow's (deprecated) stages, still set by clients. */
export const STAGES = ["None", "Staging", "Production", "Archived"];

export const modelUrl = (name: string) => `/models/${encodeURIComponent(name)}`;
export const versionUrl = (name: string, version: string) => `${modelUrl(name)}/versions/${encodeURIComponent(version)}`;
export const lineageUrl = (node: string) => `/lineage?${new URLSearchParams({ node })}`;
export const modelNode = (name: string, version: string) => `model:${name}/${version}`;
