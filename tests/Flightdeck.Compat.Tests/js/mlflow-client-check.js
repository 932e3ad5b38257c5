'use strict';
// Drives the unmodified npm `mlflow@2.0.7` client against a tracking server, end to end.
// Usage: node mlflow-client-check.js <tracking-url> <summary-file>
// The client prints every POST body with console.log, so the summary goes to <summary-file> as JSON,
// and is also printed as the last stdout line after the FLIGHTDECK_SUMMARY marker.
// Exits 0 when every step passed, 1 when a step failed, 2 on bad usage.

const fs = require('fs');
const MLflow = require('mlflow');

const [trackingUrl, summaryFile] = process.argv.slice(2);
if (!trackingUrl || !summaryFile) {
  console.error('usage: node mlflow-client-check.js <tracking-url> <summary-file>');
  process.exit(2);
}

const endpoint = trackingUrl.replace(/\/+$/, '');
const mlflow = new MLflow({ endpoint });
const summary = { endpoint, client: require('mlflow/package.json').version, steps: [] };

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function step(name, action) {
  try {
    const result = await action();
    summary.steps.push({ name, ok: true });
    return result;
  } catch (error) {
    summary.steps.push({ name, ok: false, error: String(error && error.message ? error.message : error) });
    throw error;
  }
}

// The client wraps a non-200 answer as Error("Error: {status, statusText, data}"); this recovers the parts.
function parseClientError(error) {
  const text = String(error && error.message ? error.message : error).replace(/^Error:\s*/, '');
  try {
    return JSON.parse(text);
  } catch {
    return { status: null, raw: text };
  }
}

const byKey = (items) => Object.fromEntries((items || []).map((item) => [item.key, item.value]));

async function main() {
  const suffix = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const experimentName = `compat-js-${suffix}`;
  const renamed = `${experimentName}-renamed`;
  const t0 = Date.now();

  const experimentId = await step('experiments.create', async () => {
    const answer = await mlflow.Experiments.create({ name: experimentName });
    check(typeof answer.experiment_id === 'string' && answer.experiment_id.length > 0, `experiment_id missing: ${JSON.stringify(answer)}`);
    return answer.experiment_id;
  });
  summary.experiment_id = experimentId;
  summary.experiment_name = experimentName;

  await step('experiments.list', async () => {
    const answer = await mlflow.Experiments.list({ view_type: 'ACTIVE_ONLY' });
    const found = (answer.experiments || []).find((e) => e.experiment_id === experimentId);
    check(found && found.name === experimentName, `created experiment not listed: ${JSON.stringify(answer)}`);
    summary.listed_active = answer.experiments.map((e) => e.experiment_id);
  });

  await step('experiments.get', async () => {
    const { experiment } = await mlflow.Experiments.get({ experiment_id: experimentId });
    check(experiment.name === experimentName, `wrong name ${experiment.name}`);
    check(experiment.lifecycle_stage === 'active', `wrong stage ${experiment.lifecycle_stage}`);
    summary.experiment_artifact_location = experiment.artifact_location;
  });

  const runId = await step('runs.create', async () => {
    const { run } = await mlflow.Runs.create({
      experiment_id: experimentId,
      user_id: 'compat-js',
      start_time: t0,
      tags: [{ key: 'mlflow.runName', value: 'js-run' }, { key: 'team', value: 'compat' }],
    });
    check(run.info.status === 'RUNNING', `new run status ${run.info.status}`);
    check(run.info.experiment_id === experimentId, `run in experiment ${run.info.experiment_id}`);
    summary.run_artifact_uri = run.info.artifact_uri;
    return run.info.run_id;
  });
  summary.run_id = runId;

  await step('runs.logParameter', () => mlflow.Runs.logParameter({ run_id: runId, key: 'lr', value: '0.01' }));

  const losses = [0.9, 0.7, 0.5, 0.35, 0.3];
  await step('runs.logMetric', async () => {
    for (let i = 0; i < losses.length; i++) {
      await mlflow.Runs.logMetric({ run_id: runId, key: 'loss', value: losses[i], timestamp: t0 + i * 10, step: i });
    }
  });
  summary.sent_losses = losses;

  await step('runs.setTag', () => mlflow.Runs.setTag({ run_id: runId, key: 'stage', value: 'train' }));
  await step('runs.setTag(temporary)', () => mlflow.Runs.setTag({ run_id: runId, key: 'temporary', value: 'x' }));
  await step('runs.deleteTag', () => mlflow.Runs.deleteTag({ run_id: runId, key: 'temporary' }));

  await step('runs.logBatch', () => mlflow.Runs.logBatch({
    run_id: runId,
    metrics: [
      { key: 'accuracy', value: 0.5, timestamp: t0 + 100, step: 0 },
      { key: 'accuracy', value: 0.75, timestamp: t0 + 110, step: 1 },
      { key: 'accuracy', value: 0.875, timestamp: t0 + 120, step: 2 },
    ],
    params: [{ key: 'batch_size', value: '32' }, { key: 'optimizer', value: 'adam' }],
    tags: [{ key: 'source', value: 'log-batch' }],
  }));

  await step('runs.get', async () => {
    const { run } = await mlflow.Runs.get({ run_id: runId });
    const metrics = byKey(run.data.metrics);
    const params = byKey(run.data.params);
    const tags = byKey(run.data.tags);
    check(metrics.loss === 0.3, `latest loss ${metrics.loss}`);
    check(metrics.accuracy === 0.875, `latest accuracy ${metrics.accuracy}`);
    check(params.lr === '0.01' && params.batch_size === '32' && params.optimizer === 'adam', `params ${JSON.stringify(params)}`);
    check(tags.stage === 'train' && tags.source === 'log-batch' && tags.team === 'compat', `tags ${JSON.stringify(tags)}`);
    check(!('temporary' in tags), 'deleted tag still present');
    summary.run_metrics = metrics;
    summary.run_params = params;
    summary.run_tags = tags;
  });

  await step('metrics.getHistory', async () => {
    const { metrics } = await mlflow.Metrics.getHistory({ run_id: runId, metric_key: 'loss' });
    check(Array.isArray(metrics) && metrics.length === losses.length, `history ${JSON.stringify(metrics)}`);
    summary.loss_history = metrics.map((m) => ({ step: Number(m.step), value: m.value, timestamp: Number(m.timestamp) }));
  });

  // A second run so that the filter and the ordering have something to tell apart.
  const otherRunId = await step('runs.create(second)', async () => {
    const { run } = await mlflow.Runs.create({ experiment_id: experimentId, user_id: 'compat-js', start_time: t0 + 1000, tags: [] });
    await mlflow.Runs.logParameter({ run_id: run.info.run_id, key: 'lr', value: '0.1' });
    await mlflow.Runs.logMetric({ run_id: run.info.run_id, key: 'loss', value: 0.2, timestamp: t0 + 1000, step: 0 });
    return run.info.run_id;
  });
  summary.other_run_id = otherRunId;

  await step('runs.search(filter)', async () => {
    const answer = await mlflow.Runs.search({ experiment_ids: [experimentId], filter: "params.lr = '0.01'", run_view_type: 'ACTIVE_ONLY', max_results: 10 });
    const ids = (answer.runs || []).map((r) => r.info.run_id);
    check(ids.length === 1 && ids[0] === runId, `filtered search ${JSON.stringify(ids)}`);
    summary.search_filter_ids = ids;
  });

  await step('runs.search(order_by)', async () => {
    const answer = await mlflow.Runs.search({ experiment_ids: [experimentId], filter: 'metrics.loss < 1', order_by: ['metrics.loss ASC'], max_results: 10 });
    const ids = (answer.runs || []).map((r) => r.info.run_id);
    check(ids.length === 2 && ids[0] === otherRunId && ids[1] === runId, `ordered search ${JSON.stringify(ids)}`);
    summary.search_order_ids = ids;
  });

  await step('runs.update', async () => {
    const answer = await mlflow.Runs.update({ run_id: runId, status: 'FINISHED', end_time: t0 + 5000 });
    check(answer.run_info && answer.run_info.status === 'FINISHED', `update answer ${JSON.stringify(answer)}`);
    summary.updated_status = answer.run_info.status;
  });

  await step('runs.delete', async () => {
    await mlflow.Runs.delete({ run_id: runId });
    const { run } = await mlflow.Runs.get({ run_id: runId });
    check(run.info.lifecycle_stage === 'deleted', `stage after delete ${run.info.lifecycle_stage}`);
    const deleted = await mlflow.Runs.search({ experiment_ids: [experimentId], run_view_type: 'DELETED_ONLY' });
    summary.deleted_only_ids = (deleted.runs || []).map((r) => r.info.run_id);
    check(summary.deleted_only_ids.includes(runId), 'deleted run missing from DELETED_ONLY search');
    const active = await mlflow.Runs.search({ experiment_ids: [experimentId], run_view_type: 'ACTIVE_ONLY' });
    check(!(active.runs || []).some((r) => r.info.run_id === runId), 'deleted run still in ACTIVE_ONLY search');
  });

  await step('runs.restore', async () => {
    await mlflow.Runs.restore({ run_id: runId });
    const { run } = await mlflow.Runs.get({ run_id: runId });
    check(run.info.lifecycle_stage === 'active', `stage after restore ${run.info.lifecycle_stage}`);
    summary.restored_run_stage = run.info.lifecycle_stage;
  });

  // The client has no upload call: put one file through the proxied artifact route with plain fetch, then list it.
  await step('artifacts.upload(fetch)', async () => {
    const prefix = 'mlflow-artifacts:/';
    check(String(summary.run_artifact_uri).startsWith(prefix), `artifact uri ${summary.run_artifact_uri}`);
    const relative = summary.run_artifact_uri.slice(prefix.length).replace(/^\/+/, '');
    const response = await fetch(`${endpoint}/api/2.0/mlflow-artifacts/artifacts/${relative}/model/notes.txt`, { method: 'PUT', body: 'hello from node' });
    check(response.status === 200, `upload status ${response.status}: ${await response.text()}`);
  });

  await step('artifacts.list', async () => {
    const root = await mlflow.Artifacts.list({ run_id: runId });
    const nested = await mlflow.Artifacts.list({ run_id: runId, path: 'model' });
    summary.artifacts_root = root.files || [];
    summary.artifacts_model = nested.files || [];
    check(summary.artifacts_root.some((f) => f.path === 'model' && f.is_dir === true), `root listing ${JSON.stringify(root)}`);
    check(summary.artifacts_model.some((f) => f.path === 'model/notes.txt' && Number(f.file_size) === 15), `model listing ${JSON.stringify(nested)}`);
  });

  await step('experiments.update', async () => {
    await mlflow.Experiments.update({ experiment_id: experimentId, new_name: renamed });
    const { experiment } = await mlflow.Experiments.get({ experiment_id: experimentId });
    check(experiment.name === renamed, `name after rename ${experiment.name}`);
    summary.renamed_to = experiment.name;
  });

  await step('experiments.delete', async () => {
    await mlflow.Experiments.delete({ experiment_id: experimentId });
    const { experiment } = await mlflow.Experiments.get({ experiment_id: experimentId });
    check(experiment.lifecycle_stage === 'deleted', `stage after delete ${experiment.lifecycle_stage}`);
    const deleted = await mlflow.Experiments.list({ view_type: 'DELETED_ONLY' });
    summary.listed_deleted = (deleted.experiments || []).map((e) => e.experiment_id);
    check(summary.listed_deleted.includes(experimentId), 'deleted experiment missing from DELETED_ONLY list');
  });

  await step('experiments.restore', async () => {
    await mlflow.Experiments.restore({ experiment_id: experimentId });
    const { experiment } = await mlflow.Experiments.get({ experiment_id: experimentId });
    check(experiment.lifecycle_stage === 'active', `stage after restore ${experiment.lifecycle_stage}`);
    summary.restored_experiment_stage = experiment.lifecycle_stage;
  });

  // setExperimentTag posts to ".../mlflow/experimentsset-experiment-tag" (a client bug); record what the server says.
  await step('experiments.setExperimentTag(buggy url)', async () => {
    try {
      await mlflow.Experiments.setExperimentTag({ experiment_id: experimentId, key: 'k', value: 'v' });
      summary.set_experiment_tag = { status: 200 };
    } catch (error) {
      const parsed = parseClientError(error);
      summary.set_experiment_tag = { status: parsed.status, error_code: parsed.data && parsed.data.error_code };
    }
  });
}

main()
  .then(() => 0, (error) => {
    summary.failure = String(error && error.stack ? error.stack : error);
    return 1;
  })
  .then((code) => {
    summary.ok = code === 0;
    const text = JSON.stringify(summary);
    fs.writeFileSync(summaryFile, text);
    console.log(`FLIGHTDECK_SUMMARY ${text}`);
    process.exitCode = code;
  });
