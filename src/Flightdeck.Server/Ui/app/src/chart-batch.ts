import { ApiError, Series } from "./api";
import { MetricChart } from "./chart";

const BATCH_ROUTE = "/api/flightdeck/v1/metrics/downsampled-batch";

/**
 * Reads every metric of a run from one batch request, newline-delimited JSON with one series a line, and hands each
 * series over as soon as its line has arrived.
 */
export async function streamRunSeries(runId: string, points: number, onSeries: (series: Series) => void, signal?: AbortSignal): Promise<void> {
  const response = await fetch(`${BATCH_ROUTE}?run_id=${encodeURIComponent(runId)}&points=${points}`,
    { headers: { Accept: "application/x-ndjson, application/json" }, signal });
  if (!response.ok || !response.body) {
    const text = await response.text();
    let body: { error_code?: string; message?: string } = {};
    try { body = JSON.parse(text); } catch { body = { message: text }; }
    throw new ApiError(response.status, body.error_code ?? "", body.message ?? `HTTP ${response.status}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (value) pending += value;
    let end: number;
    while ((end = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line) onSeries(JSON.parse(line) as Series);
    }
    if (done) break;
  }
  if (pending.trim()) throw new Error("The chart data ended mid-line.");
}

/**
 * Draws a run page's charts (one line each) from one batch request, each as its data arrives. A chart whose metric
 * the batch did not carry (logged after the page read the run) loads on its own; resolves when all are drawn or failed.
 */
export async function loadRunCharts(runId: string, charts: MetricChart[], signal?: AbortSignal): Promise<void> {
  if (charts.length === 0) return;
  const byKey = new Map(charts.map(c => [c.key, c]));
  charts.forEach(c => c.setLoading());
  try {
    await streamRunSeries(runId, charts[0].pointBudget(), series => byKey.get(series.key)?.show([series]), signal);
  } catch (error) {
    if (signal?.aborted) return;
    const message = (error as Error).message;
    charts.filter(c => !c.hasData).forEach(c => c.setFailed(message));
    return;
  }
  await Promise.all(charts.filter(c => !c.hasData).map(c => c.load()));
}
