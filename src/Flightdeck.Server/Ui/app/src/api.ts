// The REST calls the UI makes: MLflow's own UI routes (/ajax-api/2.0/mlflow/...) and Flightdeck's (/api/flightdeck/v1/...).
const MLFLOW = "/ajax-api/2.0/mlflow/";

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly code: string, message: string) {
    super(message);
  }
}

export async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { ...init, headers: { Accept: "application/json", ...(init?.body ? { "Content-Type": "application/json" } : {}) } });
  const text = await response.text();
  let body: any = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { message: text };
  }
  if (!response.ok) throw new ApiError(response.status, body.error_code ?? "", body.message ?? `HTTP ${response.status}`);
  return body as T;
}

function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s ? "?" + s : "";
}

export const get = <T>(route: string, params: Record<string, string | number | undefined | null> = {}) => call<T>(MLFLOW + route + query(params));
export const post = <T>(route: string, body: unknown) => call<T>(MLFLOW + route, { method: "POST", body: JSON.stringify(body) });

export interface KeyValue { key: string; value: string }
export interface Metric { key: string; value: number | string; timestamp: number; step: number }
export interface Experiment {
  experiment_id: string; name: string; artifact_location?: string; lifecycle_stage: string;
  creation_time?: number; last_update_time?: number; tags?: KeyValue[];
}
export interface RunInfo {
  run_id: string; run_name?: string; experiment_id: string; status: string; start_time?: number; end_time?: number;
  user_id?: string; artifact_uri?: string; lifecycle_stage: string;
}
export interface Dataset { name: string; digest: string; source_type?: string; source?: string; schema?: string; profile?: string }
export interface Run {
  info: RunInfo; data: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] };
  inputs?: { dataset_inputs?: { tags?: KeyValue[]; dataset: Dataset }[] };
}
export interface FileInfo { path: string; is_dir: boolean; file_size?: number }
export interface ModelVersion {
  name: string; version: string; creation_timestamp?: number; last_updated_timestamp?: number; current_stage?: string;
  description?: string; source?: string; run_id?: string; status?: string; tags?: KeyValue[]; aliases?: string[];
}
export interface RegisteredModel {
  name: string; creation_timestamp?: number; last_updated_timestamp?: number; description?: string;
  latest_versions?: ModelVersion[]; tags?: KeyValue[]; aliases?: { alias: string; version: string }[];
}
export interface Series {
  run_id: string; key: string; total_points: number; returned_points: number; downsampled: boolean;
  steps: number[]; values: number[]; timestamps: number[];
}

export const api = {
  searchExperiments: (filter: string, viewType: string, pageToken?: string) =>
    post<{ experiments?: Experiment[]; next_page_token?: string }>("experiments/search",
      { filter: filter || undefined, view_type: viewType, max_results: 100, page_token: pageToken }),
  getExperiment: (id: string) => get<{ experiment: Experiment }>("experiments/get", { experiment_id: id }),
  createExperiment: (name: string) => post<{ experiment_id: string }>("experiments/create", { name }),
  renameExperiment: (id: string, name: string) => post("experiments/update", { experiment_id: id, new_name: name }),
  deleteExperiment: (id: string) => post("experiments/delete", { experiment_id: id }),
  restoreExperiment: (id: string) => post("experiments/restore", { experiment_id: id }),
  searchRuns: (experimentIds: string[], filter: string, orderBy: string[], maxResults: number, pageToken?: string) =>
    post<{ runs?: Run[]; next_page_token?: string }>("runs/search",
      { experiment_ids: experimentIds, filter, order_by: orderBy, max_results: maxResults, page_token: pageToken, run_view_type: "ACTIVE_ONLY" }),
  getRun: (id: string) => get<{ run: Run }>("runs/get", { run_id: id }),
  listArtifacts: (runId: string, path: string) =>
    get<{ root_uri?: string; files?: FileInfo[]; next_page_token?: string }>("artifacts/list", { run_id: runId, path }),
  artifactUrl: (runId: string, path: string) => "/get-artifact" + query({ path, run_uuid: runId }),
  searchModels: (filter: string, pageToken?: string) =>
    get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("registered-models/search",
      { filter, max_results: 100, page_token: pageToken }),
  getModel: (name: string) => get<{ registered_model: RegisteredModel }>("registered-models/get", { name }),
  searchVersions: (name: string) =>
    get<{ model_versions?: ModelVersion[] }>("model-versions/search", { filter: `name = '${name.replace(/'/g, "\\'")}'`, max_results: 1000 }),
  downsampled: (runId: string, key: string, points: number, minStep?: number, maxStep?: number) =>
    call<Series>("/api/flightdeck/v1/metrics/downsampled" + query({
      run_id: runId, key, points, min_step: minStep === undefined ? undefined : Math.floor(minStep),
      max_step: maxStep === undefined ? undefined : Math.ceil(maxStep),
    })),
};

export function tag(run: Run, key: string): string | undefined {
  return run.data.tags?.find(t => t.key === key)?.value;
}

export function runName(run: Run): string {
  return run.info.run_name || tag(run, "mlflow.runName") || run.info.run_id.slice(0, 8);
}
