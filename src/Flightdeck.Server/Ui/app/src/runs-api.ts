// REST calls of the runs, run and compare pages beyond api.ts: experiments by id, a run's registered model versions,
// and artifact bodies for previews.
import { api, Experiment, get, ModelVersion } from "./api";

/** The experiments of the given ids, in that order; an id the server does not know fails the whole call. */
export async function getExperiments(ids: string[]): Promise<Experiment[]> {
  return (await Promise.all(ids.map(id => api.getExperiment(id)))).map(r => r.experiment);
}

/** The model versions registered from a run's artifacts (MLflow's model-versions/search by run_id). */
export async function modelVersionsOfRun(runId: string): Promise<ModelVersion[]> {
  const result = await get<{ model_versions?: ModelVersion[] }>("model-versions/search",
    { filter: `run_id = '${runId.replace(/'/g, "")}'`, max_results: 200 });
  return result.model_versions ?? [];
}

/** An artifact's body; the server sends it as an attachment with a safe content type, so it is read, never navigated to. */
export async function fetchArtifact(runId: string, path: string): Promise<Response> {
  const response = await fetch(api.artifactUrl(runId, path));
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try { message = JSON.parse(await response.text()).message ?? message; } catch { /* not MLflow's JSON error body */ }
    throw new Error(message);
  }
  return response;
}
