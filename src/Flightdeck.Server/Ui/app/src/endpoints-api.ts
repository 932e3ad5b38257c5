// The managed serving endpoints' REST API (/api/flightdeck/v1/endpoints), as the wire shapes of EndpointMessages.cs.
import { call } from "./api";

const BASE = "/api/flightdeck/v1/endpoints";

export interface EndpointRoute { model_name: string; version: string; weight: number; role: string }
export interface GuardrailReading {
  timestamp: number; requests: number; errors: number; error_rate: number; p99_latency_ms?: number;
  prediction_psi?: number; baseline_requests: number;
}
export interface Guardrails { max_error_rate?: number; max_p99_latency_ms?: number; max_prediction_psi?: number; min_requests?: number }
export interface Rollout {
  rollout_id: string; strategy: string; status: string; model_name: string; candidate_version: string;
  baseline_version?: string; baseline_model_name?: string; steps: number[]; current_step: number; bake_seconds: number;
  termination_wait_seconds: number; guardrails: Guardrails; started_timestamp: number; step_started_timestamp: number;
  finished_timestamp?: number; reason?: string; last_reading?: GuardrailReading;
}
export interface ServingEndpoint {
  name: string; description?: string; state: string; routes: EndpointRoute[]; rollout?: Rollout;
  creation_timestamp: number; last_updated_timestamp: number;
}
export interface EndpointEvent {
  event_id: number; timestamp: number; type: string; routes: EndpointRoute[]; rollout_id?: string; reason?: string;
  reading?: GuardrailReading;
}

const path = (name: string, tail = "") => `${BASE}/${encodeURIComponent(name)}${tail}`;

export const endpointsApi = {
  list: () => call<{ endpoints?: ServingEndpoint[] }>(BASE),
  get: (name: string) => call<{ endpoint: ServingEndpoint }>(path(name)),
  history: (name: string) => call<{ events?: EndpointEvent[]; next_page_token?: string }>(path(name, "/history")),
  promote: (name: string, reason: string) =>
    call<{ endpoint: ServingEndpoint }>(path(name, "/promote"), { method: "POST", body: JSON.stringify({ reason: reason || undefined }) }),
  rollback: (name: string, reason: string) =>
    call<{ endpoint: ServingEndpoint }>(path(name, "/rollback"), { method: "POST", body: JSON.stringify({ reason: reason || undefined }) }),
};

/** Guardrail defaults the server applies when a limit is absent (see RolloutGuardrails). */
export const GUARDRAIL_DEFAULTS = { max_error_rate: 0.01, max_prediction_psi: 0.2, min_requests: 20 };

/** Per-second live counts of one version (GET /api/flightdeck/v1/ui/endpoints/{name}/traffic). */
export interface VersionTraffic { version: string; seconds: number[]; requests: number[]; errors: number[]; p99_latency_ms: number[] }

export const trafficApi = {
  get: (name: string, seconds = 300) =>
    call<{ now: number; versions: VersionTraffic[] }>(`/api/flightdeck/v1/ui/endpoints/${encodeURIComponent(name)}/traffic?seconds=${seconds}`),
};
